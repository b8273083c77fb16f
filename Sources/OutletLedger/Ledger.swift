import CanonicalJSON
import Foundation
import OutletDomain
import OutletProjections
import OutletSnapshots
import OutletCore
import OutletStore
import OutletTransparency
import Synchronization

/// What an append did: the seq of each event, and warnings about how periods were computed.
public struct AppendOutcome: Sendable {
    public let results: [AppendResult]
    /// e.g. a deadline computed for a year the holiday data does not cover.
    public let warnings: [String]
}

/// The registry ledger as its users see it: offered events are checked for form, sealed after the log's
/// head, decided by the rules of the Measures, and handed to the log with that head; anything refused
/// leaves the log as it was. The log is the ledger file (`create`, `open`) or memory (`inMemory`).
public final class Ledger: Sendable {
    /// The log itself: for the doors of this package (CLI, tests), not for users of the library.
    package let store: any EventLog
    public let checker: CandidateChecker
    /// The policy and holiday years recorded in the chain (the registry stream), read at open and
    /// extended by every append that records more.
    private let referenceData: Mutex<HeldReference>
    /// What `init` chose, kept until the first append records it in the chain (the genesis); on a
    /// ledger of format 2, what it had been using.
    let genesis: (policy: Policy, holidays: [HolidayYear])
    /// The periods of the genesis, for decisions before the chain records a policy (built once: a holiday
    /// calendar is parsed from its notices).
    let genesisPeriods: Periods
    /// Damage found reading the registry stream at an audit's opening, reported after the chain check.
    let referenceProblem: LedgerError?
    /// A holiday calendar to ask "what if" with: queries and notices only, never decisions, and marked
    /// as such wherever an answer says where it comes from.
    public let whatIfHolidays: WhatIfHolidays?
    /// Each stream's folded state after its newest event, so that appending does not re-read and
    /// re-decode a stream's history, and the head this process's last append left.
    private let streamStates = Mutex(StreamStates())
    /// The publicity notices of the committed log, and the seq they were read through.
    private let publicityNotices = Mutex<(PublicityNotices, Int64)>((PublicityNotices(), 0))

    /// The projection of the last snapshot this process wrote, and its timelines' encodings: the next
    /// automatic snapshot folds on from it and encodes only the timelines that changed.
    let lastSnapshot = Mutex<(projection: RegistryProjection, cache: TimelineCache)?>(nil)
    /// The head projection this process keeps (the live projection): built once by the first query of
    /// the whole log, extended by every append this process makes, read as known at any seq it has folded.
    let live = Mutex<RegistryProjection?>(nil)
    /// The Merkle tree over the log's hashes this process keeps (`merkleTree()`), grown as the log grows.
    let merkle = Mutex<MerkleTree?>(nil)
    /// Automatic snapshots are taken here, off the append path; `finishBackgroundWork` waits for them.
    let background = DispatchQueue(label: "outlet-ledger.snapshots")
    /// What background work could not do, reported by `finishBackgroundWork`.
    let backgroundWarnings = Mutex<[String]>([])
    /// The newest snapshot's seq as this process knows it: read from the store once, then moved by the
    /// snapshots it takes (one handed to the background counts as taken, not to hand it twice). Another
    /// process's `snapshot create` or `prune` goes unseen until the ledger is opened again: it only
    /// decides when the next automatic snapshot is due, and no append reads the snapshots table for it.
    let newestSnapshot = Mutex<Int64?>(nil)
    /// Automatic snapshots handed to the background and not yet written.
    let snapshotsInFlight = Mutex<Int>(0)
    /// Projection digests and roster orders already worked out, by basis.
    let memo = BasisMemos()

    /// A stream's state after the event that made it `version` of the stream: still its newest while the
    /// log's stream stands at that version (versions only grow, one per event).
    struct CachedState: Sendable {
        let version: Int64
        let state: InstitutionState
    }

    /// The states this process decided, and the head its last append left (`written`): while the log's head
    /// is still that one, no other writer has appended since, so each cached version is its stream's version
    /// in the log and sealing the next append reads none of them (an import's chunks read only the streams
    /// they are the first to touch).
    struct StreamStates: Sendable {
        var states: [USCC: CachedState] = [:]
        var written: LedgerHead?

