import CPrefetch
import OutletDomain

/// One institution's history as versions of its state, each with the date it took effect: the state
/// on any date D is a lookup (the last version effective on or before D), not a refold. Periods are
/// applied when asked, at D.
///
/// A retracted version is kept, marked with the retraction's seq, so the same timeline also answers
/// "as known at seq S" for any S it has folded: a version counts at S if it was appended by then and
/// not yet retracted.
public struct Timeline: Sendable {
    public let uscc: USCC
    /// Every version ever appended, in stream order, retracted ones included — from `heldFrom` on.
    public private(set) var allVersions: [Version]
    /// The position of `allVersions`' first version: 0, but for a timeline continued from a snapshot
    /// (`continued(uscc:from:versions:)`), which holds the snapshot's newest version and those folded after it. Such a
    /// timeline never leaves its projection: the versions before are read from the snapshot, and it is
    /// made whole (`completing(_:)`) before anything else reads it.
    package private(set) var heldFrom = 0

    /// The state after one live event, and the event's place and date.
    public struct Version: Sendable {
        public let seq: Int64
        public let type: EventType
        public let effectiveOn: LocalDate
        public let state: InstitutionState
        /// The seq of the `retracted` event that withdrew this one, if any.
        public internal(set) var retractedBy: Int64?

        public init(seq: Int64, type: EventType, effectiveOn: LocalDate, state: InstitutionState, retractedBy: Int64? = nil) {
            self.seq = seq
            self.type = type
            self.effectiveOn = effectiveOn
            self.state = state
            self.retractedBy = retractedBy
        }

        /// The state of the version at `version`, in place: what reads a stored version's state field by field.
        package static func state(of version: UnsafePointer<Version>) -> UnsafePointer<InstitutionState> {
            guard let offset = MemoryLayout<Version>.offset(of: \.state) else { preconditionFailure("a version stores its state") }
            return (UnsafeRawPointer(version) + offset).assumingMemoryBound(to: InstitutionState.self)
        }

        /// Appended by `seq` and not retracted by then.
        @inline(__always)
        public func isLive(at seq: Int64) -> Bool {
            self.seq <= seq && (retractedBy.map { $0 > seq } ?? true)
        }
    }

    /// Asks for the lines of the version at `position` of the timeline in `slot` (a `Timeline`, or a
    /// `Timeline?` that holds one, laid out alike), and for its array's count: a hint, nothing is read but the
    /// slot and nothing is waited on.
    @inline(__always)
    static func prefetchVersion(at position: Int, inSlot slot: UnsafeRawPointer) {
        guard let elements = VersionsLayout.elements(inSlot: slot), let held = VersionsLayout.heldPlace(of: position, inSlot: slot) else { return }
        let version = elements + held * MemoryLayout<Version>.stride
        for offset in stride(from: 0, to: MemoryLayout<Version>.size, by: 64) { outlet_prefetch(version + offset) }
        outlet_prefetch(version + (MemoryLayout<Version>.size - 1))
        outlet_prefetch(elements - VersionsLayout.countBeforeElements)
    }

    /// Asks for the objects the state of the version at `position` of the timeline in `slot` refers to that a
    /// roster entry reads (`InstitutionState.entryPartOffsets`), to be written (their reference counts move),
    /// once `prefetchVersion` has brought the version in. The version is read (its references), if it is one
    /// of the timeline's.
    @inline(__always)
    static func prefetchEntryParts(at position: Int, inSlot slot: UnsafeRawPointer) {
        guard let state = state(at: position, inSlot: slot), let parts = InstitutionState.entryPartOffsets else { return }
        for offset in [parts.institution, parts.serviceItems] {
            if let object = UnsafeRawPointer(state).load(fromByteOffset: offset, as: UnsafeRawPointer?.self) { outlet_prefetch_write(object) }
        }
    }

    /// The state of the version at `position` of the timeline in `slot`, where it lies, its address read from
    /// the slot's words as the prefetch hints read it: reached through the array, the array is retained and
    /// released around the read, two more atomic operations on an entry that needs none (and a fence each,
    /// which stops the misses of the states asked for ahead from overlapping). Nil where the layout is not
    /// the one checked, or `position` is past the timeline's versions: the caller reads through the array.
    /// The address holds while the slot's timeline is neither changed nor freed: within a call on the
    /// projection that holds it, or beside a holder of that projection (`RosterEntry`).
    @inline(__always)
    static func state(at position: Int, inSlot slot: UnsafeRawPointer) -> UnsafePointer<InstitutionState>? {
        guard let held = VersionsLayout.heldPlace(of: position, inSlot: slot), let (storage, elementsOffset) = VersionsLayout.storage(inSlot: slot),
              held < storage.load(fromByteOffset: elementsOffset - VersionsLayout.countBeforeElements, as: Int.self)
        else { return nil }
        let version = storage + elementsOffset + held * MemoryLayout<Version>.stride
        return Version.state(of: version.assumingMemoryBound(to: Version.self))
    }

