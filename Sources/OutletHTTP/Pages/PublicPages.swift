import CanonicalJSON
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import OutletCore
import OutletDomain
import OutletLedger
import OutletNotices
import OutletProjections

/// The public's pages, no sign-in: the roster (名录) of any date as the registry stood on any day, each
/// outlet's public record, the publicity notices (公示) with the objection form while a window is open
/// (Art. 6(3)), the revocations (通报), the bans, and every notice printable and downloadable.
extension RegistryService {
    func addPublicPages(to router: RouterGroup<RegistryContext>) {
        router.get("/") { request, context in try await rosterPage(request, context) }
        router.get("outlets/:uscc") { request, context in try await outletPage(request, context) }
        router.get("publicity") { request, context in try await publicityPage(request, context) }
        router.get("publicity/:uscc") { request, context in try await publicityEntryPage(request, context, objection: nil) }
        router.post("publicity/:uscc/objections") { request, context in try await fileObjection(request, context) }
        router.get("revocations") { request, context in try await revocationsPage(request, context) }
        router.get("bans") { request, context in try await bansPage(request, context) }
        router.get("notices") { request, context in try await noticesPage(request, context) }
        router.get("notices/:kind") { request, context in try await noticeDocument(request, context) }
        router.get("static/site.css") { _, _ in
            Self.text(pages.styleSheet, type: "text/css; charset=utf-8", headers: [.cacheControl: "public, max-age=3600"])
        }
        router.get("static/live.js") { _, _ in
            Self.text(pages.liveScript, type: "text/javascript; charset=utf-8", headers: [.cacheControl: "public, max-age=3600"])
        }
        router.get("events/head") { _, _ in headStream() }
        for path in ["static/favicon.svg", "favicon.ico"] {
            router.get(RouterPath(path)) { _, _ in
                Self.text(pages.icon, type: "image/svg+xml", headers: [.cacheControl: "public, max-age=86400"])
            }
        }
    }

    /// The two time axes of a page: the date the roster is for (名录日期), and the day whose end the
    /// registry is read as it stood (登记簿记载截至) — later corrections not yet counted.
    struct PageBasis: Sendable {
        let asOf: LocalDate
        let stood: LocalDate?
        let view: ProjectionView
        let today: LocalDate

        var values: [String: Any] {
            ["asOf": asOf.description, "asOfLong": Words.date(asOf), "stood": stood?.description ?? "", "stoodLong": stood.map(Words.date) ?? "",
             "seq": view.position.seq, "hash": String(view.position.hash.prefix(16)), "today": today.description,
             // The registry as it stands now: the page hears of later records (static/live.js).
             "live": stood == nil]
        }

        /// The same query for the printable notice.
        var noticeQuery: String {
            "asOf=\(asOf)" + (stood.map { "&knownAt=\(Self.endOfDay($0).percentEncodedForQuery)" } ?? "")
        }

        /// The end of a day in Shanghai: everything recorded that day counts.
        static func endOfDay(_ day: LocalDate) -> String { "\(day)T23:59:59.999999+08:00" }
    }

