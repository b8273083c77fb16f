import CanonicalJSON
import Foundation
import OutletDomain
import OutletProjections
import OutletCore
import Synchronization

/// The projections as of a ledger position: what the bureau queries and what notices are made from.
public struct ProjectionView: Sendable {
    public let projection: RegistryProjection
    /// The position folded: the last event known (its seq, chain hash and recording time).
    public let position: LedgerHead
    /// The snapshot the fold started from (nil: a full replay of the log).
    public let snapshotSeq: Int64?
    /// How many events were folded on top of the snapshot (all of them, without one).
    public let tailEvents: Int
    /// Snapshots skipped on the way, one line each: shown on stderr, never fatal.
    public let warnings: [String]
    /// Read from the head projection this process keeps (no restore, no refold).
    public let fromLiveProjection: Bool
    /// How long loading and folding took.
    public let elapsed: Duration
    /// The what-if holiday file the deadlines were counted with, if any.
    public let whatIf: WhatIfHolidays?
    /// The ledger's digests by basis (nil: computed each time).
    let digests: DigestMemo?

    /// The projection digest on `date`: SHA-256 of the canonical JSON of roster, bans and calendar.
    public func digest(asOf date: LocalDate, roster: [RosterEntry]? = nil) -> String {
        let compute = { HashChain.sha256Hex(projection.digestDocument(asOf: date, roster: roster)) }
        guard let digests else { return compute() }
        return digests.digest(of: .init(seq: position.seq, asOf: date), compute)
    }

    /// `{asOf, knownAt, seq, hash, digest}`: where every projection's JSON says it comes from; with
    /// `holidays: "what-if-<sha256>"` when deadlines were counted with a what-if holiday file.
    public func provenance(asOf date: LocalDate, roster: [RosterEntry]? = nil) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "asOf": .string(date.description), "knownAt": position.recordedAt.map(JSONValue.string) ?? .null,
            "seq": .integer(position.seq), "hash": .string(position.hash), "digest": .string(digest(asOf: date, roster: roster)),
        ]
        if whatIf != nil { members["holidays"] = .string(WhatIfHolidays.label(whatIf)) }
        return members
    }
}

extension Ledger {
    /// The position a query reads: the whole log, or the prefix known at a time or up to a seq.
    public func position(knownAt time: Timestamp? = nil, atSeq seq: Int64? = nil) throws(LedgerError) -> LedgerHead {
        if let time { return try store.head(knownAt: time) }
        if let seq { return try store.head(atSeq: seq) }
        return try store.head()
    }

    /// The projections as known at `position`. From the head projection this process keeps, read as
    /// known at that seq (catching up with events other writers appended first); without one, the newest
    /// sound snapshot at or below the position and the events after it (or, with `useSnapshots` false or
    /// no sound snapshot, the whole log) — and a projection of the whole log is then kept.
    /// `useLive` false: from snapshots and the log even when a head projection is kept (what a test of the
    /// snapshot path asks). `exact`: a projection folded through exactly that seq (what a snapshot of it
    /// needs), never the kept one read at an earlier seq.
    public func projections(at position: LedgerHead, useSnapshots: Bool = true, useLive: Bool = true,
                            exact: Bool = false) throws(LedgerError) -> ProjectionView
    {
        let clock = ContinuousClock()
        let start = clock.now
        if useSnapshots, useLive, !exact, let (projection, caughtUp) = try liveProjection(through: position.seq) {
            return ProjectionView(projection: projection.known(atSeq: position.seq).counting(with: periods(atSeq: position.seq)),
                                  position: position, snapshotSeq: nil, tailEvents: caughtUp, warnings: [],
                                  fromLiveProjection: true, elapsed: clock.now - start, whatIf: whatIfHolidays,
                                  digests: digests)
        }
        var warnings: [String] = []
        var projection = RegistryProjection(periods: periods(atSeq: position.seq))
        var snapshotSeq: Int64?
        if useSnapshots, let (restored, seq) = try newestSoundSnapshot(atOrBelow: position.seq, warnings: &warnings) {
            projection = restored.counting(with: periods(atSeq: position.seq))
            snapshotSeq = seq
        }
        let folded = try fold(into: &projection, through: position.seq)
        if useSnapshots, position.seq == (try store.head().seq) {
            keepLive(projection)
        }
        return ProjectionView(projection: projection, position: position, snapshotSeq: snapshotSeq, tailEvents: folded,
                              warnings: warnings, fromLiveProjection: false, elapsed: clock.now - start, whatIf: whatIfHolidays,
                              // A replay, or a check of the snapshots, computes its digests: it is what they are checked against.
                              digests: useSnapshots && useLive && !exact ? digests : nil)
    }

