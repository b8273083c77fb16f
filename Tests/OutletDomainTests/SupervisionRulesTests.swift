import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("Art. 16: three years of validity, renewal in the last 180 days")
struct ValidityRulesTests {
    var scenario = Scenario()

    init() { scenario.registerOutlet() }

    @Test("registered 2025-10-10: active through 2028-10-10, expired the day after")
    func validity() {
        #expect(scenario.status(on: "2028-10-10").status == .active)
        #expect(scenario.status(on: "2028-10-10").validThrough == day("2028-10-10"))
        #expect(scenario.status(on: "2028-10-11").status == .expired)
    }

    @Test("a renewal is refused before the window opens, accepted inside it, and adds three years")
    mutating func renewal() {
        #expect(scenario.refusal(.renewed, "2028-04-12", by: By.city, Payload.renewed)?.description
            == "refused (Art. 16): the registration is valid through 2028-10-10; renewal may be recorded from 2028-04-13")
        #expect(scenario.record(.renewed, "2028-04-13", by: By.city, Payload.renewed) == nil)
        #expect(scenario.status(on: "2031-10-10").status == .active)
        #expect(scenario.status(on: "2031-10-11").status == .expired)
    }

    @Test("an expired registration cannot be renewed")
    func expiredRenewal() {
        #expect(scenario.refusal(.renewed, "2028-10-11", by: By.city, Payload.renewed)?.reason
            == "only a registered outlet within its validity can be renewed; its registration expired after 2028-10-10")
    }
}

@Suite("Art. 17: changes of important information and termination")
struct ChangeRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    @Test("an outlet on the roster reports changes, by itself or through the city bureau; not before registration")
    mutating func changes() {
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        #expect(scenario.refusal(.infoChanged, "2025-09-01", by: By.applicant(uscc), Payload.infoChanged())?.article == "Art. 17")
        scenario = Scenario()
        scenario.registerOutlet()
        #expect(scenario.record(.infoChanged, "2026-01-05", by: By.applicant(uscc), Payload.infoChanged()) == nil)
        #expect(scenario.record(.infoChanged, "2026-01-06", by: By.city, Payload.infoChanged(district: "210104")) == nil)
        #expect(scenario.state(on: "2026-01-06").institution?.district == "210104")
    }

    @Test("an outlet cannot move out of Shenyang (Art. 4(1))")
    mutating func districtStaysInShenyang() {
        scenario.registerOutlet()
        #expect(scenario.refusal(.infoChanged, "2026-01-05", by: By.city, Payload.infoChanged(district: "210201"))?.article == "Art. 4(1)")
    }

    @Test("termination of an active outlet is accepted; of an expired one refused")
    mutating func termination() {
        scenario.registerOutlet()
        #expect(scenario.refusal(.terminated, "2028-10-11", by: By.city, Payload.terminated)?.article == "Art. 17")
        #expect(scenario.record(.terminated, "2026-01-10", by: By.city, Payload.terminated) == nil)
        #expect(scenario.status(on: "2026-01-10").status == .terminated)
        #expect(scenario.status(on: "2026-01-09").status == .active)
    }
}