    /// Asks for the line of the versions' array of the timeline in `slot` that holds its count.
    @inline(__always)
    static func prefetchVersions(inSlot slot: UnsafeRawPointer) {
        guard let elements = VersionsLayout.elements(inSlot: slot) else { return }
        outlet_prefetch(elements - VersionsLayout.countBeforeElements)
    }

    /// Asks for the lines of the newest version of the timeline in `slot`, once `prefetchVersions` has
    /// brought its count in.
    @inline(__always)
    static func prefetchNewestVersion(inSlot slot: UnsafeRawPointer) {
        guard let count = VersionsLayout.count(inSlot: slot) else { return }
        prefetchVersion(at: count - 1, inSlot: slot)
    }

    /// Where a slot's versions lie, read from the slot's words rather than through the array: the array
    /// itself would be retained around any use (`withUnsafeBufferPointer` too, on a slot reached through a
    /// pointer), and a retain waits on the very line a prefetch asks for.
    /// The standard library's layout (the array one pointer to its storage, a count two words before its
    /// elements) is checked once, on a real array: were it ever different, no hint is given and every
    /// state is read through its array.
    private enum VersionsLayout {
        /// Where in a slot its array lies, and where in the array's storage its elements start: one lazy global,
        /// not two, as each is a call to see it is set, for every state read.
        static let offsets: (slot: Int, elements: Int, heldFrom: Int)? = {
            // An array of words: its elements start where an array of versions' do (both word-aligned).
            guard let slotOffset = MemoryLayout<Timeline>.offset(of: \Timeline.allVersions),
                  let heldFromOffset = MemoryLayout<Timeline>.offset(of: \Timeline.heldFrom),
                  MemoryLayout<Version>.alignment == MemoryLayout<Int>.alignment else { return nil }
            let probe = [Int](repeating: 0, count: 3)
            return withUnsafeBytes(of: probe) { words -> (slot: Int, elements: Int, heldFrom: Int)? in
                guard words.count == MemoryLayout<UnsafeRawPointer>.size,
                      let storage = words.load(as: UnsafeRawPointer?.self) else { return nil }
                let offset = probe.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) - storage }
                guard offset >= countBeforeElements, storage.load(fromByteOffset: offset - countBeforeElements, as: Int.self) == 3 else { return nil }
                return (slotOffset, offset, heldFromOffset)
            }
        }()

        /// Where the version at `position` lies in the slot's array (nil: before the versions it holds).
        @inline(__always)
        static func heldPlace(of position: Int, inSlot slot: UnsafeRawPointer) -> Int? {
            guard let offsets else { return nil }
            let held = position - slot.load(fromByteOffset: offsets.heldFrom, as: Int.self)
            return held >= 0 ? held : nil
        }

        /// How far before an array's elements its count lies (its capacity lies between).
        static let countBeforeElements = 2 * MemoryLayout<Int>.size

        /// The storage of the versions in `slot` (nil: a layout not known).
        @inline(__always)
        static func storage(inSlot slot: UnsafeRawPointer) -> (storage: UnsafeRawPointer, elementsOffset: Int)? {
            guard let offsets, let storage = slot.load(fromByteOffset: offsets.slot, as: UnsafeRawPointer?.self) else { return nil }
            return (storage, offsets.elements)
        }

        @inline(__always)
        static func elements(inSlot slot: UnsafeRawPointer) -> UnsafeRawPointer? {
            storage(inSlot: slot).map { $0.storage + $0.elementsOffset }
        }

        @inline(__always)
        static func count(inSlot slot: UnsafeRawPointer) -> Int? {
            storage(inSlot: slot).map { $0.storage.load(fromByteOffset: $0.elementsOffset - countBeforeElements, as: Int.self) }
        }
    }

    /// The newest event applied to this timeline (a version's or a retraction's seq): two timelines of
    /// one log with the same last applied seq are the same.
    public var lastAppliedSeq: Int64 {
        allVersions.reduce(0) { max($0, $1.retractedBy ?? $1.seq) }
    }

    public init(uscc: USCC, versions: [Version] = []) {
        self.uscc = uscc
        self.allVersions = versions
    }

    /// A timeline continued from a snapshot's: `versions` are its versions from `position` on, the snapshot's
    /// newest among them. What a query that folds a tail after a snapshot, and answers once, needs of the
    /// timelines the tail changes: their newest state, not every version decoded (most of such a tail's cost).
    package static func continued(uscc: USCC, from position: Int, versions: [Version]) -> Timeline {
        var timeline = Timeline(uscc: uscc, versions: versions)
        timeline.heldFrom = position
        return timeline
    }

    /// Whether `apply` has what it reads: the newest live version (a continued timeline whose held versions
    /// are all retracted needs the snapshot's earlier ones, `completing(_:)`).
    package var holdsNewestLiveVersion: Bool {
        heldFrom == 0 || allVersions.contains { $0.retractedBy == nil }
    }

    /// This whole timeline (the snapshot's), continued as `continuation` was: its retractions of the versions
    /// both hold, and the versions folded after — sharing this timeline's institution boxes where the
    /// continuation's decoded boxes of their own, so that it is the timeline one fold gives, to the bytes a
    /// snapshot writes of it.
    package func completing(_ continuation: Timeline) -> Timeline {
        precondition(heldFrom == 0 && continuation.uscc == uscc && continuation.heldFrom <= allVersions.count,
                     "a continued timeline is completed by its own snapshot's")
        var whole = self
        var boxes: [ObjectIdentifier: Shared<Institution>] = [:]
        for position in continuation.heldFrom..<allVersions.count {
            let held = continuation.allVersions[position - continuation.heldFrom]
            precondition(held.seq == whole.allVersions[position].seq, "a continued timeline holds its snapshot's versions")
            whole.allVersions[position].retractedBy = held.retractedBy
            if let decoded = held.state.sharedInstitution, let own = whole.allVersions[position].state.sharedInstitution {
                boxes[ObjectIdentifier(decoded)] = own
            }
        }
        for folded in continuation.allVersions[(allVersions.count - continuation.heldFrom)...] {
            guard let decoded = folded.state.sharedInstitution, let own = boxes[ObjectIdentifier(decoded)] else {
                whole.allVersions.append(folded)
                continue
            }
            var state = folded.state
            state.share(own)
            whole.allVersions.append(Version(seq: folded.seq, type: folded.type, effectiveOn: folded.effectiveOn, state: state,
                                             retractedBy: folded.retractedBy))
        }
        return whole
    }

    /// The live versions as known at `seq`, oldest first: their `effectiveOn` never decreases (DOMAIN.md §3).
    public func versions(knownAt seq: Int64) -> [Version] {
        allVersions.filter { $0.isLive(at: seq) }
    }

    /// The state after every live event effective on or before `date`, as known at `seq` (nil: nothing yet).
    public func state(on date: LocalDate, knownAt seq: Int64) -> InstitutionState? {
        // Live versions are ordered by date, so the newest live one on or before `date` is the answer.
        newest { $0.isLive(at: seq) && $0.effectiveOn <= date }
    }

    /// The newest state as known at `seq`.
    public func latest(knownAt seq: Int64) -> InstitutionState? {
        newest { $0.isLive(at: seq) }
    }

    /// The state of the newest version that `matches`, the versions looked at in place: an element of the
    /// array, or a closure's argument, is a copy of the whole version (its state's dozen reference counts),
    /// and the fold asks this once per event.
    private func newest(_ matches: (borrowing Version) -> Bool) -> InstitutionState? {
        allVersions.withUnsafeBufferPointer { versions in
            var index = versions.count - 1
            while index >= 0 && !matches(versions[index]) { index -= 1 }
            return index >= 0 ? versions[index].state : nil
        }
    }

    /// What applying an event did to a timeline: a new version, or a retraction of the version at a seq.
    enum Applied {
        case version(position: Int, facts: VersionIndex.Facts)
        case retraction(of: Int64)
        case nothing
    }

    @discardableResult
    mutating func apply(_ event: consuming FoldEvent, periods: Periods) -> Applied {
        // The type first: matching `facts` copies them (a new application's strings retained and released).
        if event.type == .retracted, case .retracted(let target) = event.facts {
            // The rules allow only the stream's latest live event to be retracted.
            if let index = allVersions.lastIndex(where: { $0.retractedBy == nil }), allVersions[index].seq == target {
                allVersions[index].retractedBy = event.seq
                return .retraction(of: allVersions[index].seq)
            }
            return .nothing
        }
        // The state alone is copied out (its parts shared until evolve changes one), not its whole version.
        var state = newest { $0.retractedBy == nil } ?? InstitutionState()
        let (seq, type, effectiveOn) = (event.seq, event.type, event.effectiveOn)
        state.evolve(event, periods: periods)  // its last use: what the event carries moves into the state
        let facts = withUnsafePointer(to: &state) { VersionIndex.Facts(of: $0) }  // in place, where the state is at hand
        // Moved into its version: its address taken above, the state was otherwise copied in and the local
        // released (every part's reference count moved twice more per event).
        allVersions.append(Version(seq: seq, type: type, effectiveOn: effectiveOn, state: consume state))
        return .version(position: heldFrom + allVersions.count - 1, facts: facts)
    }
}

/// One event as the fold takes it: an institution's, or the registry stream's (the position moves on).
package enum FoldStep: Sendable {
    case apply(FoldEvent, stream: USCC)
    case pass(seq: Int64)

    /// The institution whose timeline the step changes; nil for a step of the registry's own stream.
    package var stream: USCC? {
        if case .apply(_, let stream) = self { stream } else { nil }
    }
}
