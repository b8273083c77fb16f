/// An institution's standing on a date (DOMAIN.md §6), with the dates that matter.
public struct StatusReport: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case applying, declined, active, included, expired, revoked, terminated, superseded, none
    }

    /// Where an open application is.
    public enum Stage: String, Sendable, CaseIterable {
        case submitted, recommended
        case inPublicity = "in-publicity"
        /// The window is over and no decision is recorded yet.
        case awaitingDecision = "awaiting-decision"
        /// An objection is open, inside or after the window: it takes precedence.
        case objectionPending = "objection-pending"
    }

    public var asOf: LocalDate
    public var name: String?
    public var status: Status
    public var stage: Stage?
    public var publicityWindowEnds: LocalDate?
    public var registeredOn: LocalDate?
    public var validThrough: LocalDate?
    public var rectificationDeadline: LocalDate?
    public var barredThrough: LocalDate?
    public var barGround: Barred3Years.Ground?
    /// How a date was computed where the holiday data ran out.
    public var warnings: [String] = []
}

extension InstitutionState {
    /// The status on `date` of a state folded from the live events effective on or before `date`.
    public func status(on date: LocalDate, periods: Periods) -> StatusReport {
        var report = StatusReport(asOf: date, name: name, status: .none)
        func note(_ end: PeriodEnd) -> LocalDate {
            report.warnings += end.warnings.filter { !report.warnings.contains($0) }
            return end.date
        }
        if let application {
            report.status = .applying
            if let publicity = application.publicity {
                let windowEnds = note(periods.publicityWindowEnd(publicity.on))
                report.publicityWindowEnds = windowEnds
                report.stage = date <= windowEnds ? .inPublicity : .awaitingDecision
            } else {
                report.stage = application.recommendedOn == nil ? .submitted : .recommended
            }
            if !application.openObjections.isEmpty { report.stage = .objectionPending }
        } else {
            switch standing {
            case .none, .inclusionEnded, .applying: report.status = .none
            case .declined: report.status = .declined
            case .registered(let since, let validThrough):
                report.status = date <= validThrough ? .active : .expired
                report.registeredOn = since
                report.validThrough = validThrough
            case .included: report.status = .included
            case .revoked: report.status = .revoked
            case .terminated: report.status = .terminated
            case .superseded: report.status = .superseded
            }
        }
        if let ordered = rectificationOrderedOn, report.status == .active {
            report.rectificationDeadline = note(periods.rectificationDeadline(ordered))
        }
        if let bar = bar(on: date) {
            report.barredThrough = bar.through
            report.barGround = bar.ground
        }
        return report
    }
}

/// What puts an outlet on the roster 名录, as its standing gives it: a registration (Art. 6(4)) through its last
/// valid day, or an inclusion (Art. 7) with no end of its own; neither while a new application is open (its status
/// is then `applying`). On a date it holds, it is what `status(on:periods:)` reports as active or included.
/// Made from the standing's values, not a state: the readers of many states in place (the roster, the version
/// index) ask it without copying a state, which would retain each of the state's parts.
public enum RosterPlace: Sendable, Equatable {
    case registered(on: LocalDate, validThrough: LocalDate)
    case included(level: AutoIncluded.Level, on: LocalDate)

    /// Nil for a standing that puts no outlet on the roster, or under an open application.
    public init?(_ standing: InstitutionState.Standing, applying: Bool) {
        guard !applying else { return nil }
        switch standing {
        case .registered(let on, let validThrough): self = .registered(on: on, validThrough: validThrough)
        case .included(let level, let on): self = .included(level: level, on: on)
        case .none, .applying, .declined, .revoked, .terminated, .superseded, .inclusionEnded: return nil
        }
    }

    /// The last day it holds; nil for an inclusion, which holds until it ends.
    public var validThrough: LocalDate? {
        if case .registered(_, let validThrough) = self { return validThrough }
        return nil
    }

    /// Whether it holds on `date`, for a standing folded from the events effective by `date` (so begun by then).
    public func holds(on date: LocalDate) -> Bool {
        validThrough.map { date <= $0 } ?? true
    }
}