        /// The versions held of the streams `checked` touches, if the log's head is still `written`.
        func versions(of checked: [CheckedEvent], at head: LedgerHead) -> [String: Int64] {
            guard head == written else { return [:] }
            var versions: [String: Int64] = [:]
            // Through the array's storage: a loop copies each event out whole (a dozen reference counts).
            checked.withUnsafeBufferPointer { checked in
                for place in checked.indices {
                    if case .institution(_, let stream, _) = checked[place].act, let cached = states[stream] {
                        versions[stream.code] = cached.version
                    }
                }
            }
            return versions
        }
    }

    /// Whether timelines a query decodes from a snapshot are kept for the next query (false: a process that
    /// answers one query and ends, which reads each state alone and keeps none).
    let keepsRestoredTimelines: Bool

    init(store: any EventLog, reference: ReferenceData, genesis: (Policy, [HolidayYear]), whatIfHolidays: WhatIfHolidays?,
         referenceProblem: LedgerError? = nil, keepsRestoredTimelines: Bool = true)
    {
        self.store = store
        self.keepsRestoredTimelines = keepsRestoredTimelines
        self.referenceProblem = referenceProblem
        self.checker = CandidateChecker()
        self.referenceData = Mutex(HeldReference(data: reference, currentAt: nil))
        self.genesis = genesis
        self.genesisPeriods = Periods(policy: genesis.0, calendar: .of(genesis.1))
        self.whatIfHolidays = whatIfHolidays
    }

    /// The reference data the chain holds now.
    public var reference: ReferenceData { referenceData.withLock { $0.data } }

    /// The reference data, and the head at which it was last known to be the log's: while the log's head is
    /// still that one, no writer can have recorded more, and an append reads nothing of the registry stream.
    private struct HeldReference {
        var data: ReferenceData
        var currentAt: LedgerHead?

        func isCurrent(at head: LedgerHead) -> Bool { currentAt?.seq == head.seq && currentAt?.hash == head.hash }
    }

    /// The policy: the one the chain adopted, or, before the first append, the one `init` chose.
    public var policy: Policy { reference.policy ?? genesis.policy }

    /// The periods rules decided with at `seq`: the policy and the holiday data in force there.
    public func decisionPeriods(atSeq seq: Int64) -> Periods {
        reference.periods(atSeq: seq) ?? genesisPeriods
    }

    /// The periods a query at `seq` counts with: those in force there, unless a what-if calendar is given.
    public func periods(atSeq seq: Int64) -> Periods {
        let inForce = decisionPeriods(atSeq: seq)
        guard let whatIfHolidays else { return inForce }
        return Periods(policy: inForce.policy, calendar: whatIfHolidays.calendar)
    }

    /// Today by the ledger's clock, in Asia/Shanghai: the default date of every question.
    public var today: LocalDate { store.clock.now().shanghaiDate }

    /// The periods at the head of the log.
    public var periods: Periods { periods(atSeq: .max) }

    /// Creates a ledger whose policy and holiday data are recorded in the chain by its first append.
    public static func create(at path: String, clock: any LedgerClock = SystemClock(),
                              policy: Policy? = nil, holidays: [HolidayYear]? = nil) throws(LedgerError) -> Ledger
    {
        let policy = try policy.or { () throws(LedgerError) in try RegistryData.defaultPolicy }
        let holidays = try holidays.or { () throws(LedgerError) in try RegistryData.bundledHolidayYears }
        let store = try EventStore.create(at: path, clock: clock, settings: [
            RegistryData.policySetting: String(decoding: policy.encoded(), as: UTF8.self),
            RegistryData.holidaysSetting: RegistryData.encode(holidays),
        ])
        return Ledger(store: store, reference: ReferenceData(), genesis: (policy, holidays), whatIfHolidays: nil)
    }

    /// The newest ledger file format this program reads and writes.
    public static var formatVersion: Int { EventStore.formatVersion }

