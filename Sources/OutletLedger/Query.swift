import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
import OutletProjections

/// The two time axes of a query as a door received them — the legal date, and what the ledger knew (a
/// time or a seq) — with the names that door gives them (`--as-of`, `asOf`), for its error messages.
public struct Query: Sendable {
    public struct Names: Sendable {
        public let asOf: String, knownAt: String, atSeq: String

        public init(asOf: String, knownAt: String, atSeq: String) {
            self.asOf = asOf
            self.knownAt = knownAt
            self.atSeq = atSeq
        }
    }

    public var asOf: String?
    public var knownAt: String?
    public var atSeq: Int64?
    public let names: Names

    public init(asOf: String?, knownAt: String?, atSeq: Int64?, names: Names) {
        self.asOf = asOf
        self.knownAt = knownAt
        self.atSeq = atSeq
        self.names = names
    }

    /// The as-of date: given, or today by the ledger's clock (Asia/Shanghai).
    public func date(in ledger: Ledger) throws(LedgerError) -> LocalDate {
        guard let asOf else { return ledger.today }
        guard let date = LocalDate(asOf) else {
            throw LedgerError(.invalidInput, "\(names.asOf) \"\(asOf)\" is not a calendar date (YYYY-MM-DD)")
        }
        return date
    }

    /// The position read: the whole log, or the prefix known at a time or through a seq.
    public func position(in ledger: Ledger) throws(LedgerError) -> LedgerHead {
        if knownAt != nil && atSeq != nil { throw LedgerError(.invalidInput, "give \(names.knownAt) or \(names.atSeq), not both") }
        var time: Timestamp?
        if let knownAt {
            guard let parsed = Self.time(knownAt) else {
                throw LedgerError(.invalidInput, "\(names.knownAt) \"\(knownAt)\" is not an RFC 3339 time (2025-07-15T00:00:00Z)")
            }
            time = parsed
        }
        if let atSeq, atSeq < 0 { throw LedgerError(.invalidInput, "\(names.atSeq) must not be negative") }
        return try ledger.position(knownAt: time, atSeq: atSeq)
    }

    /// RFC 3339 with any offset and optional fractions, as people write it.
    public static func time(_ text: String) -> Timestamp? {
        Timestamp(rfc3339: text)
    }
}

/// The JSON answers of the queries, one shape for every door (the CLI's `--json`, the API): the basis
/// `{asOf, knownAt, seq, hash, digest}` and the projection's own members.
public enum QueryDocument {
    /// `roster`: the roster's order on `date`, if the answer worked it out — the digest reuses it.
    public static func document(_ view: ProjectionView, asOf date: LocalDate, _ members: JSONObject, roster: RosterOrder? = nil) -> JSONValue {
        .object(view.provenance(asOf: date, roster: roster).merging(members) { _, own in own })
    }

    /// The whole roster's document as canonical bytes, its outlets written one by one (20 MB at a million
    /// events: no tree of it is built).
    public static func rosterJSON(_ view: ProjectionView, asOf date: LocalDate) -> [UInt8] {
        let order = view.rosterOrder(asOf: date)
        let outlets = view.projection.rosterJSON(order, on: date)
        // The digest's roster is this same array: a new basis writes its entries once.
        return Canonical.object(view.provenance(asOf: date, roster: order, rosterJSON: outlets), written: ["outlets": outlets])
    }

    public static func roster(_ view: ProjectionView, asOf date: LocalDate) -> JSONValue {
        guard let document = try? JSONParser.parse(rosterJSON(view, asOf: date)) else { preconditionFailure("a canonical writer writes JSON") }
        return document
    }

    /// One page of the roster: `outlets` from `offset`, at most `limit`, and `page: {offset, limit, total}`.
    /// The basis (and its digest) is the whole roster's; the order is worked out once per basis.
    public static func roster(_ view: ProjectionView, asOf date: LocalDate, offset: Int, limit: Int) -> (document: JSONValue, total: Int) {
        guard let document = try? JSONParser.parse(rosterPageJSON(view, asOf: date, offset: offset, limit: limit)) else {
            preconditionFailure("a canonical writer writes JSON")
        }
        return (document, view.rosterOrder(asOf: date).count)
    }

    /// The same page as canonical bytes, its outlets written straight from their entries (no tree of them is
    /// built: a page is what a busy service answers most), with `more` members beside (the service's `next`).
    public static func rosterPageJSON(_ view: ProjectionView, asOf date: LocalDate, offset: Int, limit: Int,
                                      more: JSONObject = [:]) -> [UInt8]
    {
        let order = view.rosterOrder(asOf: date)
        var outlets = CanonicalWriter(capacity: 1_024 * (min(limit, order.count) + 1))
        outlets.array { json in
            for entry in view.projection.roster(order, on: date, offset: offset, limit: limit) { entry.write(to: &json) }
        }
        var members = view.provenance(asOf: date, roster: order).merging(more) { _, own in own }
        members["page"] = .object(["offset": .integer(Int64(offset)), "limit": .integer(Int64(limit)), "total": .integer(Int64(order.count))])
        return Canonical.object(members, written: ["outlets": outlets.bytes])
    }

    public static func bans(_ view: ProjectionView, asOf date: LocalDate) -> JSONValue {
        document(view, asOf: date, ["bans": .array(view.projection.bans(on: date).map(\.jsonValue))])
    }

    /// The calendar from `first` to `last`, as scheduled by the acts in effect on `date`.
    public static func calendar(_ view: ProjectionView, asOf date: LocalDate, from first: LocalDate, to last: LocalDate,
                                entries: [CalendarEntry]) -> JSONValue
    {
        document(view, asOf: date, ["from": .string(first.description), "to": .string(last.description), "entries": .array(entries.map(\.jsonValue))])
    }

    public static func statistics(_ view: ProjectionView, asOf date: LocalDate) -> JSONValue {
        document(view, asOf: date, ["statistics": view.projection.statistics(on: date).jsonValue])
    }

    public static func status(_ view: ProjectionView, of uscc: USCC, asOf date: LocalDate) -> JSONValue {
        let report = view.projection.status(of: uscc, on: date)
        return document(view, asOf: date, report.jsonValue(uscc: uscc).objectValue ?? [:])
    }

    /// `from` to `to`, a range a door was given, checked.
    public static func range(from: String?, to: String?, names: (String, String)) throws(LedgerError) -> (LocalDate, LocalDate) {
        guard let from, let first = LocalDate(from), let to, let last = LocalDate(to) else {
            throw LedgerError(.invalidInput, "\(names.0) and \(names.1) must be calendar dates (YYYY-MM-DD)")
        }
        guard first <= last else { throw LedgerError(.invalidInput, "\(names.0) \(first) is after \(names.1) \(last)") }
        return (first, last)
    }
}
