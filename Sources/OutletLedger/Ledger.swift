import Foundation
import OutletDomain
import OutletProjections
import OutletSnapshots
import OutletStore
import Synchronization

/// What an append did: the seq of each event, and warnings about how periods were computed.
public struct AppendOutcome: Sendable {
    public let results: [AppendResult]
    /// e.g. a deadline computed for a year the holiday data does not cover.
    public let warnings: [String]
}

/// The registry ledger as its users see it: offered events are checked for form, then decided by the
/// rules of the Measures inside the store's append transaction; anything refused leaves the file as
/// it was.
public final class Ledger: Sendable {
    public let store: EventStore
    public let checker: CandidateChecker
    /// The policy chosen at `init`, read back from the ledger.
    public let policy: Policy
    public let periods: Periods
    /// Each stream's folded state after its newest event, so that appending does not re-read and
    /// re-decode a stream's history; an entry counts only while that event is still the newest.
    private let streamStates = Mutex<[String: CachedState]>([:])

    /// The projection of the last snapshot this process wrote, and its timelines' encodings: the next
    /// automatic snapshot folds on from it and encodes only the timelines that changed.
    let lastSnapshot = Mutex<(projection: RegistryProjection, cache: TimelineCache)?>(nil)

    struct CachedState: Sendable {
        let lastSeq: Int64
        let state: InstitutionState
    }

    init(store: EventStore, policy: Policy, holidays: HolidayCalendar) {
        self.store = store
        self.checker = CandidateChecker()
        self.policy = policy
        self.periods = Periods(policy: policy, calendar: holidays)
    }

    /// Creates a ledger whose policy is fixed from now on.
    public static func create(at path: String, clock: any LedgerClock = SystemClock(),
                              policy: Policy = RegistryData.defaultPolicy,
                              holidays: HolidayCalendar = RegistryData.bundledHolidays) throws(LedgerError) -> Ledger
    {
        let text = String(decoding: policy.encoded(), as: UTF8.self)
        let store = try EventStore.create(at: path, clock: clock, settings: [RegistryData.policySetting: text])
        return Ledger(store: store, policy: policy, holidays: holidays)
    }

    public static func open(at path: String, clock: any LedgerClock = SystemClock(), readonly: Bool = false,
                            holidays: HolidayCalendar = RegistryData.bundledHolidays) throws(LedgerError) -> Ledger
    {
        let store = try EventStore.open(at: path, clock: clock, readonly: readonly)
        guard let text = try store.setting(RegistryData.policySetting) else {
            throw LedgerError(.ledgerUnusable, "\(path) has no stored policy; it was not created by `outlet-ledger init`")
        }
        do {
            return Ledger(store: store, policy: try Policy(json: Data(text.utf8)), holidays: holidays)
        } catch {
            throw LedgerError(.integrityFailure, "\(path): the stored policy does not read: \(error)")
        }
    }

    /// Appends events recorded now, all or none.
    public func append(_ candidates: [Candidate], expectVersion: Int64? = nil) throws(LedgerError) -> AppendOutcome {
        if let stamped = candidates.firstIndex(where: { $0.recordedAt != nil }) {
            throw Self.locate(LedgerError(.invalidInput, "recordedAt is set by the ledger; only import keeps it"),
                              in: candidates, index: stamped)
        }
        return try write(candidates, expectVersion: expectVersion, importing: false)
    }

    /// Appends a migrated log, keeping its `recordedAt`s, all or none; the rules apply as to any append.
    public func importEvents(_ candidates: [Candidate]) throws(LedgerError) -> AppendOutcome {
        try write(candidates, expectVersion: nil, importing: true)
    }