    /// A ledger kept in memory (tests, what-ifs): the same rules and answers, nothing on disk.
    public static func inMemory(clock: any LedgerClock = SystemClock(), policy: Policy? = nil,
                                holidays: [HolidayYear]? = nil) throws(LedgerError) -> Ledger
    {
        let policy = try policy.or { () throws(LedgerError) in try RegistryData.defaultPolicy }
        let holidays = try holidays.or { () throws(LedgerError) in try RegistryData.bundledHolidayYears }
        let log = InMemoryEventLog(clock: clock, settings: [
            RegistryData.policySetting: String(decoding: policy.encoded(), as: UTF8.self),
            RegistryData.holidaysSetting: RegistryData.encode(holidays),
        ])
        return Ledger(store: log, reference: ReferenceData(), genesis: (policy, holidays), whatIfHolidays: nil)
    }

    /// Opens a ledger. With `forAudit`, damage in the registry stream does not stop the opening: `audit`
    /// checks the chain first, so that a changed byte is reported where it is, not where it is first read.
    /// With `forOneQuery` (a command that answers one question and ends), a snapshot's states are decoded
    /// as they are read and none of its timelines is kept.
    public static func open(at path: String, clock: any LedgerClock = SystemClock(), readonly: Bool = false,
                            whatIfHolidays: WhatIfHolidays? = nil, forAudit: Bool = false, forOneQuery: Bool = false) throws(LedgerError) -> Ledger
    {
        let store = try EventStore.open(at: path, clock: clock, readonly: readonly)
        guard let text = try store.setting(RegistryData.policySetting) else {
            throw LedgerError(.ledgerUnusable, "\(path) has no stored policy; it was not created by `outlet-ledger init`")
        }
        let policy: Policy
        var holidays: [HolidayYear]?
        do {
            policy = try Policy(json: Data(text.utf8))
            holidays = try store.setting(RegistryData.holidaysSetting).map(RegistryData.decodeHolidays)
        } catch {
            throw LedgerError(.integrityFailure, "\(path): the policy or holiday data stored at init does not read: \(error)")
        }
        // A ledger of format 2 stored no holidays: it counted with the bundled ones.
        let genesisHolidays = try holidays.or { () throws(LedgerError) in try RegistryData.bundledHolidayYears }
        var reference = ReferenceData()
        var problem: LedgerError?
        do throws(LedgerError) {
            reference = try readReference(try store.events(ofStream: ReferenceStream.id))
        } catch {
            guard forAudit, error.code == .integrityFailure else { throw error }
            problem = error
        }
        return Ledger(store: store, reference: reference, genesis: (policy, genesisHolidays), whatIfHolidays: whatIfHolidays,
                      referenceProblem: problem, keepsRestoredTimelines: !forOneQuery)
    }

