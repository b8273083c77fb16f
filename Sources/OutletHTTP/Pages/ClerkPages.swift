import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import OutletCore
import OutletDomain
import OutletLedger
import OutletNotices
import OutletProjections

/// The clerks' pages, after signing in with a token the city bureau issued: each role's work page (the
/// city bureau's queue by stage, a district's applications, an applicant's own record, the auditor's
/// verification), one form per act the role may record, the calendar, the log and an institution's
/// timeline as known at any time. The ledger decides every act as it does for the API.
extension RegistryService {
    func addClerkPages(to router: RouterGroup<RegistryContext>) {
        router.get("login") { request, context in loginPage(request, context, refusal: nil) }
        router.post("login") { request, context in try await signIn(request, context) }
        router.post("logout") { request, context in
            _ = try await checkedForm(request, context)
            if let id = context.page.sessionID { pages.sessions.close(id) }
            var response = Pages.redirect("/login?out=1")
            response.headers.append(HTTPField(name: .setCookie, value: BrowserSessions.cookie(BrowserSessions.sessionCookie, "", maxAge: 0)))
            return response
        }
        router.get("work") { request, context in try await workPage(request, context) }
        router.get("work/calendar") { request, context in try await calendarPage(request, context) }
        router.get("work/log") { request, context in try await logPage(request, context) }
        router.get("work/outlets/:uscc") { request, context in try await recordPage(request, context, uscc: nil, attempt: nil) }
        router.post("work/outlets/:uscc/acts/:type") { request, context in try await recordAct(request, context) }
        router.get("work/find") { request, _ in
            let text = (request.uri.queryParameters.get("uscc") ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            guard let uscc = try? USCC(validating: text) else { throw Problem.badRequest("「\(text)」不是有效的统一社会信用代码") }
            return Pages.redirect("/work/outlets/\(uscc.code)" + (request.uri.queryParameters.get("view") == "record" ? "" : "/timeline"))
        }
        router.get("work/outlets/:uscc/timeline") { request, context in try await timelinePage(request, context) }
    }

    /// The form's fields, once its CSRF token is found to be this page's own (a forged one is `403`).
    func checkedForm(_ request: Request, _ context: RegistryContext) async throws -> FormData {
        let body = try await request.body.collect(upTo: Pages.formLimit)
        let form = FormData(urlEncoded: String(buffer: body))
        guard pages.sessions.csrfHolds(form["csrf"], binding: context.page.binding) else {
            throw Problem(.forbidden, kind: "csrf", title: "the form's CSRF token is not this session's",
                          detail: "表单的校验码与本次会话不符（可能已过期或来自其他网站），请返回刷新页面后重新提交")
        }
        return form
    }

    /// The signed-in clerk's token; a visitor is sent to sign in.
    private func clerk(_ context: RegistryContext) throws -> AccessToken {
        guard let token = context.caller.token else {
            throw RequestGate.unauthorized(context.page.sessionEnded ? "会话已结束（闲置超时或令牌已失效），请重新登录" : "此页面需要工作人员登录")
        }
        return token
    }

    private func loginPage(_ request: Request, _ context: RegistryContext, refusal: String?, status: HTTPResponse.Status = .ok) -> Response {
        var values: [String: Any] = [:]
        if let refusal { values["refusal"] = refusal }
        if request.uri.queryParameters.get("out") != nil { values["flash"] = "已退出登录。" }
        if context.page.sessionEnded { values["flash"] = "会话已结束（闲置超时或令牌已失效），请重新登录。" }
        values["idleMinutes"] = pages.sessions.idleTimeout.components.seconds / 60
        return pages.page("login", title: "工作人员登录", values, context: context, status: status)
    }

    private func signIn(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let form = try await checkedForm(request, context)
        let secret = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await ledger.read { ledger throws(LedgerError) in try ledger.authenticate(secret: secret) }
        let refusal: String
        switch result {
        case .success:
            if let old = context.page.sessionID { pages.sessions.close(old) }
            var response = Pages.redirect("/work")
            response.headers.append(HTTPField(name: .setCookie, value: BrowserSessions.cookie(BrowserSessions.sessionCookie, pages.sessions.open(secret: secret))))
            return response
        case .failure(.unknown): refusal = "令牌无效：不是本登记簿签发的令牌"
        case .failure(.expired(let day)): refusal = "令牌已于 \(day) 后过期"
        case .failure(.revoked(let time)): refusal = "令牌已于 \(time) 被吊销"
        }
        return loginPage(request, context, refusal: refusal, status: .unauthorized)
    }

    private func workPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let token: AccessToken
        do { token = try clerk(context) } catch { return Pages.redirect("/login") }
        switch token.role {
        case "city-bureau": return try await cityQueue(request, context)
        case "district-bureau": return try await districtApplications(request, context, district: token.unit)
        case "applicant":
            return try await recordPage(request, context, uscc: try USCC(validating: token.unit), attempt: nil)
        default: return try await auditorPage(request, context)
        }
    }

