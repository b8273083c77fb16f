import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("DOMAIN.md §3 ordering and §4 retraction: corrections without rewriting history")
struct CorrectionRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    init() { scenario.registerOutlet() }  // seqs 1–4

    @Test("an act dated before the stream's latest live event is refused")
    func ordering() {
        #expect(scenario.refusal(.infoChanged, "2025-10-09", by: By.city, Payload.infoChanged())?.description
            == "refused (DOMAIN.md §3): effectiveOn 2025-10-09 is earlier than the stream's latest live event (seq 4, effective 2025-10-10); retract that event first to record an earlier act")
    }

    @Test("a wrongly dated event is retracted, then recorded again with the right, earlier date")
    mutating func retractAndCorrect() {
        #expect(scenario.record(.infoChanged, "2026-03-01", by: By.city, Payload.infoChanged()) == nil)  // seq 5, should be 01-05
        #expect(scenario.refusal(.infoChanged, "2026-01-05", by: By.city, Payload.infoChanged())?.article == "DOMAIN.md §3")
        #expect(scenario.record(.retracted, "2026-03-02", by: By.city, Payload.retracted(5)) == nil)  // seq 6
        #expect(scenario.record(.infoChanged, "2026-01-05", by: By.city, Payload.infoChanged()) == nil)  // seq 7
        #expect(Retractions.live(scenario.events).map(\.seq) == [1, 2, 3, 4, 7])
    }

    @Test("retractions undo one at a time, newest first, only live events of this stream, never a retraction")
    mutating func retractionRules() {
        #expect(scenario.refusal(.retracted, "2025-10-11", by: By.city, Payload.retracted(3))?.reason
            == "seq 3 is not the stream's latest live event (seq 4 is); retract newest first, one at a time")
        #expect(scenario.refusal(.retracted, "2025-10-11", by: By.city, Payload.retracted(99))?.reason
            == "seq 99 is not an event of stream 91350100M000100Y43")
        #expect(scenario.refusal(.retracted, "2025-10-11", by: By.applicant(uscc), Payload.retracted(4))?.article == "correction")
        #expect(scenario.record(.retracted, "2025-10-11", by: By.city, Payload.retracted(4)) == nil)  // seq 5
        #expect(scenario.refusal(.retracted, "2025-10-12", by: By.city, Payload.retracted(4))?.reason == "seq 4 is already retracted")
        #expect(scenario.refusal(.retracted, "2025-10-12", by: By.city, Payload.retracted(5))?.reason
            == "seq 5 is itself a retraction; record the retracted act again instead")
        #expect(scenario.status(on: "2025-10-12").stage == .awaitingDecision)
        #expect(scenario.record(.retracted, "2025-10-12", by: By.city, Payload.retracted(3)) == nil)
        #expect(scenario.status(on: "2025-10-12").stage == .recommended)
    }
}

@Suite("A full lifecycle for each of the seven categories (Art. 8)")
struct LifecycleTests {
    static let cases: [(Category, String)] = [
        (.university, "210102"), (.researchInstitute, "210103"), (.industryOrganization, "210104"),
        (.productivityPromotion, "210106"), (.libraryMuseum, "210113"), (.marketService, "210112"), (.other, "210181"),
    ]

    @Test("submitted → recommended → publicized → registered → info-changed → summaries → rectification → renewed → expired",
          arguments: cases)
    func lifecycle(category: Category, district: String) {
        var scenario = Scenario()
        let uscc = scenario.uscc
        let city = By.city
        scenario.registerOutlet(district: district, category: category)
        #expect(scenario.status(on: "2025-09-01").status == .applying)
        #expect(scenario.status(on: "2025-10-01").stage == .inPublicity)
        #expect(scenario.status(on: "2025-10-10").status == .active)
        #expect(scenario.state(on: "2025-10-10").institution?.category == category)
        let steps: [(EventType, String, Actor, EventPayload)] = [
            (.infoChanged, "2026-01-05", By.applicant(uscc), Payload.infoChanged()),
            (.annualSummaryFiled, "2026-01-10", By.applicant(uscc), Payload.summary(2025)),
            (.rectificationOrdered, "2026-03-02", city, Payload.rectificationOrdered),
            (.rectificationCompleted, "2026-08-20", city, Payload.rectificationCompleted),
            (.annualSummaryFiled, "2026-12-25", By.applicant(uscc), Payload.summary(2026)),
            (.annualSummaryFiled, "2027-12-25", By.applicant(uscc), Payload.summary(2027)),
            (.renewed, "2028-06-01", city, Payload.renewed),
            (.annualSummaryFiled, "2028-12-25", By.applicant(uscc), Payload.summary(2028)),
        ]
        for (type, date, actor, payload) in steps {
            #expect(scenario.record(type, date, by: actor, payload) == nil, "\(category) \(type) \(date)")
        }
        #expect(scenario.status(on: "2026-05-01").rectificationDeadline == day("2026-09-02"))
        #expect(scenario.status(on: "2031-10-10").status == .active)
        #expect(scenario.status(on: "2031-10-11").status == .expired)
        #expect(scenario.state(on: "2031-10-11").summaryYears == [2025, 2026, 2027, 2028])
    }
}

@Suite("Status on a date (DOMAIN.md §6), from the institution's own events")
struct StatusTests {
    @Test("stages of an application: submitted, recommended, in-publicity, awaiting-decision")
    func stages() {
        var scenario = Scenario()
        let uscc = scenario.uscc
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        scenario.record(.publicized, "2025-09-26", by: By.city, Payload.publicized())
        #expect(scenario.status(on: "2025-08-24").status == .none)
        #expect(scenario.status(on: "2025-08-25").stage == .submitted)
        #expect(scenario.status(on: "2025-09-02").stage == .recommended)
        #expect(scenario.status(on: "2025-10-09").stage == .inPublicity)
        #expect(scenario.status(on: "2025-10-09").publicityWindowEnds == day("2025-10-09"))
        #expect(scenario.status(on: "2025-10-10").stage == .awaitingDecision)
        #expect(scenario.status(on: "2025-10-10").name == "沈阳示范大学")
    }
}
