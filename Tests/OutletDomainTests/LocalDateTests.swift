import OutletDomain
import OutletTestSupport
import Testing

@Suite("Calendar dates and Civil Code month arithmetic")
struct LocalDateTests {
    @Test("only real dates in YYYY-MM-DD parse", arguments: ["2025-02-29", "2025-13-01", "2025-1-01", "2025/01/01", "20250101", ""])
    func refused(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("day numbers round-trip across centuries")
    func dayNumbers() {
        for dayNumber in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: dayNumber).dayNumber == dayNumber)
        }
        #expect(LocalDate("1970-01-01")!.dayNumber == 0)
        #expect(LocalDate("2025-10-09")!.adding(days: 1).description == "2025-10-10")
    }

    @Test("Art. 202: a period ending on a day the month lacks ends on its last day")
    func monthEnds() {
        #expect(LocalDate("2024-02-29")!.adding(years: 3).description == "2027-02-28")
        #expect(LocalDate("2024-08-31")!.adding(months: 6).description == "2025-02-28")
        #expect(LocalDate("2023-08-31")!.adding(months: 6).description == "2024-02-29")
    }

    @Test("arithmetic past year 9999 does not fail (a calendar or digest range may reach it)")
    func farFuture() {
        #expect(LocalDate("9999-12-31")!.adding(years: 1).year == 10000)
        #expect(LocalDate("9999-12-31")!.adding(days: 1).year == 10000)
    }

    @Test("weekdays: 2025-10-01 was a Wednesday, 2025-10-11 a Saturday")
    func weekdays() {
        #expect(LocalDate("2025-10-01")!.weekday == 3)
        #expect(LocalDate("2025-10-11")!.weekday == 6)
    }
}