    /// The city bureau's queue: every institution that waits on it, by stage, oldest first.
    private func cityQueue(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let basis = try await basis(request)
        let projection = basis.view.projection
        let today = basis.today
        let policy = projection.periods.policy
        var stages: [String: [(key: String, values: [String: Any])]] = [:]
        func add(_ stage: String, _ uscc: USCC, _ name: String, _ note: String, sortKey: String) {
            stages[stage, default: []].append((sortKey, ["uscc": uscc.code, "name": name, "note": note]))
        }
        for uscc in projection.timelines.map(\.uscc) {
            let report = projection.status(of: uscc, on: today)
            let name = report.name ?? uscc.code
            switch report.stage {
            case .submitted?: add("submitted", uscc, name, "待区县局推荐", sortKey: name)
            case .recommended?: add("recommended", uscc, name, "已推荐，待公示", sortKey: name)
            case .inPublicity?: add("inPublicity", uscc, name, "公示期至 \(Words.date(report.publicityWindowEnds))", sortKey: report.publicityWindowEnds?.description ?? "")
            case .awaitingDecision?: add("awaitingDecision", uscc, name, "公示期已于 \(Words.date(report.publicityWindowEnds)) 届满", sortKey: report.publicityWindowEnds?.description ?? "")
            case .objectionPending?: add("objectionPending", uscc, name, "有异议待处理", sortKey: name)
            case nil: break
            }
            if let deadline = report.rectificationDeadline {
                add("rectification", uscc, name, "整改期限 \(Words.date(deadline))", sortKey: deadline.description)
            }
            if report.status == .active, let through = report.validThrough, today >= through.adding(days: -policy.renewalWindowDays) {
                add("renewal", uscc, name, "备案有效期至 \(Words.date(through))", sortKey: through.description)
            }
        }
        for entry in projection.roster(on: today) where !entry.overdueSummaries.isEmpty {
            add("summaries", entry.uscc, entry.name, "未报送 \(entry.overdueSummaries.map(String.init).joined(separator: "、")) 年度工作总结", sortKey: entry.name)
        }
        let order: [(key: String, title: String)] = [
            ("recommended", "待公示（区县局已推荐）"), ("inPublicity", "公示中"), ("awaitingDecision", "公示期满，可作出备案决定"),
            ("objectionPending", "异议待处理"), ("rectification", "整改期限"), ("renewal", "期满复审窗口内"),
            ("summaries", "年度工作总结逾期"), ("submitted", "待区县局推荐（供参考）"),
        ]
        var values = basis.values
        values["stages"] = order.map { stage in
            let items = (stages[stage.key] ?? []).sorted { $0.key < $1.key }.map(\.values)
            return ["key": stage.key, "title": stage.title, "count": items.count, "items": items, "empty": items.isEmpty] as [String: Any]
        }
        return pages.page("work-city", title: "市局工作台", values, context: context)
    }

    /// A district bureau's applications: only its own district's (Art. 6(2)).
    private func districtApplications(_ request: Request, _ context: RegistryContext, district: String) async throws -> Response {
        let basis = try await basis(request)
        let projection = basis.view.projection
        var rows: [(key: String, values: [String: Any])] = []
        for timeline in projection.timelines {
            let uscc = timeline.uscc
            guard let state = timeline.latest(knownAt: projection.knownAt), (state.application?.district ?? state.institution?.district) == district else { continue }
            let report = projection.status(of: uscc, on: basis.today)
            rows.append(((report.stage == .submitted ? "0" : "1") + (report.name ?? ""), [
                "uscc": uscc.code, "name": report.name ?? uscc.code, "status": Words.status(report.status),
                "stage": report.stage.map(Words.stage) ?? "", "waiting": report.stage == .submitted,
                "submittedOn": state.application.map { Words.date($0.submittedOn) } ?? "",
            ]))
        }
        var values = basis.values
        values["districtName"] = projection.periods.policy.district(district)?.name ?? district
        values["applications"] = rows.sorted { $0.key < $1.key }.map(\.values)
        return pages.page("work-district", title: "区县局工作台", values, context: context)
    }

