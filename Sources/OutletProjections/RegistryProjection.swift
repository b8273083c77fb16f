import OutletDomain

/// The whole registry as one fold of the log (or of a prefix of it: "as known at" a seq): a timeline
/// per institution and the outlet numbers, answering the roster, bans, calendar and status of any date.
public struct RegistryProjection: Sendable {
    public let periods: Periods
    public private(set) var timelines: [USCC: Timeline] = [:]
    /// `SY-<year>-<NNN>` by `registered` seq: in registration order within the year, never reused,
    /// so a retracted registration keeps its number used.
    public private(set) var outletNumbers: [Int64: String] = [:]
    private var registrationsByYear: [Int: Int] = [:]
    /// How many events were folded.
    public private(set) var eventCount = 0

    public init(periods: Periods) {
        self.periods = periods
    }

    /// Folds the next event of the log (in seq order).
    public mutating func apply(_ event: DomainEvent, stream: USCC) {
        eventCount += 1
        if event.type == .registered {
            let year = event.effectiveOn.year
            let number = (registrationsByYear[year] ?? 0) + 1
            registrationsByYear[year] = number
            outletNumbers[event.seq] = "SY-\(year)-\(Self.pad(number))"
        }
        timelines[stream, default: Timeline(uscc: stream)].apply(event, periods: periods)
    }

    static func pad(_ number: Int) -> String {
        let digits = String(number)
        return digits.count >= 3 ? digits : String(repeating: "0", count: 3 - digits.count) + digits
    }

    /// One institution's status on `date` (DOMAIN.md §6).
    public func status(of uscc: USCC, on date: LocalDate) -> StatusReport {
        let state = timelines[uscc]?.state(on: date) ?? InstitutionState()
        return state.status(on: date, periods: periods)
    }

    /// The outlet number of the registration a state stands on, if it is registered.
    func outletNumber(of state: InstitutionState) -> String? {
        guard case .registered = state.standing, let registration = state.registrations.last else { return nil }
        return outletNumbers[registration.seq]
    }
}
