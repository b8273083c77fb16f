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
    /// The ledger's memo of digests and roster orders by basis (nil: computed each time).
    let memo: BasisMemos?

    /// The projection digest on `date`: SHA-256 of the canonical JSON of roster, bans and calendar.
    /// `roster`: the roster's order on `date`, when the caller has it; `rosterJSON`: its entries' array,
    /// when the caller wrote it (the whole roster's document): the digest hashes the same bytes.
    public func digest(asOf date: LocalDate, roster: RosterOrder? = nil, rosterJSON: [UInt8]? = nil) -> String {
        let compute = {
            HashChain.sha256Hex { update in
                projection.writeDigestDocument(asOf: date, roster: roster ?? rosterOrder(asOf: date), rosterJSON: rosterJSON, to: update)
            }
        }
        guard let memo else { return compute() }
        return memo.digests.value(of: .init(seq: position.seq, asOf: date), compute)
    }

    /// A page of the roster's document on `date` (`offset`, `limit`), written by `write` — the same bytes for
    /// the same basis and page, so they are remembered by them.
    public func rosterPage(asOf date: LocalDate, offset: Int, limit: Int, _ write: () -> [UInt8]) -> [UInt8] {
        guard let memo else { return write() }
        return memo.rosterPages.value(of: .init(seq: position.seq, asOf: date, page: .init(offset: offset, limit: limit)), write)
    }

    /// The roster's order on `date`: every page of one basis, and its digest, read the same one.
    public func rosterOrder(asOf date: LocalDate) -> RosterOrder {
        guard let memo else { return projection.rosterOrder(on: date) }
        return memo.rosterOrders.value(of: .init(seq: position.seq, asOf: date)) { projection.rosterOrder(on: date) }
    }

    /// `{asOf, knownAt, seq, hash, digest}`: where every projection's JSON says it comes from; with
    /// `holidays: "what-if-<sha256>"` when deadlines were counted with a what-if holiday file.
    public func provenance(asOf date: LocalDate, roster: RosterOrder? = nil, rosterJSON: [UInt8]? = nil) -> JSONObject {
        var members: JSONObject = [
            "asOf": .string(date.description), "knownAt": position.recordedAt.map(JSONValue.string) ?? .null, "seq": .integer(position.seq),
            "hash": .string(position.hash), "digest": .string(digest(asOf: date, roster: roster, rosterJSON: rosterJSON)),
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
    /// known at that seq (catching up with events other writers appended first); without one, the nearest
    /// sound snapshot (`soundSnapshot(for:laterToo:warnings:)`: at the position, else a later one read as
    /// known at it, else an earlier one and the events after it), or, with `useSnapshots` false or no sound
    /// snapshot, the whole log — and a projection of the whole log is then kept.
    /// `useLive` false: from snapshots and the log even when a head projection is kept (what a test of the
    /// snapshot path asks). `exact`: a projection folded through exactly that seq (what a snapshot of it
    /// needs), never one read at an earlier seq than it folded.
    public func projections(at position: LedgerHead, useSnapshots: Bool = true, useLive: Bool = true,
                            exact: Bool = false) throws(LedgerError) -> ProjectionView
    {
        let clock = ContinuousClock()
        let start = clock.now
        if useSnapshots, useLive, !exact, let (projection, caughtUp) = try liveProjection(through: position.seq) {
            return ProjectionView(projection: projection.known(atSeq: position.seq).counting(with: periods(atSeq: position.seq)),
                                  position: position, snapshotSeq: nil, tailEvents: caughtUp, warnings: [],
                                  fromLiveProjection: true, elapsed: clock.now - start, whatIf: whatIfHolidays,
                                  memo: memo)
        }
        var warnings: [String] = []
        var projection = RegistryProjection(periods: periods(atSeq: position.seq))
        var snapshotSeq: Int64?
        if useSnapshots, let (restored, seq) = try soundSnapshot(for: position.seq, laterToo: !exact, warnings: &warnings) {
            // A later snapshot is read as known at this seq: its timelines keep every retracted version with
            // the retraction's seq, so it answers as a fold through this seq would, and nothing is folded.
            projection = restored.counting(with: periods(atSeq: position.seq)).known(atSeq: min(seq, position.seq))
            snapshotSeq = seq
        }
        let folded = projection.foldedThrough > position.seq ? 0 : try fold(into: &projection, through: position.seq)
        if useSnapshots, projection.foldedThrough == position.seq, position.seq == (try store.head().seq) {
            keepLive(projection)
        }
        return ProjectionView(projection: projection, position: position, snapshotSeq: snapshotSeq, tailEvents: folded,
                              warnings: warnings, fromLiveProjection: false, elapsed: clock.now - start, whatIf: whatIfHolidays,
                              // A replay, or a check of the snapshots, computes its digests: it is what they are checked against.
                              memo: useSnapshots && useLive && !exact ? memo : nil)
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
    ///
    /// A long fold (a replay) runs on two cores: this thread reads the rows and scans their facts, another
    /// applies them, `batchSize` events handed over at a time, from `pipelinedFrom` events to fold.
    func fold(into projection: inout RegistryProjection, through seq: Int64, pipelinedFrom: Int64 = pipelinedFold,
              batchSize: Int = 4_096) throws(LedgerError) -> Int
    {
        var count = 0
        guard seq - projection.foldedThrough >= pipelinedFrom else {
            guard projection.continuesRestoredTimelines else {
                try forEachFoldStep(after: projection.foldedThrough, through: seq) { step in
                    projection.take(step)
                    count += 1
                }
                return count
            }
            // A tail after a snapshot restored for one query: its steps are read first, the timelines they change
            // are continued on every core (`continueTimelines`), then the steps are folded. Whatever was read is
            // folded, up to a row that cannot be read, as the fold event by event would.
            var numbering = projection.numbering
            var (steps, streams): ([FoldStep], [USCC?]) = ([], [])
            var failure: LedgerError?
            do {
                try forEachFoldStep(after: projection.foldedThrough, through: seq) { (step: consuming FoldStep) in
                    streams.append(step.stream)
                    steps.append(step)
                }
            } catch {
                failure = error
            }
            count = steps.count
            let ids = numbering.ids(of: streams)
            projection.continueTimelines(numbered: ids)
            projection.take(consume steps, numbered: ids)
            if let failure { throw failure }
            return count
        }
        let after = projection.foldedThrough
        let batches = HandoffQueue<(steps: [FoldStep], ids: [Int32])?>(capacity: 4)
        // This thread numbers each event's institution, as the projection would: the folding thread is the busier.
        var numbering = projection.numbering
        let folded = FoldedProjection(projection)
        // This thread keeps no reference to the projection's storage: the folding thread changes it in place.
        projection = RegistryProjection(periods: projection.periods)
        let folding = WorkerThread {
            while let (steps, ids) = batches.pop() {
                folded.projection.take(steps, numbered: ids)
            }
        }
        /// Hands `batch` over whole, its institutions numbered, and starts a new one: the folding thread moves
        /// the steps out of a batch no other reference shares (one still held here would have it copy all of
        /// them first).
        func handOver(_ batch: inout [FoldStep], _ streams: inout [USCC?]) {
            var handed: [FoldStep] = []
            handed.reserveCapacity(batchSize)
            swap(&handed, &batch)
            let ids = numbering.ids(of: streams)
            streams.removeAll(keepingCapacity: true)
            _ = batches.push((consume handed, ids))
        }
        var batch: [FoldStep] = [], streams: [USCC?] = []
        batch.reserveCapacity(batchSize)
        streams.reserveCapacity(batchSize)
        var failure: LedgerError?
        do {
            try forEachFoldStep(after: after, through: seq) { (step: consuming FoldStep) in
                streams.append(step.stream)
                batch.append(step)
                count += 1
                if batch.count == batchSize { handOver(&batch, &streams) }
            }
        } catch {
            failure = error
        }
        // Whatever was read is folded, up to a row that cannot be read, as one thread folds it.
        handOver(&batch, &streams)
        _ = batches.push(nil)
        folding.join()
        projection = folded.projection
        if let failure { throw failure }
        return count
    }

    /// Events to fold from which a second core folds them (a query's tail after a snapshot is folded alone).
    static let pipelinedFold: Int64 = 50_000

    /// Each event after `after` through `through`, as the fold takes it.
    /// The step is the body's to keep (moved into a batch, not copied and then destroyed here).
    private func forEachFoldStep(after: Int64, through seq: Int64, _ body: (consuming FoldStep) -> Void) throws(LedgerError) {
        let registryStream = Array(ReferenceStream.id.utf8)
        try store.forEachFoldRow(fromSeq: after + 1, toSeq: seq) { row throws(LedgerError) in
            guard !row.stream.elementsEqual(registryStream) else { return body(.pass(seq: row.seq)) }
            let (event, stream) = try FoldEvent.reading(row)
            body(.apply(event, stream: stream))
        }
    }
}

/// The projection a folding thread changes: touched by that thread alone until it has been joined.
private final class FoldedProjection: @unchecked Sendable {
    var projection: RegistryProjection

    init(_ projection: RegistryProjection) {
        self.projection = projection
    }
}

/// What the queries work out per basis — a date and a seq of one ledger (one holiday file): the digest
/// and the roster's order are functions of the log's first `seq` events and the date, so a basis asked
/// again (a status after a roster, the next page of a roster) costs a look-up, not the whole registry.
final class BasisMemos: Sendable {
    let digests = BasisMemo<String>(capacity: 4_096) { _ in 1 }
    /// Twelve bytes a place: 96 MiB of orders at most (a few hundred rosters of ~25,000 outlets).
    let rosterOrders = BasisMemo<RosterOrder>(capacity: 8 << 20) { $0.count + 1 }
    /// Pages of the roster's document by their bytes: 64 MiB at most (a thousand pages of 100 outlets), so
    /// that the pages everyone reads — today's roster — are written once per seq, not once per reader.
    let rosterPages = BasisMemo<[UInt8]>(capacity: 64 << 20) { $0.count + 1 }
}

/// Values by basis, the oldest forgotten first once their total weight passes the capacity. Readers asking
/// for one basis at once (everyone reading today's roster just after an append) wait for the one computing
/// it rather than computing it each.
final class BasisMemo<Value: Sendable>: Sendable {
    struct Basis: Hashable {
        let seq: Int64
        let asOf: LocalDate
        /// The part of the basis's roster a value is of (offset, limit); nil for what covers the whole basis.
        var page: Page?
    }

    struct Page: Hashable {
        let offset: Int
        let limit: Int
    }

    /// A value being computed, for the readers who ask for its basis meanwhile.
    private final class Flight: Sendable {
        private let value = Mutex<Value?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func land(_ computed: Value) {
            value.withLock { $0 = computed }
            done.signal()
        }

        func wait() -> Value {
            done.wait()
            done.signal()  // the next reader waiting on this flight goes on too
            return value.withLock { $0 }!
        }
    }

    private struct Held {
        var values: [Basis: Value] = [:]
        var order: [Basis] = []
        var weight = 0
        var flights: [Basis: Flight] = [:]
    }

    private let capacity: Int
    private let weigh: @Sendable (Value) -> Int
    private let held = Mutex(Held())

    init(capacity: Int, weight: @escaping @Sendable (Value) -> Int) {
        self.capacity = capacity
        self.weigh = weight
    }

    private enum Step { case known(Value), wait(Flight), compute(Flight) }

    func value(of basis: Basis, _ compute: () -> Value) -> Value {
        let step = held.withLock { held -> Step in
            if let known = held.values[basis] { return .known(known) }
            if let flight = held.flights[basis] { return .wait(flight) }
            let flight = Flight()
            held.flights[basis] = flight
            return .compute(flight)
        }
        switch step {
        case .known(let value):
            return value
        case .wait(let flight):
            return flight.wait()
        case .compute(let flight):
            let value = compute()
            let weight = weigh(value)
            held.withLock { held in
                held.flights[basis] = nil
                held.values[basis] = value
                held.order.append(basis)
                held.weight += weight
                // A few thousand bases at most: removing from the front is cheap beside computing one.
                while held.weight > capacity, held.order.count > 1 {
                    if let oldest = held.values.removeValue(forKey: held.order.removeFirst()) { held.weight -= weigh(oldest) }
                }
            }
            flight.land(value)
            return value
        }
    }
}
