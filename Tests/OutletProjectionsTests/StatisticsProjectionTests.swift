import OutletDomain
@testable import OutletProjections
import OutletTestSupport
import Testing

@Suite("Statistics for the bureau (Art. 10)")
struct StatisticsProjectionTests {
    @Test("as of 2026-06-30: three municipal outlets (D, A, E); summaries 2024 0/1 and 2025 2/5; one revocation and one bar in 2026")
    func golden() {
        let statistics = GoldenHistory.projection().statistics(on: LocalDate("2026-06-30")!)
        #expect(statistics.outletsByCategory == [.marketService: 1, .university: 1, .researchInstitute: 1])
        #expect(statistics.outletsByDistrict == ["210112": 1, "210103": 1, "210104": 1])
        #expect(statistics.outletsByLevel == [.municipal: 3])
        #expect(statistics.applicationsByStage.isEmpty)
        #expect(statistics.summaries.map { "\($0.year) \($0.filed)/\($0.owed)" } == ["2024 0/1", "2025 2/5"])
        #expect(statistics.revocationsByYear == [2026: 1])
        #expect(statistics.barsByYear == [2026: 1])
    }

    @Test("as of 2025-12-01: E is awaiting its window, the others are outlets")
    func applications() {
        let statistics = GoldenHistory.projection().statistics(on: LocalDate("2025-12-01")!)
        #expect(statistics.applicationsByStage == [.inPublicity: 1])
        #expect(statistics.outletsByLevel == [.municipal: 3, .national: 1])
    }
}
