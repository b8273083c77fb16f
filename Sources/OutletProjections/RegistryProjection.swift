import CPrefetch
import OutletDomain

/// The whole registry as one fold of the log: a timeline per institution and the outlet numbers,
/// answering the roster, bans, calendar and status of any date, as known at any seq it has folded.
public struct RegistryProjection: Sendable {
    /// The policy folds with (validity, bars); the holiday calendar only counts deadlines at query time,
    /// so a query sets the one in force where it reads (`counting(with:)`).
    public private(set) var periods: Periods
    /// Each institution's timeline, at the id its rows in the index carry (the order they first appeared
    /// in); nil where a restored one is still in `deferred`, not yet read or changed. In a projection that
    /// keeps no restored timeline, one a tail changed is continued from the snapshot's newest version
    /// (`Timeline.heldFrom`): the versions before it are read from `deferred`.
    private var stored: [Timeline?] = []
    /// A restored snapshot's timelines, decoded when first read (nil: folded, or restored whole).
    private var deferred: DeferredTimelines?
    /// Its slots, read without moving its reference count (`DeferredTimelines.Slots`).
    private var deferredSlots: DeferredTimelines.Slots?
    /// `SY-<year>-<NNN>` by `registered` seq: in registration order within the year, never reused,
    /// so a retracted registration keeps its number used.
    public private(set) var outletNumbers: [Int64: String] = [:]
    public private(set) var registrationsByYear: [Int: Int] = [:]
    /// The timelines' versions as columns, for the queries over every institution at once.
    package private(set) var index = VersionIndex()
    /// The last seq folded (0: none).
    public private(set) var foldedThrough: Int64 = 0
    /// The seq the queries read the registry as known at: `foldedThrough` unless narrowed by `known(atSeq:)`.
    public private(set) var knownAt: Int64 = 0
    /// How many events were folded.
    public private(set) var eventCount = 0

    public init(periods: Periods) {
        self.periods = periods
    }

    /// A projection restored from its parts (a snapshot), as it was after folding `foldedThrough`, `rows`
    /// each timeline's versions as the index keeps them (nil: worked out here); nil if two timelines are of
    /// one institution, two versions claim one seq, or one lies past `foldedThrough`.
    package init?(periods: Periods, timelines: [Timeline], rows: consuming [TimelineRows]? = nil, outletNumbers: [Int64: String],
                  registrationsByYear: [Int: Int], foldedThrough: Int64, eventCount: Int)
    {
        self.periods = periods
        self.stored = timelines
        let rows = (consume rows) ?? timelines.map(TimelineRows.init)
        guard let index = VersionIndex(consume rows, through: foldedThrough, outletNumbers: outletNumbers) else { return nil }
        self.index = index
        self.outletNumbers = outletNumbers
        self.registrationsByYear = registrationsByYear
        self.foldedThrough = foldedThrough
        self.knownAt = foldedThrough
        self.eventCount = eventCount
    }

    /// A projection restored from a snapshot's index, its timelines read from `source` as queries ask for
    /// them; `versionCounts` (from the index) is how many versions each must have. `keepsTimelines` false:
    /// a state read is decoded alone and nothing is kept (a process that answers one query and ends).
    package init(periods: Periods, index: VersionIndex, source: any TimelineSource, versionCounts: [Int32], keepsTimelines: Bool,
                 outletNumbers: [Int64: String], registrationsByYear: [Int: Int], foldedThrough: Int64, eventCount: Int)
    {
        self.periods = periods
        self.index = index
        stored = Array(repeating: nil, count: index.institutions.count)
        let deferred = DeferredTimelines(source: source, institutions: index.institutions, versionCounts: versionCounts, keeps: keepsTimelines)
        (self.deferred, deferredSlots) = (deferred, deferred.lent)
        self.outletNumbers = outletNumbers
        self.registrationsByYear = registrationsByYear
        self.foldedThrough = foldedThrough
        self.knownAt = foldedThrough
        self.eventCount = eventCount
    }