    private func auditorPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let full = request.uri.queryParameters.get("full") == "1"
        var values: [String: Any] = ["full": full]
        do {
            let report = try await ledger.read { ledger throws(LedgerError) in try ledger.audit(chainOnly: !full) }
            values["verified"] = ["count": report.chain.count, "head": report.chain.head, "eventsDecided": report.eventsDecided,
                                  "snapshots": report.snapshotsMatching.count, "checkpoints": report.checkpointsMatching,
                                  "warnings": report.warnings]
        } catch {
            values["failure"] = error.description
        }
        return pages.page("work-auditor", title: "审计：链校验", values, context: context)
    }

    /// Who may open an institution's record: the city bureau and auditors any, a district bureau its
    /// district's (Art. 6(2)), an applicant its own.
    private func requireRecordReader(_ token: AccessToken, _ uscc: USCC, district: String?, known: Bool = true) throws {
        switch token.role {
        case "city-bureau", "auditor": return
        case "applicant" where token.unit == uscc.code: return
        case "district-bureau" where district == token.unit: return
        // Nothing recorded yet, nothing to show: a district bureau may submit an application for an
        // applicant of its district (Art. 6(2)); the rules check the district the application names.
        case "district-bureau" where district == nil && !known: return
        case "district-bureau":
            throw Problem.forbidden("该单位不在本区县（\(token.unit)）：区县局只办理本辖区的申请（第六条第二款）")
        default:
            throw Problem.forbidden("申请单位只能查看本单位的记录")
        }
    }

    /// An act the clerk tried, refused: its form opens again with the rule's words and the values kept.
    struct Attempt {
        let type: EventType
        let form: FormData
        let refusal: Problem
    }

    /// An institution's record for a clerk: its standing, its history with what each act said, and one
    /// form per act the clerk's role may record.
    private func recordPage(_ request: Request, _ context: RegistryContext, uscc given: USCC?, attempt: Attempt?,
                            status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let token = try clerk(context)
        let uscc = try given ?? Self.uscc(context)
        let basis = try await basis(request)
        let projection = basis.view.projection
        let timeline = projection.timeline(of: uscc)
        let latest = timeline?.latest(knownAt: projection.knownAt)
        try requireRecordReader(token, uscc, district: latest.flatMap { $0.application?.district ?? $0.institution?.district }, known: timeline != nil)
        let history = try await ledger.read { ledger throws(LedgerError) in try ledger.store.events(ofStream: uscc.code) }
        var values = basis.values
        values["uscc"] = uscc.code
        if let timeline {
            values.merge(Self.standing(of: timeline, in: projection, on: basis.today)) { _, new in new }
        } else {
            values["name"] = uscc.code
            values["status"] = "登记簿中尚无记录"
        }
        let objections = latest?.application?.objections ?? []
        values["hasObjections"] = !objections.isEmpty
        values["objections"] = objections.map { objection in
            ["id": objection.id, "raisedOn": Words.date(objection.raisedOn), "outcome": objection.outcome.map { $0 == .upheld ? "异议成立" : "异议不成立" } ?? "待处理"]
        }
        values["events"] = history.map(Self.historyRow)
        let report = projection.status(of: uscc, on: basis.today)
        let suggested = Self.suggestedAct(role: token.role, report: report, known: timeline != nil)
        let role = Actor.Role(rawValue: token.role)
        values["forms"] = EventType.allCases.compactMap { type -> [String: Any]? in
            guard type != .objection, let role, Decider.allowedRoles(type).contains(role),
                  let form = ActForm.of(type, districts: projection.periods.policy.districts) else { return nil }
            let tried = attempt?.type == type ? attempt : nil
            return formValues(form, stream: uscc, today: basis.today, latest: latest, tried: tried, open: tried != nil || (attempt == nil && suggested == type))
        }
        values["canRecord"] = !(values["forms"] as? [[String: Any]] ?? []).isEmpty
        if let seq = request.uri.queryParameters.get("recorded"), let type = request.uri.queryParameters.get("type") {
            values["flash"] = "已记录「\(Words.event(type))」（登记簿 seq \(seq)）。"
        }
        return pages.page("record", title: values["name"] as? String ?? uscc.code, values, context: context, status: status)
    }

    /// The act a clerk most likely came for, given where the institution is: its form opens first.
    static func suggestedAct(role: String, report: StatusReport, known: Bool) -> EventType? {
        switch (role, report.stage) {
        case ("district-bureau", .submitted?): .recommended
        case ("district-bureau", _) where !known: .submitted
        case ("city-bureau", .recommended?): .publicized
        case ("city-bureau", .awaitingDecision?): .registered
        case ("city-bureau", .objectionPending?): .objectionResolved
        case ("applicant", _) where !known || report.status == .declined: .submitted
        case ("applicant", _) where report.status == .active: .annualSummaryFiled
        default: nil
        }
    }

    /// One act's form for the template: every field with its label, control and value — what the clerk
    /// typed when the act was refused, else what the ledger already knows.
    private func formValues(_ form: ActForm, stream: USCC, today: LocalDate, latest: InstitutionState?, tried: Attempt?, open: Bool) -> [String: Any] {
        func prefilled(_ path: String) -> String {
            switch path {
            case "institution.uscc": stream.code
            case "institution.name": latest?.institution?.name ?? ""
            case "declaration.date": today.description
            case "year": String(today.year - 1)
            case "objectionId": latest?.application?.openObjections.first?.id ?? ""
            case "requestedOn": today.description
            default: ""
            }
        }
        let fields: [[String: Any]] = form.fields.map { field in
            let id = "\(form.type.rawValue)-\(field.path.replacingOccurrences(of: ".", with: "-"))"
            let value = tried.map { $0.form[field.path] ?? "" } ?? prefilled(field.path)
            let chosen = Set(tried.map { $0.form.all(field.path) } ?? [])
            // The browser insists only on single fields; lists and rows are the ledger's to judge (a blank row drops out).
            let required = !field.optional && field.row == nil && !field.isChoiceOnly && { if case .lines = field.kind { false } else { true } }()
            var values: [String: Any] = ["id": id, "name": field.path, "label": field.label, "value": value, "required": required]
            switch field.kind {
            case .text: values["isText"] = true
            case .textarea, .lines: values["isTextarea"] = true
            case .date: values["isDate"] = true
            case .number: values["isNumber"] = true
            case .choice(let options):
                values["isChoice"] = true
                values["options"] = options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
            case .choices(let options):
                values["isChoices"] = true
                values["options"] = options.enumerated().map { index, option in
                    ["value": option.value, "label": option.label, "checked": tried == nil || chosen.contains(option.value), "id": "\(id)-\(index)"]
                }
            case .yesNo:
                values["isYesNo"] = true
                values["checked"] = tried == nil || value == "yes"
            }
            return values
        }
        var values: [String: Any] = [
            "type": form.type.rawValue, "title": Words.event(form.type), "article": Words.article(form.type.article), "fields": fields,
            "effectiveOn": tried?.form["effectiveOn"] ?? today.description, "formID": BrowserSessions.randomID(), "open": open,
        ]
        if let tried {
            values["refusal"] = ["heading": Words.problemHeading(tried.refusal), "detail": tried.refusal.detail,
                                 "article": tried.refusal.members["article"]?.stringValue.map(Words.article) ?? ""]
        }
        return values
    }

    /// An act from its form, decided by the ledger like any other: recorded, back to the record (PRG);
    /// refused, the record again with the refusal beside the form.
    private func recordAct(_ request: Request, _ context: RegistryContext) async throws -> Response {
        _ = try clerk(context)
        let uscc = try Self.uscc(context)
        let form = try await checkedForm(request, context)
        let typeText = context.parameters.get("type") ?? ""
        guard let type = EventType(rawValue: typeText), let actForm = ActForm.of(type, districts: ledger.ledger.policy.districts) else {
            throw Problem.notFound("没有「\(typeText)」这一事项的表单")
        }
        let formID = form.formID
        do {
            let payload = try actForm.payload(from: form)
            // The form's one-time id: pressing the button twice records the act once.
            let candidate = Candidate(type: type.rawValue, stream: uscc.code, effectiveOn: form["effectiveOn"] ?? "", actor: context.caller.actor,
                                      payload: payload, eventId: "page-\(formID)")
            let outcome = try await commit([candidate])
            return Pages.redirect("/work/outlets/\(uscc.code)?recorded=\(outcome.results.first?.seq ?? 0)&type=\(type.rawValue)")
        } catch {
            let problem = RequestGate.problem(for: error)
            guard [.badRequest, .forbidden, .unprocessableContent, .conflict].contains(problem.status) else { throw problem }
            return try await recordPage(request, context, uscc: uscc, attempt: Attempt(type: type, form: form, refusal: problem), status: problem.status)
        }
    }

    /// One stored event as a clerk reads it: what, when, by whom, and what its payload said.
    static func historyRow(_ envelope: Envelope) -> [String: Any] {
        var lines: [[String: String]] = []
        if let payload = try? JSONParser.parse(Array(envelope.payload.utf8)) { flatten(payload, "", into: &lines) }
        // A member the act's form asks for reads by the form's label (服务人员一 姓名 for team.0.name).
        if let type = EventType(rawValue: envelope.type), let form = ActForm.of(type, districts: []) {
            let labels = Dictionary(form.fields.map { ($0.path, $0.label) }) { first, _ in first }
            lines = lines.map { line in labels[line["field"] ?? ""].map { ["field": $0, "value": line["value"] ?? ""] } ?? line }
        }
        return ["seq": envelope.seq, "event": Words.event(envelope.type), "effectiveOn": envelope.effectiveOn, "recordedAt": envelope.recordedAt,
                "actor": Words.role(envelope.actor.role, unit: envelope.actor.unit) + (envelope.actor.name.isEmpty ? "" : " \(envelope.actor.name)"),
                "lines": lines, "hash": String(envelope.hash.prefix(16))]
    }

    private static func flatten(_ value: JSONValue, _ path: String, into lines: inout [[String: String]]) {
        switch value {
        case .object(let members):
            for (key, member) in members { flatten(member, path.isEmpty ? key : "\(path).\(key)", into: &lines) }
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            lines.append(["field": path, "value": items.compactMap(\.stringValue).joined(separator: "；")])
        case .array(let items):
            for (index, item) in items.enumerated() { flatten(item, "\(path).\(index)", into: &lines) }
        case .string(let text): lines.append(["field": path, "value": text])
        default: lines.append(["field": path, "value": String(decoding: value.canonicalBytes, as: UTF8.self)])
        }
    }

    private func calendarPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let token = try clerk(context)
        guard ["city-bureau", "auditor"].contains(token.role) else { throw Problem.forbidden("日历供市局和审计使用") }
        let basis = try await basis(request)
        let last = basis.today.adding(days: 365)
        let entries = basis.view.projection.calendar(from: basis.today, to: last, asOf: basis.today).entries
        let months = Dictionary(grouping: entries) { "\($0.date.year)年\($0.date.month)月" }
        var values = basis.values
        values["months"] = months.sorted { $0.value[0].date < $1.value[0].date }.map { month, entries in
            ["month": month, "entries": entries.map { entry in
                ["date": Words.date(entry.date), "what": NoticeContent.kindWords(entry.kind, entry.date), "uscc": entry.uscc.code, "name": entry.name]
            }] as [String: Any]
        }
        values["last"] = last.description
        return pages.page("calendar", title: "未来十二个月日历", values, context: context)
    }

    private func logPage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let token = try clerk(context)
        guard ["city-bureau", "auditor"].contains(token.role) else { throw Problem.forbidden("日志含联系人信息，仅供市局和审计查看") }
        let text = request.uri.queryParameters.get("after") ?? "0"
        guard let after = Int64(text), after >= 0 else { throw Problem.badRequest("after \"\(text)\" 须为非负整数") }
        let page: Int64 = 50
        let (events, head) = try await ledger.read { ledger throws(LedgerError) in
            (try ledger.store.events(fromSeq: after + 1, toSeq: after + page), try ledger.store.head())
        }
        var values: [String: Any] = ["events": events.map(Self.historyRow), "headSeq": head.seq, "headHash": head.hash]
        if after > 0 { values["previous"] = max(0, after - page) }
        if after + page < head.seq { values["next"] = after + page }
        return pages.page("log", title: "登记簿日志", values, context: context)
    }

    /// An institution's every event as the registry knew it at the end of a day: retracted ones marked,
    /// each with what it said.
    private func timelinePage(_ request: Request, _ context: RegistryContext) async throws -> Response {
        let token = try clerk(context)
        let uscc = try Self.uscc(context)
        let basis = try await basis(request)
        let projection = basis.view.projection
        let latest = projection.timeline(of: uscc)?.latest(knownAt: projection.knownAt)
        try requireRecordReader(token, uscc, district: latest.flatMap { $0.application?.district ?? $0.institution?.district })
        let known = basis.view.position.seq
        let history = try await ledger.read { ledger throws(LedgerError) in try ledger.store.events(ofStream: uscc.code) }.filter { $0.seq <= known }
        let retracted = Dictionary(uniqueKeysWithValues: (projection.timeline(of: uscc)?.allVersions ?? []).compactMap { version in
            version.retractedBy.flatMap { $0 <= known ? (version.seq, $0) : nil }
        })
        var values = basis.values
        values["uscc"] = uscc.code
        values["name"] = latest?.institution?.name ?? uscc.code
        values["events"] = history.map { envelope in
            var row = Self.historyRow(envelope)
            if let by = retracted[envelope.seq] { row["retractedBy"] = by }
            return row
        }
        return pages.page("timeline", title: "时间线：\(values["name"] as? String ?? uscc.code)", values, context: context)
    }
}
