import OutletDomain
@testable import OutletProjections
import OutletTestSupport
import Testing

/// Expected values written by hand from the rules (see GoldenHistory), not copied from the program.
@Suite("Roster 名录 on any date, as known at any time (Art. 6(4), 16)")
struct RosterProjectionTests {
    typealias H = GoldenHistory

    /// `outletNo uscc-letter level` per roster entry, in roster order.
    static func rows(_ projection: RegistryProjection, _ date: String) -> [String] {
        let letters = [H.a: "A", H.b: "B", H.c: "C", H.d: "D", H.e: "E", H.f: "F"]
        return projection.roster(on: day(date)).map { "\($0.outletNo ?? "-") \(letters[$0.uscc]!) \($0.level.rawValue)" }
    }

    static let golden: [(String, [String])] = [
        ("2024-02-18", []),  // D's window ends that working Sunday
        ("2024-02-19", ["SY-2024-001 D municipal"]),
        ("2025-03-01", ["SY-2024-001 D municipal", "- C national"]),
        ("2025-05-01", ["SY-2024-001 D municipal", "- C national"]),  // F's inclusion was retracted
        ("2025-10-09", ["SY-2024-001 D municipal", "- C national"]),  // A and B still in publicity
        ("2025-10-10", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-002 B municipal", "- C national"]),
        ("2025-12-09", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-002 B municipal", "- C national"]),
        ("2025-12-10", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-002 B municipal", "SY-2025-003 E municipal", "- C national"]),
        ("2026-02-02", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-003 E municipal", "- C national"]),
        ("2026-06-01", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-003 E municipal"]),
        ("2027-02-19", ["SY-2024-001 D municipal", "SY-2025-001 A municipal", "SY-2025-003 E municipal"]),
        ("2027-02-20", ["SY-2025-001 A municipal", "SY-2025-003 E municipal"]),  // D expired
    ]

    @Test("a roster of thousands is built in shares on every core, entry for entry what building them one at a time gives")
    func sharesBuildTheSameEntries() {
        let projection = H.projection(copies: 1_000)
        let date = day("2025-12-10")  // five outlets a copy
        let order = projection.rosterOrder(on: date)
        #expect(order.count >= 2 * RegistryProjection.itemsPerShare)
        let oneByOne = (0..<order.count).flatMap { projection.roster(order, on: date, offset: $0, limit: 1) }
        #expect(projection.roster(order, on: date, offset: 0, limit: .max) == oneByOne)
        #expect(projection.roster(order, on: date, offset: 7, limit: 4_500) == Array(oneByOne[7..<4_507]))
    }

    @Test("an entry reads its institution and service items as they were when the roster was read, however the projection changes or is dropped after")
    func entriesOutliveTheirProjection() throws {
        var projection = H.projection()
        let date = day("2026-03-02")
        var entries = projection.roster(on: date)
        let before = try #require(entries.first { $0.uscc == H.a })
        let last = H.events.map(\.1.seq).max()!
        projection.apply(DomainEvent(seq: last + 1, type: .infoChanged, effectiveOn: day("2026-03-01"), actor: H.applicant(H.a),
                                     payload: H.payload(.infoChanged, #"{"changes":{"name":"甲大学（新）","serviceItems":["培训"]}}"#)),
                         stream: H.a)
        let after = try #require(projection.roster(on: date).first { $0.uscc == H.a })
        #expect(after.name == "甲大学（新）" && after.serviceItems == ["培训"])
        projection = RegistryProjection(periods: ShippedData.periods)  // let go: only the entries' holders keep the old states
        #expect(before.name == "甲大学" && before.serviceItems == ["专利检索", "培训"] && before.district == "210103")
        #expect(before != after)
        entries.removeAll()
        #expect(before.name == "甲大学")
    }

    @Test("a dozen dates, the whole log known", arguments: golden)
    func roster(date: String, expected: [String]) {
        #expect(Self.rows(H.projection(), date) == expected)
    }

    @Test("known before the retraction (seq 6), F's provincial inclusion still counts on 2025-05-01")
    func knownBeforeRetraction() {
        #expect(Self.rows(H.projection(knownAfter: 6), "2025-05-01") == ["SY-2024-001 D municipal", "- C national", "- F provincial"])
        #expect(Self.rows(H.projection(knownAfter: 7), "2025-05-01") == ["SY-2024-001 D municipal", "- C national"])
    }

    @Test("known before the revocation (seq 23), B is on the roster of 2026-03-01; known after, it is not")
    func knownBeforeRevocation() {
        #expect(Self.rows(H.projection(knownAfter: 23), "2026-03-01").contains("SY-2025-002 B municipal"))
        #expect(!Self.rows(H.projection(knownAfter: 25), "2026-03-01").contains("SY-2025-002 B municipal"))
    }

    @Test("entry fields: validity, rectification, overdue summaries (Art. 18)")
    func fields() throws {
        let projection = H.projection()
        let january = projection.roster(on: day("2026-01-10"))
        func entry(_ uscc: USCC) -> RosterEntry? { january.first { $0.uscc == uscc } }
        #expect(entry(H.d)?.overdueSummaries == [2024])  // 2025 filed 2026-01-05
        #expect(entry(H.a)?.overdueSummaries == [])  // 2025 filed 2026-01-10
        #expect(entry(H.b)?.overdueSummaries == [2025])
        #expect(entry(H.c)?.overdueSummaries == [2025])
        #expect(entry(H.e)?.overdueSummaries == [2025])
        #expect(entry(H.a)?.validThrough == day("2028-10-10"))
        #expect(entry(H.c)?.validThrough == nil)
        #expect(entry(H.c)?.registeredOn == day("2025-03-01"))
        #expect(entry(H.d)?.registeredOn == day("2024-02-19"))
        let march = try #require(projection.roster(on: day("2026-03-02")).first { $0.uscc == H.a })
        #expect(march.underRectification)
        #expect(march.rectificationDeadline == day("2026-09-02"))
        #expect(march.serviceItems == ["专利检索", "培训"])
        #expect(march.name == "甲大学")
    }
}

@Suite("Bans 资格限制 on any date (Art. 19)")
struct BansProjectionTests {
    typealias H = GoldenHistory

    @Test("B is barred from 2026-02-02 through 2029-02-02, and not the day before or after", arguments: [
        ("2026-02-01", false), ("2026-02-02", true), ("2029-02-02", true), ("2029-02-03", false),
    ])
    func bar(date: String, barred: Bool) {
        let bans = H.projection().bans(on: day(date))
        if barred {
            #expect(bans == [BanEntry(uscc: H.b, name: "乙图书馆", ground: .falseMaterials, from: day("2026-02-02"), through: day("2029-02-02"))])
        } else {
            #expect(bans.isEmpty)
        }
    }

    @Test("known before the bar was recorded, there is none")
    func knownBefore() {
        #expect(H.projection(knownAfter: 23).bans(on: day("2026-03-01")).isEmpty)
    }
}

@Suite("Calendar 到期日历 over a range")
struct CalendarProjectionTests {
    typealias H = GoldenHistory

    /// The calendar from `from` to `to` as scheduled by the history in effect on `asOf` (default: all of it).
    static func rows(_ projection: RegistryProjection, _ from: String, _ to: String, asOf: String = "2029-12-31") -> [String] {
        let letters = [H.a: "A", H.b: "B", H.c: "C", H.d: "D", H.e: "E", H.f: "F"]
        return projection.calendar(from: day(from), to: day(to), asOf: day(asOf)).entries.map { "\($0.date) \($0.kind.rawValue) \(letters[$0.uscc]!)" }
    }

    @Test("2025-09-01 to 2025-12-31: three publicity ends and the 2025 summaries not filed (A and D filed theirs)")
    func autumn2025() {
        #expect(Self.rows(H.projection(), "2025-09-01", "2025-12-31") == [
            "2025-10-09 publicity-ends A", "2025-10-09 publicity-ends B", "2025-12-08 publicity-ends E",
            "2025-12-31 annual-summary-due B", "2025-12-31 annual-summary-due C", "2025-12-31 annual-summary-due E",
        ])
    }

    @Test("2026: D's renewal window (2027-02-19 − 180 days), A's rectification deadline, the summaries due; B (revoked 02-02) and C (inclusion ended 06-01) owe none for the year they left")
    func year2026() {
        #expect(Self.rows(H.projection(), "2026-01-01", "2026-12-31") == [
            "2026-08-23 renewal-window-opens D", "2026-09-02 rectification-deadline A",
            "2026-12-31 annual-summary-due A", "2026-12-31 annual-summary-due D", "2026-12-31 annual-summary-due E",
        ])
    }

    @Test("as of a date, the calendar is what was scheduled then: A's and D's 2025 summaries, filed in January 2026, are still due as of 2025-12-31")
    func asOfADate() {
        #expect(Self.rows(H.projection(), "2025-12-01", "2025-12-31", asOf: "2025-12-31") == [
            "2025-12-08 publicity-ends E", "2025-12-31 annual-summary-due A", "2025-12-31 annual-summary-due B",
            "2025-12-31 annual-summary-due C", "2025-12-31 annual-summary-due D", "2025-12-31 annual-summary-due E",
        ])
    }

    @Test("2027 to 2029: D's renewal window and validity end, A's and E's, and the end of B's bar")
    func later() {
        let rows = Self.rows(H.projection(), "2026-08-01", "2029-12-31").filter { !$0.contains("annual-summary-due") && !$0.contains("rectification") }
        #expect(rows == [
            "2026-08-23 renewal-window-opens D", "2027-02-19 validity-ends D",
            "2028-04-13 renewal-window-opens A", "2028-06-13 renewal-window-opens E",
            "2028-10-10 validity-ends A", "2028-12-10 validity-ends E", "2029-02-02 ban-ends B",
        ])
    }

    @Test("known before the revocation, B's validity end and renewal window are still scheduled (and no 2028 summary: it would leave that year)")
    func knownBeforeRevocation() {
        let rows = Self.rows(H.projection(knownAfter: 23), "2028-01-01", "2028-12-31").filter { $0.hasSuffix(" B") }
        #expect(rows == ["2028-04-13 renewal-window-opens B", "2028-10-10 validity-ends B"])
    }
}