    /// Every institution's timeline, at the id its rows in the index carry (a restored projection decodes
    /// all it has not yet, on every core).
    public var timelines: [Timeline] {
        elementsInShares(stored.count, of: Self.itemsPerShare) { timeline(at: $0) }
    }

    /// The timeline at index id `id`, whole.
    package func timeline(at id: Int) -> Timeline {
        guard let held = stored[id] else { return deferred!.timeline(id) }
        return held.heldFrom == 0 ? held : deferred!.timeline(id).completing(held)
    }

    /// Whether a fold continues the restored timelines it changes from their newest versions (`Timeline.continued`)
    /// rather than decoding them whole: a projection restored for a process that answers one query.
    package var continuesRestoredTimelines: Bool {
        deferred.map { !$0.keeps } ?? false
    }

    /// Decodes ahead, on every core, the continuations of the restored timelines that steps of these institution
    /// ids (`numbering`) will change and that are not held yet: folding them then decodes nothing. Decoding is
    /// most of what a tail after a snapshot costs, and each timeline's bytes decode alone.
    package mutating func continueTimelines(numbered ids: [Int32]) {
        guard let deferred, !deferred.keeps else { return }
        var wanted: [Int] = []
        var seen = [Bool](repeating: false, count: stored.count)
        for id in ids.lazy.map(Int.init) where id >= 0 && id < stored.count && !seen[id] {
            seen[id] = true
            if stored[id] == nil { wanted.append(id) }
        }
        let unheld = wanted  // a constant: the shares read it on other cores
        let continued = elementsInShares(unheld.count, of: Self.continuationsPerShare) { deferred.continuation(unheld[$0]) }
        for (id, timeline) in zip(unheld, continued) { stored[id] = timeline }
    }

    /// About 5 ms of decoding a share.
    static let continuationsPerShare = 512

    /// How many timelines are held continued from a snapshot's newest version (`Timeline.heldFrom`), not whole.
    package var continuedTimelineCount: Int {
        stored.reduce(0) { $0 + (($1?.heldFrom ?? 0) > 0 ? 1 : 0) }
    }

    /// The snapshot a restored timeline is still as it was in (nil: it was folded here, or changed since),
    /// for a writer of the same format to copy its bytes rather than encode it again.
    package func unchangedSource(ofTimelineAt id: Int) -> (any TimelineSource)? {
        stored[id] == nil ? deferred?.source : nil
    }

    /// Folds the next event of the log (in seq order); queries then read everything folded.
    public mutating func apply(_ event: DomainEvent, stream: USCC) {
        apply(event.folded, stream: stream)
    }

    /// Folds the next event of the log (in seq order), as the fold reads it.
    public mutating func apply(_ event: FoldEvent, stream: USCC) {
        apply(event, id: Int(index.id(of: stream)))
    }

    /// Folds the next steps of the log (in seq order), each as `take(_:)` does, each step's institution
    /// numbered already by a copy of this projection's `numbering` (`InstitutionNumbering.ids(of:)`): what a
    /// fold's reading thread hands its folding thread. A new institution is numbered here as the copy numbered
    /// it, and every other id is checked against its institution.
    ///
    /// It asks a few events ahead for the newest version of the timeline each will change: a long fold reads
    /// one institution's timeline after another's, spread over the whole heap, and each is a chain of cache
    /// misses (its slot, its versions' array, its newest version) that, asked ahead, overlap rather than
    /// follow one another.
    package mutating func take(_ steps: consuming [FoldStep], numbered ids: [Int32]) {
        precondition(ids.count == steps.count, "an id per step")
        let distance = Self.prefetchDistance
        for place in steps.indices {
            if place + 3 * distance < ids.count {
                prefetchSlot(ofInstitution: ids[place + 3 * distance])
                index.prefetchInstitution(ids[place + 3 * distance])
            }
            if place + 2 * distance < ids.count { prefetchNewestVersion(ofInstitution: ids[place + 2 * distance], step: .array) }
            if place + distance < ids.count { prefetchNewestVersion(ofInstitution: ids[place + distance], step: .version) }
            // Moved out of its place (a step with no references left there), not copied: a copy of an event is a
            // reference count for each of its texts, on lines the reading thread's core wrote, and the batch's
            // release another.
            var step = FoldStep.pass(seq: 0)
            swap(&step, &steps[place])
            switch consume step {
            case .apply(let event, let stream):
                index.adopt(ids[place], of: stream)
                apply(event, id: Int(ids[place]))
            case .pass(let seq): pass(seq: seq)
            }
        }
    }

