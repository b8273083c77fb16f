import Testing
@testable import OutletDomain

/// Art. 18 (DOMAIN.md §3): a summary is owed for each year whose 12-31 the outlet spent on the roster. The
/// bits a state keeps of its spells and filed years must owe exactly what the spells owe.
@Suite("Art. 18: the summaries a state owes, kept as bits, are the ones its spells owe")
struct SummaryYearBitsTests {
    typealias Spell = InstitutionState.RosterSpell

    /// The article itself, year by year: `year` is owed through `date` if its 12-31 is on or before `date` and
    /// inside a spell, and unfiled if no summary of it was filed.
    static func owed(_ spells: [Spell], filed: [Int], through date: LocalDate) -> [Int] {
        guard let first = spells.map(\.from.year).min(), first <= date.year else { return [] }
        return (first...date.year).filter { year in
            let yearEnd = LocalDate(year: year, month: 12, day: 31)!
            return yearEnd <= date && !filed.contains(year)
                && spells.contains { $0.from <= yearEnd && ($0.through.map { yearEnd <= $0 } ?? true) }
        }
    }

    static func date(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("registered 2025-10-10 for three years, the 2025 summary filed: 2026 and 2027 owed in 2029, none before 2026-12-31")
    func oneRegistration() {
        let bits = SummaryYearBits(spells: [Spell(from: Self.date("2025-10-10"), through: Self.date("2028-10-09"))], filed: [2025])
        #expect(bits.unfiled(through: Self.date("2029-06-30")) == [2026, 2027])
        #expect(bits.unfiled(through: Self.date("2026-12-30")) == [])
        #expect(bits.unfiled(through: Self.date("2026-12-31")) == [2026])
        #expect(bits.unfiled(through: Self.date("2025-06-30")) == [])
    }

    @Test("an included outlet owes every year it stays, past the bits' 32 years too: there the spells are asked")
    func openInclusion() {
        let spells = [Spell(from: Self.date("2014-03-01"), through: nil)]
        let bits = SummaryYearBits(spells: spells, filed: [2015])
        #expect(bits.unfiled(through: Self.date("2018-01-01")) == [2014, 2016, 2017])
        #expect(bits.unfiled(through: Self.date("2045-12-31")) == YearSet([2014] + Array(2016...2045)))
        #expect(bits.unfiled(through: Self.date("2046-12-31")) == nil)
        var scenario = Scenario()
        #expect(scenario.record(.autoIncluded, "2014-03-01", by: By.city, Payload.included(scenario.uscc)) == nil)
        #expect(scenario.state(on: "2050-12-31").unfiledSummaryYears(through: Self.date("2050-12-31")) == YearSet(2014...2050))
    }

    @Test("spells recorded out of order, or overlapping, owe each year once, in order")
    func spellsInAnyOrder() {
        let spells = [Spell(from: Self.date("2020-01-01"), through: Self.date("2022-12-31")),
                      Spell(from: Self.date("2016-01-01"), through: Self.date("2018-06-30")),
                      Spell(from: Self.date("2017-03-01"), through: Self.date("2019-12-31"))]
        #expect(SummaryYearBits(spells: spells, filed: [2018]).unfiled(through: Self.date("2024-01-01")) == [2016, 2017, 2019, 2020, 2021, 2022])
    }

    @Test("on thousands of random histories of spells, filed years and dates, the bits owe what the article owes")
    func randomHistories() {
        var random = SplitMix64(state: 18)
        var answered = 0, asked = 0
        for _ in 0..<5_000 {
            // Spells one after another, as the fold makes them: registrations (some ended before they began, some
            // running six years), gaps between, perhaps an inclusion with no end last; now and then shuffled.
            var spells: [Spell] = []
            var day = LocalDate(year: Int.random(in: 2000...2030, using: &random), month: 1, day: 1)!.adding(days: Int.random(in: 0..<365, using: &random))
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                if Int.random(in: 0..<8, using: &random) == 0 {
                    spells.append(Spell(from: day, through: nil))
                    break
                }
                let through = day.adding(days: Int.random(in: -1...(365 * 6), using: &random))
                spells.append(Spell(from: day, through: through))
                day = max(day, through).adding(days: Int.random(in: 1...(365 * 3), using: &random))
            }
            if Int.random(in: 0..<8, using: &random) == 0 { spells.shuffle(using: &random) }
            let years = spells.map(\.from.year)
            let filed = (years.min() ?? 2000)...((years.max() ?? 2000) + 8)
            let filedYears = filed.filter { _ in Bool.random(using: &random) }
            let bits = SummaryYearBits(spells: spells, filed: filedYears)
            for _ in 0..<8 {
                let date = LocalDate(year: Int.random(in: 1999...2070, using: &random), month: 12, day: 31)!
                    .adding(days: -Int.random(in: 0...2, using: &random))
                asked += 1
                guard let unfiled = bits.unfiled(through: date) else { continue }
                answered += 1
                #expect(Array(unfiled) == Self.owed(spells, filed: filedYears, through: date), "spells \(spells), filed \(filedYears), through \(date)")
            }
        }
        // The bits answer nearly always (a date past 32 years of an open spell is the exception): a test in
        // which they never answered would prove nothing.
        #expect(answered > asked * 9 / 10)
    }

    @Test("a set of years is ascending and each year once, as bits or as a list alike")
    func yearSets() {
        #expect(YearSet([2027, 2025, 2027, 2026]) == YearSet(base: 2025, mask: 0b111))
        #expect(Array(YearSet(base: 2014, mask: 0b1000_0101)) == [2014, 2016, 2021])
        #expect(YearSet(base: 2014, mask: 0).isEmpty)
        #expect(YearSet(base: 2014, mask: 0b1000_0101).count == 3)
        #expect(YearSet([2024]) != YearSet([2025]))
    }
}