    private func write(_ candidates: [Candidate], expectVersion: Int64?, importing: Bool) throws(LedgerError) -> AppendOutcome {
        var checked: [CheckedEvent] = []
        for (index, candidate) in candidates.enumerated() {
            do {
                checked.append(try checker.check(candidate))
            } catch {
                throw Self.locate(error, in: candidates, index: index)
            }
        }
        var warnings: [String] = []
        var decided: [String: CachedState] = [:]
        do throws(LedgerError) {
            let results = try store.append(checked.map(\.pending), expectVersion: expectVersion, importing: importing) { reader, new in
                (warnings, decided) = try self.admit(new, checked: checked, reader: reader)
            }
            // Only now that the transaction has committed do the decided states describe the ledger.
            streamStates.withLock { $0.merge(decided) { _, new in new } }
            do {
                try snapshotIfDue()
            } catch {
                // The events are committed; a snapshot is only a shortcut, taken again by the next append.
                warnings.append("no automatic snapshot was written: \(error)")
            }
            return AppendOutcome(results: results, warnings: warnings)
        } catch {
            guard let index = error.eventIndex else { throw error }
            throw Self.locate(error, in: candidates, index: index)
        }
    }

    /// The rules, inside the append transaction: each stream's new events against its stored history.
    private func admit(_ new: [NewEvent], checked: [CheckedEvent], reader: StreamReader) throws -> ([String], [String: CachedState]) {
        func located(_ error: LedgerError, _ index: Int) -> LedgerError {
            var located = error
            located.eventIndex = index
            return located
        }
        for event in new {
            do throws(LedgerError) {
                try Self.checkRecordingDate(event.envelope)
            } catch {
                throw located(error, event.index)
            }
        }
        var streams: [String] = []
        var proposed: [String: [NewEvent]] = [:]
        for event in new {
            if proposed[event.envelope.stream] == nil { streams.append(event.envelope.stream) }
            proposed[event.envelope.stream, default: []].append(event)
        }
        let decider = Decider(periods: periods)
        let cache = streamStates.withLock { cache in streams.map { cache[$0] } }
        var warnings: [String] = []
        var decided: [String: CachedState] = [:]
        for (stream, cached) in zip(streams, cache) {
            let events = proposed[stream]!
            let domainEvents = events.map { checked[$0.index].domainEvent(seq: $0.envelope.seq) }
            let lastSeq = try reader.lastSeq(of: stream)
            var state: InstitutionState
            var history: [DomainEvent]?
            if let cached, cached.lastSeq == lastSeq, !domainEvents.contains(where: { $0.type == .retracted }) {
                state = cached.state
            } else {
                let stored = try reader.events(of: stream).map { envelope throws(LedgerError) in try RecordedEvent(envelope).domainEvent }
                state = InstitutionState.fold(Retractions.live(stored), periods: periods)
                history = stored
            }
            do {
                let decision = try decider.decide(domainEvents, stream: checked[events[0].index].stream, state: state, history: history)
                warnings += decision.warnings
                decided[stream] = CachedState(lastSeq: events.last!.envelope.seq, state: decision.state)
            } catch {
                let index = events.first { $0.envelope.seq == error.seq }?.index ?? events[0].index
                throw located(LedgerError(.refusedByRule, error.reason, article: error.article, stream: stream), index)
            }
        }
        var seen: Set<String> = []
        return (warnings.filter { seen.insert($0).inserted }, decided)
    }

    /// Names the offending event as its caller knows it: its line or place in a file, else its number.
    static func locate(_ error: LedgerError, in candidates: [Candidate], index: Int) -> LedgerError {
        var located = error
        located.eventIndex = candidates.count > 1 ? index : nil
        if let origin = candidates[index].origin { located.location = origin }
        return located
    }

    /// DOMAIN.md §3: an act is recorded on or after the day it took effect (Asia/Shanghai).
    static func checkRecordingDate(_ envelope: Envelope) throws(LedgerError) {
        guard let recorded = Timestamp(envelope.recordedAt), envelope.effectiveOn > recorded.shanghaiDate.description
        else { return }
        throw LedgerError(
            .invalidInput,
            "effectiveOn \(envelope.effectiveOn) is later than the recording date \(recorded.shanghaiDate) (Asia/Shanghai); acts are recorded once they take effect",
            stream: envelope.stream)
    }
}