    /// The numbering of this projection's institutions, for a fold's reading thread to number the events
    /// it hands on (`take(_:numbered:)`).
    package var numbering: InstitutionNumbering { index.numbering }

    /// Folds one step of the log (in seq order).
    package mutating func take(_ step: FoldStep) {
        switch step {
        case .apply(let event, let stream): apply(event, stream: stream)
        case .pass(let seq): pass(seq: seq)
        }
    }

    /// The event is consumed: what it carries (a new application's institution, its texts) moves into the
    /// version, rather than being copied there and released here.
    private mutating func apply(_ event: consuming FoldEvent, id: Int) {
        let (seq, effectiveOn) = (event.seq, event.effectiveOn)
        precondition(seq > foldedThrough, "events are folded in seq order")
        eventCount += 1
        foldedThrough = seq
        knownAt = seq
        if event.type == .registered {
            let year = effectiveOn.year
            let number = (registrationsByYear[year] ?? 0) + 1
            registrationsByYear[year] = number
            outletNumbers[seq] = "SY-\(year)-\(Self.pad(number))"
        }
        if id == stored.count {
            stored.append(Timeline(uscc: index.institutions[id]))
        } else if stored[id] == nil {
            stored[id] = deferred!.continuation(id)
        }
        if !stored[id]!.holdsNewestLiveVersion { stored[id] = timeline(at: id) }
        switch stored[id]!.apply(event, periods: periods) {
        case .version(let position, let facts):
            index.append(institution: Int32(id), seq: seq, effectiveOn: effectiveOn, position: position, facts: facts,
                         outletNumbers: outletNumbers)
        case .retraction(let target):
            index.retract(target, by: seq)
        case .nothing:
            break
        }
    }

    /// Passes over an event of the registry's own stream (policy, holidays): nothing to fold, the position moves on.
    public mutating func pass(seq: Int64) {
        precondition(seq > foldedThrough, "events are folded in seq order")
        foldedThrough = seq
        knownAt = seq
    }

    /// The same registry, its deadlines counted with `periods` (of the same policy: the fold depends on it).
    public func counting(with periods: Periods) -> RegistryProjection {
        var view = self
        view.periods = periods
        return view
    }

    /// The same registry as known at an earlier `seq`: a view, not a refold (timelines keep retracted versions).
    public func known(atSeq seq: Int64) -> RegistryProjection {
        precondition(seq <= foldedThrough, "a projection knows nothing past the last seq it folded")
        var view = self
        view.knownAt = seq
        return view
    }

