/// How periods are counted: a policy switch chosen at `init`.
public enum PeriodRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Civil Code Art. 201–203 (the default): the day of the act is not counted; a period ends on the
    /// corresponding day (or the month's last day); a deadline to act ending on a rest day is extended
    /// to the next working day.
    case civilCode = "civil-code"
    /// The day of the act is day 1; no extension.
    case inclusiveCalendar = "inclusive-calendar"
}

/// A computed date and anything the caller must be told about how it was computed.
public struct PeriodEnd: Sendable, Hashable {
    public let date: LocalDate
    /// e.g. "no holiday data for 2027: only weekends were counted as rest days".
    public let warnings: [String]
}

/// The periods of DOMAIN.md §3, under one policy and one holiday calendar.
public struct Periods: Sendable {
    public let policy: Policy
    public let calendar: HolidayCalendar

    public init(policy: Policy, calendar: HolidayCalendar) {
        self.policy = policy
        self.calendar = calendar
    }

    /// The last day of the publicity window 公示期 opened on `publicized` (Art. 6(3)): a deadline.
    public func publicityWindowEnd(_ publicized: LocalDate) -> PeriodEnd {
        deadline(end(publicized.adding(days: policy.publicityDays)))
    }

    /// The last valid day of a registration made on `registered` (Art. 16): not extended.
    public func validThrough(registeredOn registered: LocalDate) -> LocalDate {
        end(registered.adding(years: policy.validityYears))
    }

    /// The new last valid day after a renewal of a registration valid through `lastValidDay` (Art. 16).
    public func renewedThrough(_ lastValidDay: LocalDate) -> LocalDate {
        lastValidDay.adding(years: policy.validityYears)
    }

    /// The first day a renewal may be recorded (Art. 16): the window closes on the last valid day.
    public func renewalWindowOpens(_ lastValidDay: LocalDate) -> LocalDate {
        lastValidDay.adding(days: -policy.renewalWindowDays)
    }

    /// The deadline of a rectification ordered on `ordered` (Art. 18): a deadline.
    public func rectificationDeadline(_ ordered: LocalDate) -> PeriodEnd {
        deadline(end(ordered.adding(months: policy.rectificationMonths)))
    }

    /// The last barred day of a bar starting `barred` (Art. 19): not extended.
    public func barredThrough(_ barred: LocalDate) -> LocalDate {
        end(barred.adding(years: policy.barYears))
    }

    /// The Civil Code end is the corresponding day; counting the day of the act as day 1 ends a day sooner.
    private func end(_ corresponding: LocalDate) -> LocalDate {
        switch policy.periodRule {
        case .civilCode: corresponding
        case .inclusiveCalendar: corresponding.adding(days: -1)
        }
    }

    /// A deadline for someone to act that ends on a rest day runs to the next working day (Civil Code Art. 203).
    private func deadline(_ last: LocalDate) -> PeriodEnd {
        guard policy.periodRule == .civilCode else { return PeriodEnd(date: last, warnings: []) }
        var date = last
        var uncovered: Set<Int> = []
        while true {
            if !calendar.covers(date.year) { uncovered.insert(date.year) }
            guard calendar.isRestDay(date) else { break }
            date = date.adding(days: 1)
        }
        let warnings = uncovered.sorted().map {
            "no holiday data for \($0) (\(calendar.source)): only weekends were counted as rest days; supply a holiday file with --holidays"
        }
        return PeriodEnd(date: date, warnings: warnings)
    }
}
