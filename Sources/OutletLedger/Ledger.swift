import CanonicalJSON
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
    /// The policy and holiday years recorded in the chain (the registry stream), read at open and
    /// extended by every append that records more.
    private let referenceData: Mutex<ReferenceData>
    /// What `init` chose, kept until the first append records it in the chain (the genesis); on a
    /// ledger of format 2, what it had been using.
    let genesis: (policy: Policy, holidays: [HolidayYear])
    /// Damage found reading the registry stream at an audit's opening, reported after the chain check.
    let referenceProblem: LedgerError?
    /// A holiday calendar to ask "what if" with: queries and notices only, never decisions, and marked
    /// as such wherever an answer says where it comes from.
    public let whatIfHolidays: WhatIfHolidays?
    /// Each stream's folded state after its newest event, so that appending does not re-read and
    /// re-decode a stream's history; an entry counts only while that event is still the newest.
    private let streamStates = Mutex<[USCC: CachedState]>([:])
    /// The publicity notices of the committed log, and the seq they were read through.
    private let publicityNotices = Mutex<(PublicityNotices, Int64)>((PublicityNotices(), 0))

    /// The projection of the last snapshot this process wrote, and its timelines' encodings: the next
    /// automatic snapshot folds on from it and encodes only the timelines that changed.
    let lastSnapshot = Mutex<(projection: RegistryProjection, cache: TimelineCache)?>(nil)

    struct CachedState: Sendable {
        let lastSeq: Int64
        let state: InstitutionState
    }

    init(store: EventStore, reference: ReferenceData, genesis: (Policy, [HolidayYear]), whatIfHolidays: WhatIfHolidays?,
         referenceProblem: LedgerError? = nil)
    {
        self.store = store
        self.referenceProblem = referenceProblem
        self.checker = CandidateChecker()
        self.referenceData = Mutex(reference)
        self.genesis = genesis
        self.whatIfHolidays = whatIfHolidays
    }

    /// The reference data the chain holds now.
    public var reference: ReferenceData { referenceData.withLock { $0 } }

    /// The policy: the one the chain adopted, or, before the first append, the one `init` chose.
    public var policy: Policy { reference.policy ?? genesis.policy }

    /// The periods rules decided with at `seq`: the policy and the holiday data in force there.
    public func decisionPeriods(atSeq seq: Int64) -> Periods {
        reference.periods(atSeq: seq) ?? Periods(policy: genesis.policy, calendar: .of(genesis.holidays))
    }

    /// The periods a query at `seq` counts with: those in force there, unless a what-if calendar is given.
    public func periods(atSeq seq: Int64) -> Periods {
        let inForce = decisionPeriods(atSeq: seq)
        guard let whatIfHolidays else { return inForce }
        return Periods(policy: inForce.policy, calendar: whatIfHolidays.calendar)
    }

    /// The periods at the head of the log.
    public var periods: Periods { periods(atSeq: .max) }

    /// Creates a ledger whose policy and holiday data are recorded in the chain by its first append.
    public static func create(at path: String, clock: any LedgerClock = SystemClock(),
                              policy: Policy = RegistryData.defaultPolicy,
                              holidays: [HolidayYear] = RegistryData.bundledHolidayYears) throws(LedgerError) -> Ledger
    {
        let store = try EventStore.create(at: path, clock: clock, settings: [
            RegistryData.policySetting: String(decoding: policy.encoded(), as: UTF8.self),
            RegistryData.holidaysSetting: RegistryData.encode(holidays),
        ])
        return Ledger(store: store, reference: ReferenceData(), genesis: (policy, holidays), whatIfHolidays: nil)
    }

    /// Opens a ledger. With `forAudit`, damage in the registry stream does not stop the opening: `audit`
    /// checks the chain first, so that a changed byte is reported where it is, not where it is first read.
    public static func open(at path: String, clock: any LedgerClock = SystemClock(), readonly: Bool = false,
                            whatIfHolidays: WhatIfHolidays? = nil, forAudit: Bool = false) throws(LedgerError) -> Ledger
    {
        let store = try EventStore.open(at: path, clock: clock, readonly: readonly)
        guard let text = try store.setting(RegistryData.policySetting) else {
            throw LedgerError(.ledgerUnusable, "\(path) has no stored policy; it was not created by `outlet-ledger init`")
        }
        let policy: Policy
        let holidays: [HolidayYear]
        do {
            policy = try Policy(json: Data(text.utf8))
            holidays = try store.setting(RegistryData.holidaysSetting).map(RegistryData.decodeHolidays) ?? RegistryData.bundledHolidayYears
        } catch {
            throw LedgerError(.integrityFailure, "\(path): the policy or holiday data stored at init does not read: \(error)")
        }
        var reference = ReferenceData()
        var problem: LedgerError?
        do {
            reference = try readReference(try store.events(ofStream: ReferenceStream.id))
        } catch where forAudit && error.code == .integrityFailure {
            problem = error
        }
        return Ledger(store: store, reference: reference, genesis: (policy, holidays), whatIfHolidays: whatIfHolidays,
                      referenceProblem: problem)
    }

    /// The registry stream's events, decided again as they are read: damage there is an integrity failure.
    static func readReference(_ envelopes: [Envelope]) throws(LedgerError) -> ReferenceData {
        var reference = ReferenceData()
        for envelope in envelopes {
            guard case .reference(let event, let seq, let actor, let effectiveOn) = try DecidableEvent(envelope, checker: CandidateChecker()) else {
                continue
            }
            do {
                try reference.record(event, seq: seq, actor: actor, effectiveOn: effectiveOn)
            } catch {
                throw LedgerError(.integrityFailure, "seq \(seq): \(error.reason)", article: error.article, stream: ReferenceStream.id, seq: seq)
            }
        }
        return reference
    }

    /// The reference data as the log holds it now: another process may have recorded some since this one read it.
    private func currentReference(lastSeq: Int64, events: () throws(LedgerError) -> [Envelope]) throws(LedgerError) -> ReferenceData {
        let held = reference
        if (held.years.last?.seq ?? held.policySeq ?? 0) == lastSeq { return held }
        let fresh = try Self.readReference(try events())
        referenceData.withLock { $0 = fresh }
        return fresh
    }

    /// The publicity notices recorded so far, read inside the append's transaction; kept between appends
    /// and extended with only the `publicized` events recorded since.
    private func currentNotices(_ reader: StreamReader) throws(LedgerError) -> PublicityNotices {
        var (notices, through) = publicityNotices.withLock { $0 }
        do {
            for envelope in try reader.events(ofType: EventType.publicized.rawValue, afterSeq: through) {
                guard case .institution(let event, _) = try DecidableEvent(envelope, checker: checker),
                      case .publicized(let publicized) = event.payload else { continue }
                // Stored notices are as they were decided; a clash there is for verify to name, not for this append.
                try? notices.record(noticeNo: publicized.noticeNo, on: event.effectiveOn)
                through = envelope.seq
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw EventStore.storageError(error, path: store.path)
        }
        let read = (notices, through)
        publicityNotices.withLock { $0 = read }
        return notices
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

    /// The events that record `init`'s policy and holiday data in the chain, dated the day they are recorded.
    func genesisCandidates(recordedAt: Timestamp?) -> [Candidate] {
        let time = recordedAt ?? store.clock.now()
        let day = time.shanghaiDate.description
        let actor = EnvelopeActor(role: Actor.Role.cityBureau.rawValue, unit: genesis.policy.cityBureauUnit, name: RegistryData.cityBureauName)
        let policy = try! JSONParser.parse(Array(genesis.policy.encoded()))
        return [Candidate(type: ReferenceEventType.policyAdopted.rawValue, stream: ReferenceStream.id, effectiveOn: day,
                          actor: actor, payload: policy, recordedAt: recordedAt, origin: "the genesis (policy)")]
            + genesis.holidays.map { year in
                Candidate(type: ReferenceEventType.holidayCalendarPublished.rawValue, stream: ReferenceStream.id, effectiveOn: day,
                          actor: actor, payload: RegistryData.payload(of: year), recordedAt: recordedAt,
                          origin: "the genesis (holidays \(year.year))")
            }
    }

    private func write(_ offered: [Candidate], expectVersion: Int64?, importing: Bool) throws(LedgerError) -> AppendOutcome {
        guard !offered.isEmpty else { return AppendOutcome(results: [], warnings: []) }
        // Until the chain holds a policy, the first write records init's data: before the offered events, or
        // after an imported export that starts at seq 1 (its hashes are kept; it was decided with the same data).
        var candidates = offered
        var genesisFirst = 0
        let store = self.store
        let known = try currentReference(lastSeq: try store.lastSeq(ofStream: ReferenceStream.id)) { () throws(LedgerError) in
            try store.events(ofStream: ReferenceStream.id)
        }
        if known.policy == nil, offered[0].type != ReferenceEventType.policyAdopted.rawValue {
            if importing, offered[0].claimed?.seq == 1, try store.head().seq == 0 {
                candidates += genesisCandidates(recordedAt: offered.last?.recordedAt)
            } else {
                let genesis = genesisCandidates(recordedAt: importing ? offered[0].recordedAt : nil)
                candidates = genesis + offered
                genesisFirst = genesis.count
            }
        }
        /// An index of `candidates` as the caller knows it (nil: one of the genesis events).
        func offeredIndex(_ index: Int) -> Int? {
            let shifted = index - genesisFirst
            return shifted >= 0 && shifted < offered.count ? shifted : nil
        }
        func locate(_ error: LedgerError, _ index: Int) -> LedgerError {
            guard let original = offeredIndex(index) else { return error }
            return Self.locate(error, in: offered, index: original)
        }
        var checked: [CheckedEvent] = []
        for (index, candidate) in candidates.enumerated() {
            do {
                checked.append(try checker.check(candidate))
            } catch {
                throw locate(error, index)
            }
        }
        var warnings: [String] = []
        var decided: (ReferenceData, [USCC: CachedState])?
        do throws(LedgerError) {
            let stored = try store.append(checked.map(\.pending), expectVersion: expectVersion, importing: importing) { reader, new in
                var outcome: [String]
                (outcome, decided) = try self.admit(new, checked: checked, reader: reader)
                warnings = outcome
            }
            // Only now that the transaction has committed do the decided states describe the ledger.
            if let (reference, states) = decided {
                referenceData.withLock { $0 = reference }
                streamStates.withLock { $0.merge(states) { _, new in new } }
            }
            do {
                try snapshotIfDue()
            } catch {
                // The events are committed; a snapshot is only a shortcut, taken again by the next append.
                warnings.append("no automatic snapshot was written: \(error)")
            }
            let results = stored.enumerated().filter { offeredIndex($0.offset) != nil }.map(\.element)
            return AppendOutcome(results: results, warnings: warnings)
        } catch {
            guard let index = error.eventIndex else { throw error }
            var unlocated = error
            unlocated.eventIndex = nil
            throw locate(unlocated, index)
        }
    }

    /// The rules, inside the append transaction: the new events, in seq order, against the stored history.
    private func admit(_ new: [NewEvent], checked: [CheckedEvent], reader: StreamReader) throws -> ([String], (ReferenceData, [USCC: CachedState])) {
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
        let cache = streamStates.withLock { $0 }
        let periods = decisionPeriods
        // Decided on the reference data the transaction sees (another writer may have recorded more).
        let reference = try currentReference(lastSeq: try reader.lastSeq(of: ReferenceStream.id)) { () throws(LedgerError) in
            do {
                return try reader.events(of: ReferenceStream.id)
            } catch {
                throw EventStore.storageError(error, path: self.store.path)
            }
        }
        var decider = LogDecider(reference: reference, notices: try currentNotices(reader), fallback: Periods(policy: genesis.policy, calendar: .of(genesis.holidays)),
                                 keepsDecidedEvents: true) { stream, _, withHistory throws(LedgerError) in
            do {
                let lastSeq = try reader.lastSeq(of: stream.code)
                if let cached = cache[stream], cached.lastSeq == lastSeq, !withHistory { return (cached.state, nil) }
                var stored: [DomainEvent] = []
                for envelope in try reader.events(of: stream.code) { stored.append(try RecordedEvent(envelope).domainEvent) }
                return (InstitutionState.fold(Retractions.live(stored), periods: periods(lastSeq)), stored)
            } catch let error as LedgerError {
                throw error
            } catch {
                throw EventStore.storageError(error, path: self.store.path)
            }
        }
        let events = new.map { event in checked[event.index].decidable(seq: event.envelope.seq) }
        do throws(LedgerError) {
            try decider.decide(events)
        } catch {
            let index = new.first { $0.envelope.seq == error.seq }?.index ?? new[0].index
            var refusal = error
            refusal.seq = nil
            throw located(refusal, index)
        }
        var seen: Set<String> = []
        let lastSeqs = Dictionary(new.map { ($0.envelope.stream, $0.envelope.seq) }) { _, last in last }
        var states: [USCC: CachedState] = [:]
        for (stream, state) in decider.states {
            if let lastSeq = lastSeqs[stream.code] { states[stream] = CachedState(lastSeq: lastSeq, state: state) }
        }
        return (decider.warnings.filter { seen.insert($0).inserted }, (decider.reference, states))
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
