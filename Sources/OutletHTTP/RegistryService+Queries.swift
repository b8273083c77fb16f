import CanonicalJSON
import Foundation
import Hummingbird
import OutletCore
import OutletDomain
import OutletLedger
import OutletNotices

/// The reads: the projections on any date as known at any time (public), the notices (public), an
/// institution's history and the log (payloads carry contact data: the city bureau, auditors, and an
/// applicant for its own stream).
extension RegistryService {
    static let queryNames = Query.Names(asOf: "asOf", knownAt: "knownAt", atSeq: "atSeq")
    /// The longest calendar one request may ask for: ten years.
    static let longestCalendar = 3660

    func addQueries(to api: RouterGroup<RegistryContext>) {
        api.get("roster") { request, _ in
            let parameters = request.uri.queryParameters
            // Whole, as the command line gives it; or, with `offset` or `limit`, one page of it.
            guard parameters.get("offset") != nil || parameters.get("limit") != nil else {
                return try await projectionJSON(request) { view, date throws(LedgerError) in QueryDocument.rosterJSON(view, asOf: date) }
            }
            let offset = Int(try Self.number(request, "offset", 0, 0...Int64(Int32.max)))
            let limit = Int(try Self.number(request, "limit", 100, 1...1000))
            return try await projectionJSON(request) { view, date throws(LedgerError) in
                view.rosterPage(asOf: date, offset: offset, limit: limit) {
                    // The next page pinned to this one's basis: appends in between do not shift it.
                    let more: JSONObject = offset + limit < view.rosterOrder(asOf: date).count
                        ? ["next": JSONValue.string("/api/v1/roster?asOf=\(date)&atSeq=\(view.position.seq)&offset=\(offset + limit)&limit=\(limit)")] : [:]
                    return QueryDocument.rosterPageJSON(view, asOf: date, offset: offset, limit: limit, more: more)
                }
            }
        }
        api.get("bans") { request, _ in
            try await projection(request) { view, date throws(LedgerError) in QueryDocument.bans(view, asOf: date) }
        }
        api.get("stats") { request, _ in
            try await projection(request) { view, date throws(LedgerError) in QueryDocument.statistics(view, asOf: date) }
        }
        api.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw Problem.notFound("the OpenAPI description is missing from this installation")
            }
            return Self.text(text, type: "application/yaml")
        }
        api.get("calendar") { request, _ in
            let parameters = request.uri.queryParameters
            let (first, last) = try QueryDocument.range(from: parameters.get("from"), to: parameters.get("to"), names: ("from", "to"))
            guard last.dayNumber - first.dayNumber <= Self.longestCalendar else {
                throw Problem.badRequest("from \(first) to \(last) is more than \(Self.longestCalendar) days; ask for ten years at most")
            }
            return try await projection(request) { view, date throws(LedgerError) in
                QueryDocument.calendar(view, asOf: date, from: first, to: last, entries: view.projection.calendar(from: first, to: last, asOf: date).entries)
            }
        }
        api.get("institutions/:uscc/status") { request, context in
            let uscc = try Self.uscc(context)
            return try await projection(request) { view, date throws(LedgerError) in QueryDocument.status(view, of: uscc, asOf: date) }
        }
        api.get("institutions/:uscc/history") { _, context in
            let uscc = try Self.uscc(context)
            try Self.requireReader(context.caller, stream: uscc.code)
            return Self.envelopes(try await ledger.read { ledger throws(LedgerError) in try ledger.store.events(ofStream: uscc.code) })
        }
        api.get("log") { request, context in
            try Self.requireReader(context.caller, stream: nil)
            return try await log(request)
        }
        api.get("log/stream") { request, context in
            try Self.requireReader(context.caller, stream: nil)
            return try stream(request, context: context)
        }
        api.get("notices/:kind") { request, context in
            try await notice(request, kind: context.parameters.get("kind") ?? "")
        }
    }

    /// A projection's JSON at the request's `asOf` and `knownAt`/`atSeq`.
    private func projection(_ request: Request, _ answer: @escaping @Sendable (ProjectionView, LocalDate) throws(LedgerError) -> JSONValue) async throws -> Response {
        try await projectionJSON(request) { view, date throws(LedgerError) in try answer(view, date).canonicalBytes }
    }

    /// The same, for an answer written as canonical bytes already.
    private func projectionJSON(_ request: Request, _ answer: @escaping @Sendable (ProjectionView, LocalDate) throws(LedgerError) -> [UInt8]) async throws -> Response {
        let query = try Self.query(request)
        return Self.json(bytes: try await ledger.read { ledger throws(LedgerError) in
            let date = try query.date(in: ledger)
            return try answer(try ledger.projections(at: try query.position(in: ledger)), date)
        })
    }

    static func query(_ request: Request) throws -> Query {
        let parameters = request.uri.queryParameters
        var atSeq: Int64?
        if let text = parameters.get("atSeq") {
            guard let seq = Int64(text) else { throw Problem.badRequest("atSeq \"\(text)\" is not a whole number") }
            atSeq = seq
        }
        return Query(asOf: parameters.get("asOf"), knownAt: parameters.get("knownAt"), atSeq: atSeq, names: queryNames)
    }

    static func uscc(_ context: RegistryContext) throws -> USCC {
        let text = context.parameters.get("uscc") ?? ""
        do {
            return try USCC(validating: text)
        } catch {
            throw Problem.badRequest("\"\(text)\" is not a valid USCC: \(error)")
        }
    }

    /// The log and histories carry contact data: the city bureau and auditors read them, an applicant
    /// its own stream's.
    static func requireReader(_ caller: Caller, stream: String?) throws {
        guard let token = caller.token else {
            throw RequestGate.unauthorized("the log and histories carry contact data: a city-bureau or auditor token is needed")
        }
        if caller.hasRole("city-bureau", "auditor") { return }
        if let stream, caller.role == "applicant", token.unit == stream { return }
        throw Problem.forbidden("a \(caller.role) reads only \(caller.role == "applicant" ? "its own history" : "the public projections"); the log needs a city-bureau or auditor token")
    }

    /// A whole-number query parameter within `range`, `fallback` when absent.
    static func number(_ request: Request, _ name: String, _ fallback: Int64, _ range: ClosedRange<Int64>) throws -> Int64 {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let value = Int64(text), range.contains(value) else {
            throw Problem.badRequest("\(name) \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `after` (default 0), `limit` (default 100, at most 1000), `wait` (seconds, at most 60): the events
    /// after a seq, waiting up to `wait` for one when there is none yet.
    private func log(_ request: Request) async throws -> Response {
        let after = try Self.number(request, "after", 0, 0...Int64.max - 1000)
        let limit = try Self.number(request, "limit", 100, 1...1000)
        let wait = try Self.number(request, "wait", 0, 0...60)
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let events = try await ledger.read { ledger throws(LedgerError) in try ledger.store.events(fromSeq: after + 1, toSeq: after + limit) }
            if !events.isEmpty || ContinuousClock.now >= deadline { return Self.envelopes(events) }
            try await feed.wait(after: after, until: deadline, ledger: ledger)
        }
    }

    /// The same notices as the command line, with their provenance (and proofs, under a checkpoint).
    private func notice(_ request: Request, kind: String) async throws -> Response {
        let (text, format) = try await noticeText(request, kind: kind)
        return Self.text(text, type: format.contentType)
    }

    /// A notice's text in the format the request asks for (`html`, `md`, `txt`).
    func noticeText(_ request: Request, kind: String) async throws -> (text: String, format: NoticeFormat) {
        let parameters = request.uri.queryParameters
        let formatText = parameters.get("format") ?? "html"
        guard let format = NoticeFormat(rawValue: formatText) else { throw Problem.badRequest("format \"\(formatText)\" is not html, md or txt") }
        func date(_ name: String) throws -> LocalDate? {
            guard let text = parameters.get(name) else { return nil }
            guard let date = LocalDate(text) else { throw Problem.badRequest("\(name) \"\(text)\" is not a calendar date (YYYY-MM-DD)") }
            return date
        }
        let issuedOn = try date("issuedOn")
        let query = try Self.query(request)
        let noticeRequest: NoticeRequest?
        switch kind {
        case "publicity":
            let on = try date("on"), noticeNo = parameters.get("noticeNo")
            guard on != nil || noticeNo != nil else { throw Problem.badRequest("a publicity notice needs on=YYYY-MM-DD or noticeNo") }
            noticeRequest = .publicity(on: on, noticeNo: noticeNo)
        case "roster":
            noticeRequest = nil
        case "revocation", "reminders":
            let (first, last) = try QueryDocument.range(from: parameters.get("from"), to: parameters.get("to"), names: ("from", "to"))
            noticeRequest = kind == "revocation" ? .revocation(from: first, to: last) : .reminders(from: first, to: last)
        default:
            throw Problem.notFound("no notice of kind \"\(kind)\" (publicity, roster, revocation, reminders)")
        }
        let text = try await ledger.read { ledger throws(LedgerError) in
            let request: NoticeRequest = if let noticeRequest { noticeRequest } else { .roster(asOf: try query.date(in: ledger)) }
            return try ledger.notice(request, format: format, at: try query.position(in: ledger), issuedOn: issuedOn).text
        }
        return (text, format)
    }
}

extension NoticeFormat {
    var contentType: String {
        switch self {
        case .html: "text/html; charset=utf-8"
        case .md: "text/markdown; charset=utf-8"
        case .txt: "text/plain; charset=utf-8"
        }
    }
}
