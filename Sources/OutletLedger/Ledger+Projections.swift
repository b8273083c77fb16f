import CanonicalJSON
import Foundation
import OutletDomain
import OutletProjections
import OutletStore

/// The projections as of a ledger position: what the bureau queries and what notices are made from.
public struct ProjectionView: Sendable {
    public let projection: RegistryProjection
    /// The position folded: the last event known (its seq, chain hash and recording time).
    public let position: LedgerHead
    /// How long the fold took.
    public let elapsed: Duration

    /// The projection digest on `date`: SHA-256 of the canonical JSON of roster, bans and calendar.
    public func digest(asOf date: LocalDate) -> String {
        HashChain.sha256Hex(projection.digestDocument(asOf: date).canonicalBytes)
    }

    /// `{asOf, knownAt, seq, hash, digest}`: where every projection's JSON says it comes from.
    public func provenance(asOf date: LocalDate) -> [String: JSONValue] {
        ["asOf": .string(date.description), "knownAt": position.recordedAt.map(JSONValue.string) ?? .null,
         "seq": .integer(position.seq), "hash": .string(position.hash), "digest": .string(digest(asOf: date))]
    }
}

extension Ledger {
    /// The position a query reads: the whole log, or the prefix known at a time or up to a seq.
    public func position(knownAt time: Timestamp? = nil, atSeq seq: Int64? = nil) throws(LedgerError) -> LedgerHead {
        if let time { return try store.head(knownAt: time) }
        if let seq { return try store.head(atSeq: seq) }
        return try store.head()
    }

    /// Folds the log up to `position` into timelines: one pass answers every date.
    public func projections(at position: LedgerHead) throws(LedgerError) -> ProjectionView {
        let clock = ContinuousClock()
        let start = clock.now
        var projection = RegistryProjection(periods: periods)
        try store.forEachEvent(toSeq: position.seq) { envelope in
            let recorded = try RecordedEvent(envelope)
            projection.apply(recorded.domainEvent, stream: recorded.stream)
        }
        return ProjectionView(projection: projection, position: position, elapsed: clock.now - start)
    }
}
