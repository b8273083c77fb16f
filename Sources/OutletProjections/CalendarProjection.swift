import OutletDomain

/// A dated obligation or boundary of the expiry calendar 到期日历 (DOMAIN.md §6).
public struct CalendarEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case publicityEnds = "publicity-ends"
        case validityEnds = "validity-ends"
        case renewalWindowOpens = "renewal-window-opens"
        case rectificationDeadline = "rectification-deadline"
        case annualSummaryDue = "annual-summary-due"
        case banEnds = "ban-ends"

        /// Its place among the kinds of one day: the order they are declared in (a switch, not a hash of the name).
        var rank: Int {
            switch self {
            case .publicityEnds: 0
            case .validityEnds: 1
            case .renewalWindowOpens: 2
            case .rectificationDeadline: 3
            case .annualSummaryDue: 4
            case .banEnds: 5
            }
        }
    }

    public var date: LocalDate
    public var kind: Kind
    public var uscc: USCC
    public var name: String
}

extension RegistryProjection {
    /// Every boundary from `from` through `to`, as the history in effect on `asOf` schedules it:
    /// publicity windows, validity ends and renewal windows of registrations not ended early,
    /// rectification deadlines of open orders while the outlet is still on the roster then, annual
    /// summaries owed and not filed, and bar ends. Ordered by date, kind, USCC. An outlet that has left
    /// the roster has no obligation after the day it left (DOMAIN.md §3). Only the states whose columns in
    /// the version index say they can schedule a date in the range are read.
    public func calendar(from: LocalDate, to: LocalDate, asOf: LocalDate) -> (entries: [CalendarEntry], warnings: [String]) {
        calendar(from: from, to: to, asOf: asOf, share: Self.itemsPerShare)
    }

    /// The same, its states read in shares of `share` on every core.
    func calendar(from: LocalDate, to: LocalDate, asOf: LocalDate, share size: Int) -> (entries: [CalendarEntry], warnings: [String]) {
        // Deadlines end on or after their start, and a later start never ends earlier: the first start that
        // reaches `from` is found by halving, and every start before it is out of range.
        let firstStarts = [{ periods.publicityWindowEnd($0).date }, { periods.rectificationDeadline($0).date }]
            .map { Self.firstStart(reaching: from, $0) }
        let startsFrom = firstStarts.contains(nil) ? nil : firstStarts.compactMap { $0 }.min()
        let winners = index.calendarWinners(on: asOf, knownAt: knownAt, from: from, startsFrom: startsFrom)
        let shares = inShares(winners.count, of: size) { share in
            var calendar = CalendarCollector(from: from, to: to, periods: periods)
            for place in share {
                prefetchStates(of: winners, ahead: place, before: share.upperBound)
                withState(at: winners[place]) { calendar.add($0, $1) }
            }
            return calendar
        }
        return CalendarCollector.result(of: shares)
    }

    /// The first day whose deadline ends on or after `day`, among the ten years before it; nil if even the
    /// start a decade back reaches it (then every start may).
    static func firstStart(reaching day: LocalDate, _ end: (LocalDate) -> LocalDate) -> LocalDate? {
        let decadeBack = day.dayNumber - 3_653
        var low = decadeBack, high = day.dayNumber  // the end of a start on `day` is on or after it
        while low < high {
            let middle = low + (high - low) / 2
            if end(LocalDate(dayNumber: middle)) >= day { high = middle } else { low = middle + 1 }
        }
        return low == decadeBack ? nil : LocalDate(dayNumber: low)
    }
}

/// The calendar's entries from one state after another, then in order.
struct CalendarCollector {
    let from: LocalDate, to: LocalDate, periods: Periods
    private var entries: [CalendarEntry] = []
    private var warnings: Set<String> = []
    /// Counted once per day: publicity dates of a whole registry fall on a few thousand days.
    private var windowEnds: [LocalDate: PeriodEnd] = [:]

    init(from: LocalDate, to: LocalDate, periods: Periods) {
        (self.from, self.to, self.periods) = (from, to, periods)
    }

    /// The dates `state` schedules, the state read where it lies, field by field (as a roster entry reads it):
    /// passed as a value, it was copied whole first, each of its parts' reference counts a cache miss.
    mutating func add(_ uscc: USCC, _ state: UnsafePointer<InstitutionState>) {
        let name = state.pointee.name ?? ""
        func add(_ date: LocalDate, _ kind: CalendarEntry.Kind) {
            if from <= date && date <= to { entries.append(CalendarEntry(date: date, kind: kind, uscc: uscc, name: name)) }
        }
        for publicized in state.pointee.publicityDates {
            let end: PeriodEnd
            if let known = windowEnds[publicized] {
                end = known
            } else {
                end = periods.publicityWindowEnd(publicized)
                windowEnds[publicized] = end
            }
            add(end.date, .publicityEnds)
            if from <= end.date && end.date <= to { warnings.formUnion(end.warnings) }
        }
        for registration in state.pointee.registrations where registration.endedOn == nil {
            add(registration.validThrough, .validityEnds)
            add(periods.renewalWindowOpens(registration.validThrough), .renewalWindowOpens)
        }
        for rectification in state.pointee.rectifications where rectification.completedOn == nil {
            let deadline = periods.rectificationDeadline(rectification.orderedOn)
            guard state.pointee.isOnRoster(on: deadline.date) else { continue }  // moot: the outlet left before it
            add(deadline.date, .rectificationDeadline)
            if from <= deadline.date && deadline.date <= to { warnings.formUnion(deadline.warnings) }
        }
        for year in InstitutionState.unfiledSummaryYears(of: state, through: to) {
            // Dates past 9999-12-31 are not dates anyone can be asked for.
            if let due = LocalDate(year: year, month: 12, day: 31) { add(due, .annualSummaryDue) }
        }
        for bar in state.pointee.bars {
            add(bar.through, .banEnds)
        }
    }

    /// What `shares` collected, ordered by date, kind, USCC; the warnings sorted.
    static func result(of shares: [CalendarCollector]) -> (entries: [CalendarEntry], warnings: [String]) {
        let warnings = shares.dropFirst().reduce(into: shares.first?.warnings ?? []) { $0.formUnion($1.warnings) }
        // Keys sorted apart from the entries, each with where its entry is (an entry is larger than its key, and
        // a sort moves what it sorts); then each entry copied once, into its place (not the shares joined first).
        var keys: [(day: LocalDate, rank: Int32, share: Int32, uscc: USCC, index: Int)] = []
        keys.reserveCapacity(shares.reduce(0) { $0 + $1.entries.count })
        for (share, collected) in zip(Int32(0)..., shares) {
            for (index, entry) in collected.entries.enumerated() {
                keys.append((entry.date, Int32(entry.kind.rank), share, entry.uscc, index))
            }
        }
        keys.sort { ($0.day, $0.rank, $0.uscc) < ($1.day, $1.rank, $1.uscc) }
        return (keys.map { shares[Int($0.share)].entries[$0.index] }, warnings.sorted())
    }
}