@Suite("Art. 18: annual summaries and rectification")
struct SupervisionRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    init() { scenario.registerOutlet() }

    @Test("a summary for a year on the roster, once; not for a year off it, nor before the year")
    mutating func summaries() {
        #expect(scenario.refusal(.annualSummaryFiled, "2025-12-20", by: By.applicant(uscc), Payload.summary(2024))?.reason
            == "the institution was not on the roster any day of 2024; it owes no summary for it")
        #expect(scenario.refusal(.annualSummaryFiled, "2025-12-20", by: By.applicant(uscc), Payload.summary(2026))?.article == "Art. 18")
        #expect(scenario.refusal(.annualSummaryFiled, "2025-12-20", by: By.city, Payload.summary(2025))?.article == "Art. 18")
        #expect(scenario.record(.annualSummaryFiled, "2025-12-20", by: By.applicant(uscc), Payload.summary(2025)) == nil)
        #expect(scenario.refusal(.annualSummaryFiled, "2025-12-21", by: By.applicant(uscc), Payload.summary(2025))?.reason
            == "the summary of 2025 was already filed; one is filed per year")
        #expect(scenario.record(.annualSummaryFiled, "2027-01-15", by: By.applicant(uscc), Payload.summary(2026)) == nil)
    }

    @Test("a summary is owed for each year whose 12-31 the outlet spent on the roster, and stays owed until filed")
    func summaryYearsOwed() {
        let through = scenario.state(on: "2029-06-30")  // registered 2025-10-10, valid through 2028-10-09
        #expect(through.summaryYearsDue(through: day("2029-06-30")) == [2025, 2026, 2027])
        #expect(through.summaryYearsDue(through: day("2026-12-30")) == [2025])
        #expect(through.summaryYearsDue(through: day("2026-12-31")) == [2025, 2026])
        for (leaving, owed) in [("2027-01-01", [2025, 2026]), ("2026-12-31", [2025])] {
            var left = scenario
            #expect(left.record(.terminated, leaving, by: By.city, Payload.terminated) == nil)
            #expect(left.state(on: "2029-06-30").summaryYearsDue(through: day("2029-06-30")) == owed, "leaving \(leaving)")
        }
        var filed = scenario
        #expect(filed.record(.annualSummaryFiled, "2026-01-15", by: By.applicant(uscc), Payload.summary(2025)) == nil)
        #expect(filed.state(on: "2029-06-30").unfiledSummaryYears(through: day("2029-06-30")) == [2026, 2027])
    }

    @Test("a rectification is completed on or before its deadline, not after")
    mutating func rectification() {
        #expect(scenario.refusal(.rectificationCompleted, "2026-01-05", by: By.city, Payload.rectificationCompleted)?.reason == "no rectification is open")
        #expect(scenario.record(.rectificationOrdered, "2026-01-05", by: By.city, Payload.rectificationOrdered) == nil)
        #expect(scenario.refusal(.rectificationOrdered, "2026-01-06", by: By.city, Payload.rectificationOrdered)?.reason
            == "a rectification ordered 2026-01-05 is still open (deadline 2026-07-06)")
        #expect(scenario.status(on: "2026-03-01").rectificationDeadline == day("2026-07-06"))  // 07-05 is a Sunday
        #expect(scenario.refusal(.rectificationCompleted, "2026-07-07", by: By.city, Payload.rectificationCompleted)?.article == "Art. 18")
        #expect(scenario.record(.rectificationCompleted, "2026-07-06", by: By.city, Payload.rectificationCompleted) == nil)
        #expect(scenario.status(on: "2026-07-06").rectificationDeadline == nil)
    }

    @Test("revocation for failed rectification only after the deadline has passed")
    mutating func failedRectification() {
        #expect(scenario.refusal(.revoked, "2026-02-01", by: By.city, Payload.revoked(.failedRectification))?.reason
            == "revocation for failed rectification needs an open rectification; none is open")
        scenario.record(.rectificationOrdered, "2026-01-05", by: By.city, Payload.rectificationOrdered)
        #expect(scenario.refusal(.revoked, "2026-07-06", by: By.city, Payload.revoked(.failedRectification))?.reason
            == "the rectification ordered 2026-01-05 runs through 2026-07-06; revocation for failing it is possible from 2026-07-07")
        #expect(scenario.record(.revoked, "2026-07-07", by: By.city, Payload.revoked(.failedRectification)) == nil)
        #expect(scenario.status(on: "2026-07-07").status == .revoked)
        #expect(scenario.status(on: "2026-07-07").barredThrough == nil)
    }
}

@Suite("Art. 19: revocation and decline for fraud carry a three-year bar")
struct BarRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    @Test("a revocation for false materials without its bar is refused, and a bar alone is refused")
    mutating func pairing() {
        scenario.registerOutlet()
        #expect(scenario.refusal(.revoked, "2026-01-05", by: By.city, Payload.revoked(.falseMaterials))?.reason
            == "a revoked on an Art. 19 ground must be followed, in the same call, by its barred-3-years (三年内不接受申请)")
        #expect(scenario.refusal(.barred3Years, "2026-01-05", by: By.city, Payload.barred(.falseMaterials))?.article == "Art. 19")
        #expect(scenario.record([(.revoked, "2026-01-05", By.city, Payload.revoked(.falseMaterials)),
                                 (.barred3Years, "2026-01-05", By.city, Payload.barred(.illegalActivity))])?.reason
            == "barred-3-years must carry the ground (false-materials) and date (2026-01-05) of the revoked it follows")
    }

    @Test("revoked for false materials on 2026-01-05: an application on 2029-01-05 (last barred day) is refused, on 2029-01-06 accepted")
    mutating func barLifecycle() {
        scenario.registerOutlet()
        #expect(scenario.record([(.revoked, "2026-01-05", By.city, Payload.revoked(.falseMaterials)),
                                 (.barred3Years, "2026-01-05", By.city, Payload.barred(.falseMaterials))]) == nil)
        let status = scenario.status(on: "2027-01-01")
        #expect(status.status == .revoked)
        #expect(status.barredThrough == day("2029-01-05"))
        #expect(scenario.refusal(.submitted, "2029-01-05", by: By.applicant(uscc), Payload.submitted(uscc))?.description
            == "refused (Art. 19): the institution is barred from applying from 2026-01-05 through 2029-01-05 (false-materials); an application is possible from 2029-01-06")
        #expect(scenario.refusal(.submitted, "2029-01-06", by: By.applicant(uscc), Payload.submitted(uscc)) == nil)
    }

    @Test("a decline for false materials travels with its bar")
    mutating func declineWithBar() {
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        #expect(scenario.refusal(.declined, "2025-08-30", by: By.shenhe, Payload.declined("district", falseMaterials: true))?.article == "Art. 19")
        #expect(scenario.record([(.declined, "2025-08-30", By.shenhe, Payload.declined("district", falseMaterials: true)),
                                 (.barred3Years, "2025-08-30", By.city, Payload.barred(.falseMaterials))]) == nil)
        #expect(scenario.status(on: "2025-09-01").barredThrough == day("2028-08-30"))
    }
}
