import OutletDomain

/// One institution's history as versions of its state, each with the date it took effect: the state
/// on any date D is a lookup (the last version effective on or before D), not a refold. Periods are
/// applied when asked, at D.
public struct Timeline: Sendable {
    public let uscc: USCC
    /// Live events and the state after each, in stream order; `effectiveOn` never decreases (DOMAIN.md §3).
    public private(set) var versions: [(event: DomainEvent, state: InstitutionState)] = []

    public init(uscc: USCC) {
        self.uscc = uscc
    }

    /// The state after every live event effective on or before `date` (nil: nothing yet).
    public func state(on date: LocalDate) -> InstitutionState? {
        var low = 0, high = versions.count
        while low < high {
            let middle = (low + high) / 2
            if versions[middle].event.effectiveOn <= date { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : versions[low - 1].state
    }

    /// The newest state, as of the last live event.
    public var latest: InstitutionState? { versions.last?.state }

    mutating func apply(_ event: DomainEvent, periods: Periods) {
        if case .retracted(let retraction) = event.payload {
            // The rules allow only the stream's latest live event to be retracted, so the timeline is a stack.
            if versions.last?.event.seq == Int64(retraction.targetSeq) { versions.removeLast() }
            return
        }
        var state = versions.last?.state ?? InstitutionState()
        state.evolve(event, periods: periods)
        versions.append((event, state))
    }
}