    /// The kept head projection, caught up through `seq` if other writers appended since (nil: none is
    /// kept yet); and how many events catching up folded.
    func liveProjection(through seq: Int64) throws(LedgerError) -> (RegistryProjection, Int)? {
        guard var projection = live.withLock({ $0 }) else { return nil }
        guard seq > projection.foldedThrough else { return (projection, 0) }
        let folded = try fold(into: &projection, through: seq)
        keepLive(projection)
        return (projection, folded)
    }

    /// Keeps `projection` as the live one unless the one kept is as far on already (another query or
    /// append may have moved it while this one folded).
    func keepLive(_ projection: RegistryProjection) {
        live.withLock { held in if (held?.foldedThrough ?? -1) < projection.foldedThrough { held = projection } }
    }

    /// Folds the events after the projection's last one, through `seq`; returns how many. The registry
    /// stream's events move the position on and fold nothing (the policy is the projection's; holidays
    /// count at query time).
    func fold(into projection: inout RegistryProjection, through seq: Int64) throws(LedgerError) -> Int {
        var count = 0
        let registryStream = Array(ReferenceStream.id.utf8)
        try store.forEachFoldRow(fromSeq: projection.foldedThrough + 1, toSeq: seq) { row throws(LedgerError) in
            count += 1
            guard !row.stream.elementsEqual(registryStream) else { return projection.pass(seq: row.seq) }
            let (event, stream) = try FoldEvent.reading(row)
            projection.apply(event, stream: stream)
        }
        return count
    }
}

/// Projection digests by basis. A digest is a function of the log's first `seq` events, the date and
/// the ledger's holiday data (one `Ledger`, one what-if file), so a basis asked again — a status after a
/// roster at the same date and seq, a page after a page — costs a look-up, not the whole registry's JSON.
/// Readers asking for one basis at once (everyone reading today's roster just after an append) wait for
/// the one computing it rather than computing it each.
final class DigestMemo: Sendable {
    struct Basis: Hashable {
        let seq: Int64
        let asOf: LocalDate
    }

    /// A digest being computed, for the readers who ask for its basis meanwhile.
    private final class Flight: Sendable {
        private let digest = Mutex<String?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func land(_ value: String) {
            digest.withLock { $0 = value }
            done.signal()
        }

        func wait() -> String {
            done.wait()
            done.signal()  // the next reader waiting on this flight goes on too
            return digest.withLock { $0 } ?? ""
        }
    }

    /// Enough for every date a busy day's readers ask at the head, and then some; the oldest go first.
    static let capacity = 4096
    private let held = Mutex<(digests: [Basis: String], order: [Basis], flights: [Basis: Flight])>(([:], [], [:]))

    func digest(of basis: Basis, _ compute: () -> String) -> String {
        enum Step { case known(String), wait(Flight), compute(Flight) }
        let step = held.withLock { held -> Step in
            if let known = held.digests[basis] { return .known(known) }
            if let flight = held.flights[basis] { return .wait(flight) }
            let flight = Flight()
            held.flights[basis] = flight
            return .compute(flight)
        }
        switch step {
        case .known(let digest):
            return digest
        case .wait(let flight):
            return flight.wait()
        case .compute(let flight):
            let digest = compute()
            held.withLock { held in
                held.flights[basis] = nil
                held.digests[basis] = digest
                held.order.append(basis)
                if held.order.count > Self.capacity {
                    let oldest = held.order.count - Self.capacity
                    for basis in held.order.prefix(oldest) { held.digests[basis] = nil }
                    held.order.removeFirst(oldest)
                }
            }
            flight.land(digest)
            return digest
        }
    }
}
