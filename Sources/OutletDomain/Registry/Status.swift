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