    static func pad(_ number: Int) -> String {
        let digits = String(number)
        return digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// An institution's timeline (nil: no event of it folded).
    public func timeline(of uscc: USCC) -> Timeline? {
        index.knownId(of: uscc).map { timeline(at: Int($0)) }
    }

    /// An institution's state on `date`, as known at `knownAt`.
    public func state(of timeline: Timeline, on date: LocalDate) -> InstitutionState? {
        timeline.state(on: date, knownAt: knownAt)
    }

    /// Every institution with a state on `date` as known at `knownAt` (and, `marked`, only those whose state
    /// has those marks), in no particular order: the index's one pass, then each winner's state.
    func forEachState(on date: LocalDate, marked: VersionIndex.Marks = [],
                      _ body: (VersionIndex.Winner, USCC, borrowing InstitutionState) -> Void)
    {
        let winners = index.winners(on: date, knownAt: knownAt, marked: marked)
        for place in winners.indices {
            prefetchStates(of: winners, ahead: place, before: winners.endIndex)
            withState(at: winners[place]) { body(winners[place], $0, $1.pointee) }
        }
    }

    /// The institution and the address of the state of a version the index found, lent where it lies in its
    /// timeline's storage (not copied out with the rest of its version, nor alone). By its address: a state
    /// lent as a value was copied whole (a dozen reference counts, each a cache miss) before any call the
    /// compiler could not see into. Inlined into each caller: specialized for its closure instead, it took a
    /// copy of the whole projection for every state it lent.
    @inline(__always)
    func withState<Result>(at version: VersionIndex.Winner, _ body: (USCC, UnsafePointer<InstitutionState>) -> Result) -> Result {
        let id = Int(version.institution)
        let uscc = index.institutions[id]
        if let state = stateInPlace(at: version) { return body(uscc, state) }
        // Through pointers: a subscript copies the timeline out, and then the whole version (its state and
        // ten reference counts more).
        let heldFrom = stored.withUnsafeBufferPointer { ($0.baseAddress! + id).pointee?.heldFrom }
        guard let heldFrom, version.position >= heldFrom else {
            return deferred!.withState(id, position: Int(version.position)) { body(uscc, $0) }
        }
        return stored.withUnsafeBufferPointer { stored in
            (stored.baseAddress! + id).pointee!.allVersions.withUnsafeBufferPointer { versions in
                let place = Int(version.position) - heldFrom
                precondition(versions.indices.contains(place), "the index names only versions of this timeline")
                return body(uscc, Timeline.Version.state(of: versions.baseAddress! + place))
            }
        }
    }

    /// The state of a version the index found, where it lies in a timeline this projection holds, reached
    /// without a reference count moving (`Timeline.state(at:inSlot:)`); nil where no held timeline has it (a
    /// snapshot's timeline not kept: decoded alone) or the layout is not the one checked. `withState`'s
    /// first way. The address holds while this projection, or a copy of it, is held: it is read within the
    /// call that asked, or kept beside a holder of the projection (`RosterEntry`).
    @inline(__always)
    func stateInPlace(at version: VersionIndex.Winner) -> UnsafePointer<InstitutionState>? {
        let id = Int(version.institution)
        guard id >= 0, id < stored.count else { return nil }
        let held = stored.withUnsafeBufferPointer { stored -> UnsafePointer<InstitutionState>? in
            let slot = stored.baseAddress! + id
            guard slot.pointee != nil else { return nil }  // compared in place: an `if let` would copy the timeline
            return Timeline.state(at: Int(version.position), inSlot: UnsafeRawPointer(slot))
        }
        return held ?? deferredSlots?.stateInPlace(id, position: Int(version.position)) ?? deferred?.stateInPlace(id, position: Int(version.position))
    }

    /// Asks the memory system for what reading the states of `versions[place + d]` will wait on, for a loop
    /// over them at `place` (`end` its end): a hint, nothing is waited on. Reading a state is a chain of cache
    /// misses (the institution's slots, its versions' array, the version, then the objects its state refers
    /// to that a roster's JSON reads); asked a few states ahead, the misses of several overlap rather than
    /// follow one another. Three steps, each needing only what the one before brought in: the slots
    /// `3 × prefetchDistance` states ahead, the versions `2 × prefetchDistance` ahead, their parts
    /// `prefetchDistance` ahead — unless `parts` is false, for a loop that reads the state's own words alone
    /// (a roster's entries, which borrow the objects they refer to).
    @inline(__always)
    func prefetchStates(of versions: [VersionIndex.Winner], ahead place: Int, before end: Int, parts: Bool = true) {
        let distance = Self.prefetchDistance
        if place + 3 * distance < end { prefetchSlots(of: versions[place + 3 * distance]) }
        if place + 2 * distance < end { prefetchVersion(versions[place + 2 * distance], step: .version) }
        if parts, place + distance < end { prefetchVersion(versions[place + distance], step: .entryParts) }
    }

    /// The institution's USCC and the slot of its timeline.
    @inline(__always)
    private func prefetchSlots(of version: VersionIndex.Winner) {
        let id = Int(version.institution)
        index.institutions.withUnsafeBufferPointer { outlet_prefetch($0.baseAddress! + id) }
        prefetchSlot(ofInstitution: version.institution)
    }

    /// The slot of the timeline at `id` (a new institution's, past the end, is not asked for).
    @inline(__always)
    private func prefetchSlot(ofInstitution id: Int32) {
        guard id >= 0, Int(id) < stored.count else { return }
        stored.withUnsafeBufferPointer { outlet_prefetch($0.baseAddress! + Int(id)) }
        deferredSlots?.prefetchSlot(Int(id))
    }

    /// What `take(_:)` asks for, a step at a time: the timeline's array of versions, then its newest version.
    enum NewestVersionStep { case array, version }

    /// The timeline at `id`'s array of versions, or (`step` `.version`, once the array is at hand) its newest
    /// version's lines, if the timeline is folded here.
    @inline(__always)
    private func prefetchNewestVersion(ofInstitution id: Int32, step: NewestVersionStep) {
        guard id >= 0, Int(id) < stored.count else { return }
        stored.withUnsafeBufferPointer { stored in
            let slot = stored.baseAddress! + Int(id)
            guard slot.pointee != nil else { return }  // compared in place: an `if let` would copy the timeline
            switch step {
            case .array: Timeline.prefetchVersions(inSlot: UnsafeRawPointer(slot))
            case .version: Timeline.prefetchNewestVersion(inSlot: UnsafeRawPointer(slot))
            }
        }
    }

    /// The version's lines, from the slot (if the timeline is at hand: one not yet decoded from its snapshot
    /// is not asked for).
    @inline(__always)
    private func prefetchVersion(_ version: VersionIndex.Winner, step: VersionStep) {
        let (id, position) = (Int(version.institution), Int(version.position))
        let atHand = stored.withUnsafeBufferPointer { stored in
            let slot = stored.baseAddress! + id
            guard slot.pointee != nil else { return false }
            switch step {
            case .version: Timeline.prefetchVersion(at: position, inSlot: UnsafeRawPointer(slot))
            case .entryParts: Timeline.prefetchEntryParts(at: position, inSlot: UnsafeRawPointer(slot))
            }
            return true
        }
        guard !atHand, let deferredSlots else { return }
        switch step {
        case .version: deferredSlots.prefetchVersion(id, position: position)
        case .entryParts: deferredSlots.prefetchEntryParts(id, position: position)
        }
    }

    /// What `prefetchStates` asks for of a version, a step at a time: its lines, then the parts its state refers to.
    enum VersionStep { case version, entryParts }

    /// One institution's status on `date` (DOMAIN.md §6).
    public func status(of uscc: USCC, on date: LocalDate) -> StatusReport {
        let state = timeline(of: uscc).flatMap { self.state(of: $0, on: date) } ?? InstitutionState()
        return state.status(on: date, periods: periods)
    }

    /// The outlet number of the registration a state stands on, if it is registered.
    public func outletNumber(of state: InstitutionState) -> String? {
        guard case .registered = state.standing, let registration = state.registrations.last else { return nil }
        return outletNumbers[registration.seq]
    }
}

extension RegistryProjection {
    /// The version of the fold itself: bumped whenever `evolve` or the timelines would give a different
    /// state for the same events, so that snapshots made by the old fold are not used by the new one.
    public static let projectionVersion: UInt16 = 1
}
