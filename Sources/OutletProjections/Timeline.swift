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
    /// Every version ever appended, in stream order, retracted ones included.
    public private(set) var allVersions: [Version]

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
        static func state(of version: UnsafePointer<Version>) -> UnsafePointer<InstitutionState> {
            guard let offset = MemoryLayout<Version>.offset(of: \.state) else { preconditionFailure("a version stores its state") }
            return (UnsafeRawPointer(version) + offset).assumingMemoryBound(to: InstitutionState.self)
        }

        /// Appended by `seq` and not retracted by then.
        @inline(__always)
        public func isLive(at seq: Int64) -> Bool {
            self.seq <= seq && (retractedBy.map { $0 > seq } ?? true)
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
    mutating func apply(_ event: FoldEvent, periods: Periods) -> Applied {
        if case .retracted(let target) = event.facts {
            // The rules allow only the stream's latest live event to be retracted.
            if let index = allVersions.lastIndex(where: { $0.retractedBy == nil }), allVersions[index].seq == target {
                allVersions[index].retractedBy = event.seq
                return .retraction(of: allVersions[index].seq)
            }
            return .nothing
        }
        // The state alone is copied out (its parts shared until evolve changes one), not its whole version.
        var state = newest { $0.retractedBy == nil } ?? InstitutionState()
        state.evolve(event, periods: periods)
        let facts = withUnsafePointer(to: &state) { VersionIndex.Facts(of: $0) }  // in place, where the state is at hand
        allVersions.append(Version(seq: event.seq, type: event.type, effectiveOn: event.effectiveOn, state: state))
        return .version(position: allVersions.count - 1, facts: facts)
    }
}