    func basis(_ request: Request) async throws -> PageBasis {
        let parameters = request.uri.queryParameters
        func day(_ name: String, _ label: String) throws -> LocalDate? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            guard let date = LocalDate(text) else { throw Problem.badRequest("\(label) \"\(text)\" 不是有效日期（应为 YYYY-MM-DD）") }
            return date
        }
        let asOf = try day("asOf", "名录日期")
        let stood = try day("stood", "登记簿记载截至")
        return try await ledger.read { ledger throws(LedgerError) in
            let today = ledger.today
            let effectiveStood = stood.flatMap { $0 < today ? $0 : nil }
            let position = try ledger.position(knownAt: effectiveStood.flatMap { Query.time(PageBasis.endOfDay($0)) })
            return PageBasis(asOf: asOf ?? today, stood: effectiveStood, view: try ledger.projections(at: position), today: today)
        }
    }

    private func rosterPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        let parameters = request.uri.queryParameters
        let name = (parameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let district = parameters.get("district") ?? ""
        let category = parameters.get("category") ?? ""
        let policy = basis.view.projection.periods.policy
        let entries = basis.view.projection.roster(on: basis.asOf).filter { entry in
            (name.isEmpty || entry.name.contains(name)) && (district.isEmpty || entry.district == district)
                && (category.isEmpty || entry.category.rawValue == category)
        }
        // A page at a time, as a reader of thousands of outlets needs: the same query, one page of it.
        let pageCount = max(1, (entries.count + rosterPageSize - 1) / rosterPageSize)
        var pageNumber = 1
        if let text = parameters.get("page"), !text.isEmpty {
            guard let number = Int(text), number >= 1 else { throw Problem.badRequest("页码 \"\(text)\" 不是正整数") }
            pageNumber = min(number, pageCount)
        }
        func pageQuery(_ number: Int) -> String {
            var query = "asOf=\(basis.asOf)"
            if let stood = basis.stood { query += "&stood=\(stood)" }
            for (key, value) in [("q", name), ("district", district), ("category", category)] where !value.isEmpty {
                query += "&\(key)=\(value.percentEncodedForQuery)"
            }
            return query + "&page=\(number)"
        }
        let shown = entries.dropFirst((pageNumber - 1) * rosterPageSize).prefix(rosterPageSize)
        let rows: [[String: Any]] = shown.map { entry in
            ["outletNo": entry.outletNo ?? "—", "name": entry.name, "uscc": entry.uscc.code, "category": entry.category.chineseName,
             "district": policy.district(entry.district)?.name ?? entry.district, "level": NoticeContent.levelWords(entry.level),
             "validThrough": entry.validThrough?.description ?? "—", "underRectification": entry.underRectification]
        }
        var values = basis.values
        values["q"] = name
        values["outlets"] = rows
        values["count"] = entries.count
        if pageCount > 1 {
            values["pager"] = ["pageNumber": pageNumber, "pageCount": pageCount,
                               "previous": pageNumber > 1 ? pageQuery(pageNumber - 1) : false,
                               "next": pageNumber < pageCount ? pageQuery(pageNumber + 1) : false] as [String: Any]
        }
        values["districts"] = policy.districts.map { ["code": $0.code, "name": $0.name, "selected": $0.code == district] }
        values["categories"] = Category.allCases.map { ["code": $0.rawValue, "name": $0.chineseName, "selected": $0.rawValue == category] }
        values["noticeQuery"] = basis.noticeQuery
        return pages.page("roster", title: "知识产权信息公共服务网点名录", values, context: context)
    }

    private func outletPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let uscc = try Self.uscc(context)
        let basis = try await basis(request)
        let projection = basis.view.projection
        guard let timeline = projection.timeline(of: uscc) else { throw Problem.notFound("登记簿中没有统一社会信用代码为 \(uscc) 的单位") }
        var values = basis.values
        values.merge(Self.standing(of: timeline, in: projection, on: basis.asOf)) { _, new in new }
        values["acts"] = timeline.versions(knownAt: projection.knownAt).map { version in
            ["event": Words.event(version.type), "effectiveOn": Words.date(version.effectiveOn), "seq": version.seq, "article": Words.article(version.type.article)]
        }
        return pages.page("outlet", title: (values["name"] as? String) ?? uscc.code, values, context: context)
    }

    /// What the public may know of an institution on `date`: name, number, standing and its dates.
    static func standing(of timeline: Timeline, in projection: RegistryProjection, on date: LocalDate) -> [String: Any] {
        let report = projection.status(of: timeline.uscc, on: date)
        let state = projection.state(of: timeline, on: date)
        let institution = state?.institution ?? timeline.latest(knownAt: projection.knownAt)?.institution
        var values: [String: Any] = [
            "uscc": timeline.uscc.code, "name": institution?.name ?? timeline.uscc.code, "status": Words.status(report.status),
            "category": institution?.category.chineseName ?? "", "address": institution?.address ?? "",
            "district": institution.map { projection.periods.policy.district($0.district)?.name ?? $0.district } ?? "",
        ]
        if let state, let number = projection.outletNumber(of: state) { values["outletNo"] = number }
        if let stage = report.stage { values["stage"] = Words.stage(stage) }
        if let end = report.publicityWindowEnds { values["publicityWindowEnds"] = Words.date(end) }
        if let on = report.registeredOn { values["registeredOn"] = Words.date(on) }
        if let through = report.validThrough { values["validThrough"] = Words.date(through) }
        if let deadline = report.rectificationDeadline { values["rectificationDeadline"] = Words.date(deadline) }
        if let through = report.barredThrough { values["barredThrough"] = Words.date(through) }
        if let ground = report.barGround { values["barGround"] = NoticeContent.groundWords(ground) }
        return values
    }

    /// Every publicity as known now: newest first, open windows marked.
    private func publicityPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        let notices = Self.publicities(in: basis.view.projection, today: basis.today)
        var values = basis.values
        values["open"] = notices.filter { $0["open"] as? Bool == true }
        values["past"] = notices.filter { $0["open"] as? Bool != true }
        return pages.page("publicity", title: "备案名单公示", values, context: context)
    }

    static func publicities(in projection: RegistryProjection, today: LocalDate, only uscc: USCC? = nil) -> [[String: Any]] {
        var found: [(on: LocalDate, values: [String: Any])] = []
        // One institution's is one look-up, not a walk over every timeline.
        let timelines: [Timeline] = if let uscc { projection.timeline(of: uscc).map { [$0] } ?? [] } else { projection.timelines }
        for timeline in timelines {
            let key = timeline.uscc
            let versions = timeline.versions(knownAt: projection.knownAt).filter { $0.type == .publicized }
            guard !versions.isEmpty else { continue }
            let report = projection.status(of: key, on: today)
            for (index, version) in versions.enumerated() {
                guard let publicity = version.state.application?.publicity else { continue }
                let ends = projection.periods.publicityWindowEnd(version.effectiveOn).date
                // Open while its window runs and the application waits (an objection already raised does not close it).
                let isOpen = index == versions.count - 1 && report.status == .applying && report.publicityWindowEnds == ends && today <= ends
                found.append((version.effectiveOn, [
                    "uscc": key.code, "name": version.state.institution?.name ?? key.code, "noticeNo": publicity.noticeNo,
                    "on": Words.date(version.effectiveOn), "onDay": version.effectiveOn.description, "ends": Words.date(ends), "open": isOpen,
                    "district": projection.periods.policy.district(version.state.application?.district ?? "")?.name ?? "",
                ]))
            }
        }
        return found.sorted { $0.on == $1.on ? ($0.values["uscc"] as? String ?? "") < ($1.values["uscc"] as? String ?? "") : $0.on > $1.on }.map(\.values)
    }

    /// One publicity, with the objection form while its window is open; after a refused objection, the
    /// refusal (its article and dates) beside the form, the text kept.
    func publicityEntryPage(_ request: Request, _ context: RegistryContext, objection: (form: FormData, refusal: Problem)?,
                            status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let uscc = try Self.uscc(context)
        let basis = try await basis(request)
        guard let entry = Self.publicities(in: basis.view.projection, today: basis.today, only: uscc).first else {
            throw Problem.notFound("统一社会信用代码为 \(uscc) 的单位没有公示记录")
        }
        var values = basis.values.merging(entry) { _, new in new }
        values["formID"] = BrowserSessions.randomID()
        if let (form, refusal) = objection {
            values["refusal"] = ["detail": refusal.detail, "heading": Words.problemHeading(refusal),
                                 "article": refusal.members["article"]?.stringValue.map(Words.article) ?? ""]
            values["grounds"] = form["grounds"] ?? ""
            values["raiserName"] = form["raisedBy.name"] ?? ""
            values["raiserContact"] = form["raisedBy.contact"] ?? ""
        }
        if let seq = request.uri.queryParameters.get("filed") { values["filed"] = seq }
        return pages.page("publicity-entry", title: "公示：\(entry["name"] as? String ?? uscc.code)", values, context: context, status: status)
    }

    /// An objection from the form (Art. 6(3)): recorded with the caller's identity (the public's when not
    /// signed in), rate-limited per address like the API's; refused after the window, the page says why.
    private func fileObjection(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let uscc = try Self.uscc(context)
        let form = try await checkedForm(request, context)
        if context.caller.token == nil { try admitObjection(request, context: context) }
        let today = try await ledger.read { ledger throws(LedgerError) in ledger.today }
        let formID = form.formID
        let payload = try ActForm.objection.payload(from: form).merging(["objectionId": .string("OBJ-\(today)-\(formID.prefix(8))")])
        // The form's one-time id makes a second press of the button the same objection, not another.
        let candidate = Candidate(type: EventType.objection.rawValue, stream: uscc.code, effectiveOn: today.description,
                                  actor: context.caller.actor, payload: payload, eventId: "page-\(formID)")
        do {
            let outcome = try await commit([candidate])
            return Pages.redirect("/publicity/\(uscc.code)?filed=\(outcome.results.first?.seq ?? 0)")
        } catch {
            let problem = RequestGate.problem(for: error)
            guard problem.status == .unprocessableContent || problem.status == .badRequest else { throw problem }
            return try await publicityEntryPage(request, context, objection: (form, problem), status: problem.status)
        }
    }

    private func revocationsPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        let projection = basis.view.projection
        var rows: [(on: LocalDate, values: [String: Any])] = []
        for timeline in projection.timelines {
            let uscc = timeline.uscc
            for version in timeline.versions(knownAt: projection.knownAt) where version.effectiveOn <= basis.asOf {
                guard version.type == .revoked, case .revoked(let on, let ground) = version.state.standing else { continue }
                let bar = version.state.bar(on: on) ?? projection.state(of: timeline, on: basis.asOf)?.bar(on: on)
                rows.append((on, ["uscc": uscc.code, "name": version.state.institution?.name ?? uscc.code, "on": Words.date(on),
                                  "ground": Words.revocationGround(ground), "barredThrough": bar.map { Words.date($0.through) } ?? ""]))
            }
        }
        var values = basis.values
        values["revocations"] = rows.sorted { $0.on > $1.on }.map(\.values)
        values["from"] = basis.asOf.adding(days: -3 * 366).description
        return pages.page("revocations", title: "撤销备案通报", values, context: context)
    }

    private func bansPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        var values = basis.values
        values["bans"] = basis.view.projection.bans(on: basis.asOf).map { ban in
            ["uscc": ban.uscc.code, "name": ban.name, "ground": NoticeContent.groundWords(ban.ground), "from": Words.date(ban.from), "through": Words.date(ban.through)]
        }
        return pages.page("bans", title: "三年内不受理备案申请的单位", values, context: context)
    }

    private func noticesPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        var values = basis.values
        values["publicities"] = Dictionary(grouping: Self.publicities(in: basis.view.projection, today: basis.today)) { $0["noticeNo"] as? String ?? "" }
            .map { number, entries in ["noticeNo": number, "on": entries.first?["on"] ?? "", "count": entries.count, "query": "noticeNo=\(number.percentEncodedForQuery)"] }
            .sorted { ($0["noticeNo"] as? String ?? "") > ($1["noticeNo"] as? String ?? "") }
        values["yearAgo"] = basis.today.adding(days: -365).description
        values["yearAhead"] = basis.today.adding(days: 365).description
        return pages.page("notices", title: "公告文件", values, context: context)
    }

    /// Server-Sent Events of the head's seq alone (public: `/healthz` says as much): `event: head`, `data:
    /// <seq>` now and after every change, a comment every 15 s; it ends with the client or the server.
    private func headStream() -> Response {
        let ledger = self.ledger, feed = self.feed
        let body = ResponseBody { writer in
            var told: Int64 = -1
            try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let head = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head().seq }
                if head != told {
                    try await writer.write(ByteBuffer(string: "event: head\ndata: \(head)\n\n"))
                    told = head
                } else {
                    try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                }
                try await feed.wait(after: head, until: ContinuousClock.now + .seconds(15), ledger: ledger)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// A notice as the API renders it: HTML in the A4 layout to print (its one inline style allowed by
    /// hash, nothing else), Markdown or text as a download.
    private func noticeDocument(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let kind = context.parameters.get("kind") ?? ""
        let (text, format) = try await noticeText(request, kind: kind)
        var response = Self.text(text, type: format.contentType)
        if format == .html {
            var policy = "default-src 'none'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            if let open = text.range(of: "<style>"), let close = text.range(of: "</style>", range: open.upperBound..<text.endIndex) {
                let digest = Data(SHA256.hash(data: Data(text[open.upperBound..<close.lowerBound].utf8))).base64EncodedString()
                policy += "; style-src 'sha256-\(digest)'"
            }
            response.headers[.contentSecurityPolicy] = policy
        } else {
            response.headers[.contentDisposition] = "attachment; filename=\"notice-\(kind).\(format.rawValue)\""
        }
        return response
    }
}

extension String {
    var percentEncodedForQuery: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}

extension JSONValue {
    /// An object with `members` added (a form's payload with what the server fills in).
    func merging(_ members: JSONObject) -> JSONValue {
        guard case .object(let object) = self else { return self }
        return .object(object.merging(members) { _, new in new })
    }
}
