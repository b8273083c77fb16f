import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("Periods as the Civil Code counts them (DOMAIN.md §3)")
struct PeriodsTests {
    let periods = ShippedData.periods

    @Test("worked example: publicized 2025-09-26, day 5 is the National Day holiday, the window ends 2025-10-09")
    func workedExample() {
        let end = periods.publicityWindowEnd(day("2025-09-26"))
        #expect(end.date == day("2025-10-09"))
        #expect(end.warnings.isEmpty)
    }

    @Test("a deadline ending on a Saturday runs to Monday")
    func saturday() {
        #expect(day("2025-11-15").weekday == 6)
        #expect(periods.publicityWindowEnd(day("2025-11-10")).date == day("2025-11-17"))
    }

    @Test("a deadline ending on a swapped working Sunday (2025-09-28, 调休上班) ends that Sunday")
    func swappedWorkingSunday() {
        #expect(day("2025-09-28").weekday == 7)
        #expect(periods.publicityWindowEnd(day("2025-09-23")).date == day("2025-09-28"))
    }

    @Test("a deadline ending inside the Spring Festival (2026-02-15..23) runs to the first working day after it")
    func insideAHoliday() {
        #expect(periods.publicityWindowEnd(day("2026-02-12")).date == day("2026-02-24"))
    }

    @Test("Art. 202 month ends: registered 2024-02-29 is valid through 2027-02-28")
    func validityMonthEnd() {
        #expect(periods.validThrough(registeredOn: day("2024-02-29")) == day("2027-02-28"))
    }

    @Test("Art. 202 month ends: rectification ordered 2024-08-31 is due 2025-02-28 (a Friday, a working day)")
    func rectificationMonthEnd() {
        let end = periods.rectificationDeadline(day("2024-08-31"))
        #expect(end.date == day("2025-02-28"))
    }

    @Test("validity and bars are not extended past rest days")
    func notExtended() {
        // 2025-10-01 + 3 years = 2028-10-01, National Day: still the last valid day.
        #expect(periods.validThrough(registeredOn: day("2025-10-01")) == day("2028-10-01"))
        #expect(periods.barredThrough(day("2025-10-04")) == day("2028-10-04"))
    }

    @Test("renewal: the window opens 180 days before the last valid day; a renewal adds 3 years")
    func renewal() {
        #expect(periods.renewalWindowOpens(day("2028-10-10")) == day("2028-04-13"))
        #expect(periods.renewedThrough(day("2028-10-10")) == day("2031-10-10"))
    }

    @Test("inclusive-calendar: the day of the act is day 1 and nothing is extended")
    func inclusiveCalendar() {
        let inclusive = ShippedData.periods(rule: .inclusiveCalendar)
        #expect(inclusive.publicityWindowEnd(day("2025-09-26")).date == day("2025-09-30"))
        #expect(inclusive.validThrough(registeredOn: day("2025-10-10")) == day("2028-10-09"))
        #expect(inclusive.barredThrough(day("2025-10-10")) == day("2028-10-09"))
    }

    @Test("a deadline in a year the holiday data does not cover is computed from weekends, with a warning")
    func uncoveredYear() {
        let end = periods.publicityWindowEnd(day("2027-03-01"))
        #expect(end.date == day("2027-03-08"))  // 03-06 is a Saturday
        #expect(end.warnings.count == 1)
        #expect(end.warnings[0].contains("no holiday data for 2027"))
    }

    @Test("the shipped holiday data: 2024-02-04 is a working Sunday, 2025-10-08 a holiday, 2026-01-04 a working Sunday")
    func shippedData() {
        let calendar = ShippedData.holidays
        #expect(!calendar.isRestDay(day("2024-02-04")))
        #expect(calendar.isRestDay(day("2025-10-08")))
        #expect(!calendar.isRestDay(day("2026-01-04")))
        #expect(calendar.isRestDay(day("2026-06-20")))
        #expect(calendar.coveredYears == [2024, 2025, 2026])
    }

    @Test("holiday data that is not dates is refused with the year and entry")
    func badHolidayData() {
        #expect(throws: HolidayCalendar.DataError.self) {
            try HolidayCalendar(source: "test", years: [2027: .init(holidays: ["13-01"], workdays: [])])
        }
    }
}