    /// The registry stream's events, decided again as they are read: damage there is an integrity failure.
    static func readReference(_ envelopes: [Envelope]) throws(LedgerError) -> ReferenceData {
        var reference = ReferenceData()
        for envelope in envelopes {
            guard case .reference(let event, let seq, let actor, let effectiveOn, _) = try DecidableEvent(envelope) else {
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

    /// The reference data as the log holds it at `head`, read in this write's transaction: another process may
    /// have recorded some since this one read it.
    private func currentReference(at head: LedgerHead) throws(LedgerError) -> ReferenceData {
        let held = referenceData.withLock { $0 }
        if held.isCurrent(at: head) { return held.data }
        let lastSeq = try store.lastSeq(ofStream: ReferenceStream.id)
        let current = (held.data.years.last?.seq ?? held.data.policySeq ?? 0) == lastSeq
            ? held.data : try Self.readReference(try store.events(ofStream: ReferenceStream.id))
        referenceData.withLock { $0 = HeldReference(data: current, currentAt: head) }
        return current
    }

    /// The publicity notices recorded so far; kept between appends and extended with only the
    /// `publicized` events recorded since.
    private func currentNotices() throws(LedgerError) -> PublicityNotices {
        var (notices, through) = publicityNotices.withLock { $0 }
        for envelope in try store.events(ofType: EventType.publicized.rawValue, afterSeq: through) {
            guard case .institution(let event, _) = try DecidableEvent(envelope),
                  case .publicized(let publicized) = event.payload else { continue }
            // Stored notices are as they were decided; a clash there is for verify to name, not for this append.
            try? notices.record(noticeNo: publicized.noticeNo, on: event.effectiveOn)
            through = envelope.seq
        }
        let read = (notices, through)
        publicityNotices.withLock { $0 = read }
        return notices
    }

    /// Appends events recorded now, all or none. With `deriveBars`, the domain adds the bar each Art. 19
    /// revocation or decline entails (`Decider.entailedBars`) instead of refusing one offered without it.
    public func append(_ candidates: [Candidate], expectVersion: Int64? = nil, deriveBars: Bool = false) throws(LedgerError) -> AppendOutcome {
        if let stamped = candidates.firstIndex(where: { $0.recordedAt != nil }) {
            throw Self.locate(LedgerError(.invalidInput, "recordedAt is set by the ledger; only import keeps it"),
                              in: candidates, index: stamped)
        }
        return try write(deriveBars ? try withEntailedBars(candidates) : candidates, expectVersion: expectVersion, importing: false)
    }

    /// The candidates with the bars the domain says they entail, each right after its act.
    private func withEntailedBars(_ candidates: [Candidate]) throws(LedgerError) -> [Candidate] {
        let payloads = try Self.checkForm(of: candidates, with: checker).map { checked -> EventPayload? in
            guard case .institution(_, _, let payload) = checked.act else { return nil }
            return payload
        }
        let bars = Decider.entailedBars(payloads)
        var completed: [Candidate] = []
        for (index, candidate) in candidates.enumerated() {
            completed.append(candidate)
            guard let bar = bars[index] else { continue }
            completed.append(Candidate(type: EventType.barred3Years.rawValue, stream: candidate.stream, effectiveOn: candidate.effectiveOn,
                                       actor: candidate.actor, payload: .object(["ground": .string(bar.ground.rawValue)]),
                                       eventId: candidate.eventId.map { $0 + "-bar" }, origin: candidate.origin))
        }
        return completed
    }

    /// Appends a migrated log, keeping its `recordedAt`s, all or none; the rules apply as to any append.
    public func importEvents(_ candidates: [Candidate]) throws(LedgerError) -> AppendOutcome {
        try write(candidates, expectVersion: nil, importing: true)
    }

    /// What a streamed import did.
    public struct ImportSummary: Sendable {
        public var imported = 0
        /// Events whose id the ledger already held with the same content (nothing written for them).
        public var alreadyPresent = 0
        public var warnings: [String] = []

        public init(imported: Int = 0, alreadyPresent: Int = 0, warnings: [String] = []) {
            self.imported = imported
            self.alreadyPresent = alreadyPresent
            self.warnings = warnings
        }
    }

    /// Appends a migrated log read a chunk at a time (`next` gives the next, nil at the end), all or none:
    /// every chunk is checked, sealed and decided as `importEvents` does one, inside one transaction of
    /// the log, so memory holds a chunk, not the log. If any chunk is refused nothing is written and this
    /// process's caches are put back as they were. An automatic snapshot is considered once, at the end.
    public func importEvents(chunks next: () throws(LedgerError) -> [Candidate]?) throws(LedgerError) -> ImportSummary {
        let before = caches()
        var summary = ImportSummary()
        do {
            try store.inOneTransaction(long: true) { () throws(LedgerError) in
                // The next chunk is read and checked on another core while this one is decided and written.
                try ImportPipeline.run(reading: next, checker: checker) { chunk, more throws(LedgerError) in
                    var candidates = chunk.candidates, checked = chunk.checked
                    // An export of a log older than its genesis events (seq 1 is an institution's) gets the
                    // genesis after its last event: it is imported whole, as one chunk.
                    if summary.imported + summary.alreadyPresent == 0, candidates.first?.claimed?.seq == 1,
                       candidates.first?.type != ReferenceEventType.policyAdopted.rawValue
                    {
                        while let next = try more() {
                            candidates += next.candidates
                            checked += next.checked
                        }
                    }
                    // A revocation or decline on an Art. 19 ground is decided with the bar that follows it (the
                    // rules pair them within what they are offered at once): a chunk that ends with one takes the
                    // next chunk along, wherever the reader cut the file.
                    while case .institution(_, _, let payload)? = checked.last?.act, Decider.awaitsItsBar(payload) {
                        let next: ImportPipeline.CheckedChunk?
                        do throws(LedgerError) {
                            next = try more()
                        } catch {
                            // The next chunk's form is refused. A refusal before the act that awaits its bar comes
                            // first in the file, so what precedes the act is decided first (all is undone anyway).
                            if candidates.count > 1 {
                                _ = try attempt(Array(candidates.dropLast()), checked: Array(checked.dropLast()), expectVersion: nil, importing: true)
                            }
                            throw error
                        }
                        guard let next else { break }
                        candidates += next.candidates
                        checked += next.checked
                    }
                    guard !candidates.isEmpty else { return }
                    let decision = try attempt(candidates, checked: checked, expectVersion: nil, importing: true)
                    // The next chunk is decided against this one; if a later one is refused, all is put back.
                    settle(decision)
                    let outcome = decision.outcome
                    for result in outcome.results {
                        if result.duplicate { summary.alreadyPresent += 1 } else { summary.imported += 1 }
                    }
                    summary.warnings += outcome.warnings
                }
            }
        } catch {
            restore(before)
            throw error
        }
        // The import cached the state of every stream it touched (a few KiB each, hundreds of MiB for a
        // whole registry): a cache, folded again from the log by the next append of a stream. Dropped here,
        // memory stays bounded by a chunk and the projection the snapshot below folds, not by the registry.
        streamStates.withLock { $0 = StreamStates() }
        // Freed on this thread, they would stay resident beside the snapshot below, encoded on the others.
        FreePages.handBack()
        do {
            // The import's caller waits for it (the CLI, before it ends): encoded on every core.
            try snapshotIfDue(onEveryCore: true)
        } catch {
            summary.warnings.append("no automatic snapshot was written: \(error)")
        }
        var seen: Set<String> = []
        summary.warnings = summary.warnings.filter { seen.insert($0).inserted }
        return summary
    }

    /// What this process holds of the log beyond the log itself: copies share their storage.
    private struct Caches {
        let reference: HeldReference
        let states: StreamStates
        let notices: (PublicityNotices, Int64)
        let live: RegistryProjection?
        let merkle: MerkleTree?
    }

    private func caches() -> Caches {
        Caches(reference: referenceData.withLock { $0 }, states: streamStates.withLock { $0 }, notices: publicityNotices.withLock { $0 },
               live: live.withLock { $0 }, merkle: merkle.withLock { $0 })
    }

    /// After a rolled-back transaction: the caches described events that are no longer in the log.
    private func restore(_ caches: Caches) {
        referenceData.withLock { $0 = caches.reference }
        streamStates.withLock { $0 = caches.states }
        publicityNotices.withLock { $0 = caches.notices }
        live.withLock { $0 = caches.live }
        merkle.withLock { $0 = caches.merkle }
    }

    /// The events that record `init`'s policy and holiday data in the chain, dated the day they are recorded.
    func genesisCandidates(recordedAt: Timestamp?) -> [Candidate] {
        let time = recordedAt ?? store.clock.now()
        let day = time.shanghaiDate.description
        let actor = EnvelopeActor(role: Actor.Role.cityBureau.rawValue, unit: genesis.policy.cityBureauUnit, name: RegistryData.cityBureauName)
        let policy = (try? JSONParser.parse(Array(genesis.policy.encoded()))) ?? .object([:])
        // The genesis is recorded once per ledger, so its event ids can be fixed (and an export's repeat is idempotent).
        return [Candidate(type: ReferenceEventType.policyAdopted.rawValue, stream: ReferenceStream.id, effectiveOn: day,
                          actor: actor, payload: policy, eventId: "genesis-policy", recordedAt: recordedAt, origin: "the genesis (policy)")]
            + genesis.holidays.map { year in
                Candidate(type: ReferenceEventType.holidayCalendarPublished.rawValue, stream: ReferenceStream.id, effectiveOn: day,
                          actor: actor, payload: RegistryData.payload(of: year), eventId: "genesis-holidays-\(year.year)",
                          recordedAt: recordedAt, origin: "the genesis (holidays \(year.year))")
            }
    }

    /// How many times an append decides again after other writers moved the log under it (a log whose
    /// transactions do not keep other writers out: the in-memory one).
    static let maximumAttempts = 50

    /// Form first (other writers need not wait for it), then read → seal → decide → append in one write
    /// transaction: the log cannot move between what the rules read and what they add to it (nor can its
    /// reads, each an autocommit of its own otherwise, take and drop SQLite's lock a dozen times). The
    /// caches learn the events once they are committed; a snapshot is considered after the commit.
    private func write(_ offered: [Candidate], expectVersion: Int64?, importing: Bool) throws(LedgerError) -> AppendOutcome {
        guard !offered.isEmpty else { return AppendOutcome(results: [], warnings: []) }
        let checked = try Self.checkForm(of: offered, with: checker, onEveryCore: importing)
        var decision: Decision?
        for attempts in 1...Self.maximumAttempts where decision == nil {
            do {
                decision = try store.inOneTransaction(long: false) { () throws(LedgerError) in
                    try attempt(offered, checked: checked, expectVersion: expectVersion, importing: importing)
                }
            } catch where error.conflict?.kind == .headMoved && attempts < Self.maximumAttempts {
                continue
            }
        }
        guard let decision else { preconditionFailure("the last attempt decides or throws") }
        settle(decision)
        var warnings = decision.outcome.warnings
        do {
            if !decision.prepared.envelopes.isEmpty { try snapshotIfDue(after: decision.prepared.headAfter) }
        } catch {
            // The events are committed; a snapshot is only a shortcut, taken again by the next append.
            warnings.append("no automatic snapshot was written: \(error)")
        }
        return AppendOutcome(results: decision.outcome.results, warnings: warnings)
    }

    /// What one attempt decided and appended, for the caches once it is committed.
    private struct Decision {
        let outcome: AppendOutcome
        let prepared: PreparedAppend
        /// The sealed events as the rules took them: the live projection folds the same.
        let events: [DecidableEvent]
        let reference: ReferenceData
        let states: [USCC: CachedState]
        let notices: PublicityNotices?
    }

    /// One attempt: read the log, seal after the head, decide by the rules, append if the head has not
    /// moved (the genesis events, if they go first, are checked for form here). The store decides nothing
    /// and calls nothing back.
    /// - Parameter checked: the form checks of `offered`, done by the caller (outside the transaction; an
    ///   import checks the next chunk while this one is decided).
    private func attempt(_ offered: [Candidate], checked prechecked: [CheckedEvent], expectVersion: Int64?,
                         importing: Bool) throws(LedgerError) -> Decision
    {
        // The head is read once, in this transaction: the reference data is checked against it, and the events
        // are sealed after it.
        let head = try store.head()
        let reference = try currentReference(at: head)
        // Until the chain holds a policy, the first write records init's data: before the offered events, or
        // after an imported export that starts at seq 1 (its hashes are kept; it was decided with the same data).
        var candidates = offered
        var genesisFirst = 0
        if reference.policy == nil, offered[0].type != ReferenceEventType.policyAdopted.rawValue {
            if importing, offered[0].claimed?.seq == 1, head.seq == 0 {
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
            var unlocated = error
            unlocated.eventIndex = nil
            guard let original = offeredIndex(index) else { return unlocated }
            return Self.locate(unlocated, in: offered, index: original)
        }
        // The caller's checks as they are (not copied event by event), the genesis events' before or after them.
        var checked = prechecked
        if candidates.count > offered.count {
            var genesis: [CheckedEvent] = []
            for index in candidates.indices where offeredIndex(index) == nil {
                do {
                    genesis.append(try checker.check(candidates[index]))
                } catch {
                    throw locate(error, index)
                }
            }
            if genesisFirst > 0 { checked.insert(contentsOf: genesis, at: 0) } else { checked += genesis }
        }
        // --expect-version names the caller's one stream (the genesis, if it goes first, is not checked).
        let offeredStreams = Set(offered.map(\.stream))
        if expectVersion != nil, offeredStreams.count > 1 {
            throw LedgerError(.invalidInput, "--expect-version applies to one stream; this call touches several")
        }
        let expected = expectVersion.flatMap { version in offeredStreams.first.map { (stream: $0, version: version) } }
        let known = streamStates.withLock { $0.versions(of: checked, at: head) }
        let prepared: PreparedAppend
        do {
            prepared = try PreparedAppend(checked.map(\.pending), on: store, after: head, knownVersions: known, expecting: expected,
                                          importing: importing)
        } catch {
            guard let index = error.eventIndex else { throw error }
            throw locate(error, index)
        }
        let events = Self.decidable(prepared, checked: checked)
        let (warnings, decided) = try decide(prepared, events: events, reference: reference, locate: locate)
        try store.append(prepared)
        let results = prepared.results.enumerated().filter { offeredIndex($0.offset) != nil }.map(\.element)
        return Decision(outcome: AppendOutcome(results: results, warnings: warnings), prepared: prepared, events: events,
                        reference: decided.reference, states: decided.states, notices: decided.notices)
    }

    /// The decided states describe the log once the events are in it: the caches, the kept projection and
    /// the Merkle tree follow this process's appends.
    private func settle(_ decision: Decision) {
        let prepared = decision.prepared
        referenceData.withLock { $0 = HeldReference(data: decision.reference, currentAt: prepared.headAfter) }
        streamStates.withLock { cache in
            cache.states.merge(decision.states) { _, new in new }
            cache.written = prepared.headAfter
        }
        if let notices = decision.notices, let last = prepared.envelopes.last { publicityNotices.withLock { $0 = (notices, last.seq) } }
        live.withLock { held in
            // Behind another writer's appends, the kept projection catches up when read.
            guard held?.foldedThrough == prepared.head.seq else { return }
            for event in decision.events {
                switch event {
                case .institution(let domainEvent, let stream): held?.apply(domainEvent, stream: stream)
                case .reference(_, let seq, _, _, _): held?.pass(seq: seq)
                }
            }
        }
        merkle.withLock { tree in
            // The tree grows with this process's appends: a checkpoint never rebuilds it.
            guard tree?.size == Int(prepared.head.seq) else { return }
            for place in prepared.envelopes.indices { tree?.append(input: HashChain.bytes(ofHex: prepared.envelopes[place].hash) ?? []) }
        }
    }

    /// The rules, on the sealed events in seq order, against the log as the prepared head left it.
    private func decide(_ prepared: PreparedAppend, events: [DecidableEvent], reference: ReferenceData,
                        locate: (LedgerError, Int) -> LedgerError) throws(LedgerError)
        -> ([String], (reference: ReferenceData, states: [USCC: CachedState], notices: PublicityNotices?))
    {
        let cache = streamStates.withLock { $0.states }
        let store = self.store
        // The notice numbers are read only when a publicity is offered (on a large log, reading them costs).
        let offersPublicity = prepared.envelopes.indices.contains { prepared.envelopes[$0].type == EventType.publicized.rawValue }
        var decider = LogDecider(reference: reference, notices: offersPublicity ? try currentNotices() : PublicityNotices(),
                                 fallback: genesisPeriods,
                                 keepsDecidedEvents: true) { stream, _, withHistory throws(LedgerError) in
            // Sealing has each stream's version already: read in this transaction, or held at this process's own head.
            let version = try prepared.priorVersions[stream.code].or { () throws(LedgerError) in try store.streamVersion(of: stream.code) }
            if let cached = cache[stream], cached.version == version, !withHistory { return (cached.state, nil) }
            if version == 0 { return (InstitutionState(), []) }  // a new stream: nothing stored to read
            var stored: [DomainEvent] = []
            for envelope in try store.events(ofStream: stream.code) { stored.append(try RecordedEvent(envelope).domainEvent) }
            let periods = self.decisionPeriods(atSeq: stored.last?.seq ?? 0)
            return (InstitutionState.fold(Retractions.live(stored), periods: periods), stored)
        }
        do {
            try decider.decide(events)
        } catch {
            let refused = error.seq.map { Int($0 - prepared.head.seq) - 1 }.flatMap { prepared.indices.indices.contains($0) ? $0 : nil }
            let index = refused.map { prepared.indices[$0] } ?? prepared.indices.first ?? 0
            var refusal = error
            refusal.seq = nil
            throw locate(refusal, index)
        }
        var seen: Set<String> = []
        var versions: [String: Int64] = [:]
        for place in prepared.envelopes.indices { versions[prepared.envelopes[place].stream] = prepared.envelopes[place].streamVersion }
        var states: [USCC: CachedState] = [:]
        for (stream, state) in decider.states {
            if let version = versions[stream.code] { states[stream] = CachedState(version: version, state: state) }
        }
        // Every notice number through the last event when they were read (a publicity was offered): the next
        // append reads none back from the log.
        return (decider.warnings.filter { seen.insert($0).inserted }, (decider.reference, states, offersPublicity ? decider.notices : nil))
    }

    /// The sealed events as the rules and the projections take them. Through the arrays' storage: a
    /// subscript or a loop copies each event out whole (a dozen reference counts each, on every import line).
    private static func decidable(_ prepared: PreparedAppend, checked: [CheckedEvent]) -> [DecidableEvent] {
        checked.withUnsafeBufferPointer { checked in
            prepared.envelopes.withUnsafeBufferPointer { envelopes in
                envelopes.indices.map { place in
                    CheckedEvent.decidable(checked.baseAddress! + prepared.indices[place], sealedAs: envelopes.baseAddress! + place)
                }
            }
        }
    }

    /// Each candidate checked for form, or the first refusal, located as its caller knows it. `onEveryCore`:
    /// a long run (an import's) is checked in shares on every core, each candidate's form standing alone; the
    /// refusal named is still the first in order.
    static func checkForm(of candidates: [Candidate], with checker: CandidateChecker, onEveryCore: Bool = false) throws(LedgerError)
        -> [CheckedEvent]
    {
        // Each share puts its events in their places in the one array (shares joined after copied every
        // event, a dozen reference counts each); a refused share stops at its refusal, and then every event
        // put in place is taken out again.
        var refusal: LedgerError?
        let checked = [CheckedEvent](unsafeUninitializedCapacity: candidates.count) { buffer, initialized in
            nonisolated(unsafe) let places = buffer
            let shares = inShares(candidates.count, of: onEveryCore ? Self.formCheckShare : .max) { range in
                for index in range {
                    do throws(LedgerError) {
                        (places.baseAddress! + index).initialize(to: try checker.check(candidates[index]))
                    } catch {
                        return (checked: range.lowerBound..<index, refusal: Optional(locate(error, in: candidates, index: index)))
                    }
                }
                return (checked: range, refusal: nil)
            }
            refusal = shares.lazy.compactMap(\.refusal).first
            if refusal == nil {
                initialized = candidates.count
            } else {
                for share in shares { (places.baseAddress! + share.checked.lowerBound).deinitialize(count: share.checked.count) }
                initialized = 0
            }
        }
        if let refusal { throw refusal }
        return checked
    }

    /// Candidates a share of a form check takes at least.
    package static let formCheckShare = 1_024

    /// Names the offending event as its caller knows it: its line or place in a file, else its number.
    static func locate(_ error: LedgerError, in candidates: [Candidate], index: Int) -> LedgerError {
        var located = error
        located.eventIndex = candidates.count > 1 ? index : nil
        if let origin = candidates[index].origin { located.location = origin }
        return located
    }
}

extension Optional {
    /// The value, or the fallback's (which may throw a typed error, unlike `??`).
    func or<Failure: Error>(_ fallback: () throws(Failure) -> Wrapped) throws(Failure) -> Wrapped {
        if let self { return self }
        return try fallback()
    }
}
