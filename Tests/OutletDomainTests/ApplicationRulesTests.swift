import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("Art. 4, 5, 6(1): who may apply")
struct SubmissionRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    @Test("a complete application by the applicant, or by its district bureau, is accepted")
    func accepted() {
        #expect(scenario.refusal(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc)) == nil)
        #expect(scenario.refusal(.submitted, "2025-08-25", by: By.shenhe, Payload.submitted(uscc)) == nil)
    }

    @Test("refused, naming the article", arguments: [
        (Payload.submitted(USCC("91350100M000100Y43")!, district: "110105"), "Art. 4(1)", "district 110105 is not in Shenyang"),
        (Payload.submitted(USCC("91350100M000100Y43")!, fullTime: 2), "Art. 4(1)", "the team has 2 full-time members; at least 3"),
        (Payload.submitted(USCC("91350100M000100Y43")!, materials: ["application-form", "license-copy"]), "Art. 5",
         "materials lack service-rules, work-report, staff-credentials"),
        (Payload.submitted(USCC("91350100M000100Y43")!, sealed: false), "附件1 填表说明六", "not sealed"),
    ])
    func refused(payload: EventPayload, article: String, reason: String) {
        let refusal = scenario.refusal(.submitted, "2025-08-25", by: By.applicant(uscc), payload)
        #expect(refusal?.article == article)
        #expect(refusal?.reason.contains(reason) == true, "\(refusal?.reason ?? "accepted")")
    }

    @Test("Art. 4(2) and 4(3) are rules, not only form: no service item, IP category, mode or database is refused with the article",
          arguments: [
              ("serviceItems", "Art. 4(2)", "no service item is listed"),
              ("ipCategories", "Art. 4(2)", "no IP category is listed"),
              ("serviceModes", "Art. 4(2)", "no service mode is listed"),
              ("databases", "Art. 4(3)", "no database is listed"),
          ])
    func serviceScope(emptied: String, article: String, reason: String) {
        guard case .submitted(var submitted) = Payload.submitted(uscc) else { Issue.record("not a submission"); return }
        switch emptied {
        case "serviceItems": submitted.serviceItems = []
        case "ipCategories": submitted.ipCategories = []
        case "serviceModes": submitted.serviceModes = []
        default: submitted.infrastructure.databases = []
        }
        let refusal = scenario.refusal(.submitted, "2025-08-25", by: By.applicant(uscc), .submitted(submitted))
        #expect(refusal?.article == article && refusal?.reason.hasPrefix(reason) == true, "\(refusal?.description ?? "accepted")")
    }

    @Test("the Decider decides what makes an offer an act at all: not recorded before it takes effect (§3), naming its own stream's institution (§2)")
    func admissible() throws {
        let early = DomainEvent(seq: 1, type: .submitted, effectiveOn: LocalDate("2025-08-25")!, actor: By.applicant(uscc),
                                payload: Payload.submitted(uscc), recordedOn: LocalDate("2025-08-24")!)
        #expect { try scenario.decider.decide([early], stream: uscc, history: []) } throws: { error in
            let refusal = error as? Refusal
            return refusal?.kind == .input && refusal?.article == "DOMAIN.md §3"
                && refusal?.reason == "effectiveOn 2025-08-25 is later than the recording date 2025-08-24 (Asia/Shanghai); acts are recorded once they take effect"
        }
        let other = USCC("91110000802100433B")!
        let foreign = DomainEvent(seq: 1, type: .submitted, effectiveOn: LocalDate("2025-08-25")!, actor: By.applicant(other),
                                  payload: Payload.submitted(uscc), recordedOn: LocalDate("2025-08-25")!)
        #expect { try scenario.decider.decide([foreign], stream: other, history: []) } throws: { error in
            (error as? Refusal)?.kind == .input && (error as? Refusal)?.article == "DOMAIN.md §2"
        }
    }

    @Test("a second application while one is open is refused (Art. 6(1))")
    mutating func openApplication() {
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        let refusal = scenario.refusal(.submitted, "2025-09-01", by: By.applicant(uscc), Payload.submitted(uscc))
        #expect(refusal == Refusal("Art. 6(1)", "an application submitted 2025-08-25 is still open; it must be registered or declined first", seq: 2))
    }

    @Test("an active outlet renews rather than applies (Art. 16); after expiry it may apply again")
    mutating func activeOutlet() {
        scenario.registerOutlet()
        #expect(scenario.refusal(.submitted, "2026-01-05", by: By.applicant(uscc), Payload.submitted(uscc))?.article == "Art. 16")
        #expect(scenario.refusal(.submitted, "2028-10-11", by: By.applicant(uscc), Payload.submitted(uscc)) == nil)
    }

    @Test("an included or superseded institution does not apply (Art. 7)")
    mutating func includedOrSuperseded() {
        var included = Scenario()
        included.record(.autoIncluded, "2025-03-01", by: By.city, Payload.included(uscc))
        #expect(included.refusal(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))?.article == "Art. 7")
        scenario.registerOutlet()
        scenario.record(.superseded, "2026-01-05", by: By.city, Payload.superseded())
        let refusal = scenario.refusal(.submitted, "2029-01-05", by: By.applicant(uscc), Payload.submitted(uscc))
        #expect(refusal?.article == "Art. 7")
        #expect(refusal?.reason.contains("designated a TISC on 2026-01-05") == true)
    }
}

@Suite("Art. 6(2), 6(3): recommendation, publicity, objections, registration and decline")
struct ProcedureRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    init() {
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
    }

    @Test("recommended once, by the bureau of the applicant's district, only with an open application")
    mutating func recommendation() {
        #expect(scenario.refusal(.recommended, "2025-09-02", by: By.heping, Payload.recommended)?.article == "Art. 6(2)")
        #expect(scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended) == nil)
        #expect(scenario.refusal(.recommended, "2025-09-03", by: By.shenhe, Payload.recommended)?.reason
            == "the application was already recommended on 2025-09-02")
        var fresh = Scenario()
        #expect(fresh.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)?.reason == "there is no open application to recommend")
    }

    @Test("publicized by the city bureau only once recommended, and only once")
    mutating func publicity() {
        #expect(scenario.refusal(.publicized, "2025-09-26", by: By.city, Payload.publicized())?.article == "Art. 6(2)")
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        #expect(scenario.record(.publicized, "2025-09-26", by: By.city, Payload.publicized()) == nil)
        #expect(scenario.refusal(.publicized, "2025-09-27", by: By.city, Payload.publicized("2025-5"))?.article == "Art. 6(3)")
    }

    @Test("registration is refused inside the window and accepted the day after it ends")
    mutating func registrationAfterWindow() {
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        scenario.record(.publicized, "2025-09-26", by: By.city, Payload.publicized())
        let early = scenario.refusal(.registered, "2025-10-09", by: By.city, Payload.registered)
        #expect(early?.description == "refused (Art. 6(3)): the publicity window of notice 2025-4 ends 2025-10-09; registration is possible from 2025-10-10")
        #expect(scenario.record(.registered, "2025-10-10", by: By.city, Payload.registered) == nil)
    }

    @Test("objections: only within the window; an open one blocks registration; an upheld one leaves only a decline")
    mutating func objections() {
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        #expect(scenario.refusal(.objection, "2025-09-20", by: By.anyone, Payload.objection("o-1"))?.article == "Art. 6(3)")
        scenario.record(.publicized, "2025-09-26", by: By.city, Payload.publicized())
        #expect(scenario.record(.objection, "2025-10-09", by: By.anyone, Payload.objection("o-1")) == nil)
        #expect(scenario.refusal(.objection, "2025-10-10", by: By.anyone, Payload.objection("o-2"))?.reason
            == "the publicity window of notice 2025-4 ran 2025-09-26 to 2025-10-09; an objection on 2025-10-10 is outside it")
        #expect(scenario.refusal(.objection, "2025-10-09", by: By.anyone, Payload.objection("o-1"))?.reason == "objection o-1 was already raised")
        #expect(scenario.status(on: "2025-10-12").stage == .objectionPending)
        #expect(scenario.refusal(.registered, "2025-10-12", by: By.city, Payload.registered)?.reason
            == "objection o-1, raised 2025-10-09, is still open; it must be resolved first")
        #expect(scenario.refusal(.objectionResolved, "2025-10-12", by: By.city, Payload.resolved("o-9", "upheld"))?.article == "Art. 6(3)")
        #expect(scenario.record(.objectionResolved, "2025-10-12", by: By.city, Payload.resolved("o-1", "upheld")) == nil)
        #expect(scenario.refusal(.objectionResolved, "2025-10-13", by: By.city, Payload.resolved("o-1", "dismissed"))?.reason
            == "objection o-1 was already resolved (upheld)")
        #expect(scenario.refusal(.registered, "2025-10-13", by: By.city, Payload.registered)?.reason
            == "an objection was upheld (公示有异议); the application can only be declined")
        #expect(scenario.record(.declined, "2025-10-13", by: By.city, Payload.declined("publicity")) == nil)
        #expect(scenario.status(on: "2025-10-13").status == .declined)
    }

    @Test("a dismissed objection lets registration proceed")
    mutating func dismissedObjection() {
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        scenario.record(.publicized, "2025-09-26", by: By.city, Payload.publicized())
        scenario.record(.objection, "2025-09-30", by: By.anyone, Payload.objection("o-1"))
        scenario.record(.objectionResolved, "2025-10-10", by: By.city, Payload.resolved("o-1", "dismissed"))
        #expect(scenario.record(.registered, "2025-10-10", by: By.city, Payload.registered) == nil)
    }

    @Test("declines: the district bureau before recommending, the city bureau after; the stage must be the application's")
    mutating func declines() {
        #expect(scenario.refusal(.declined, "2025-09-01", by: By.shenhe, Payload.declined("review"))?.reason
            == "the application is at the district stage, not review")
        #expect(scenario.refusal(.declined, "2025-09-01", by: By.shenhe, Payload.declined("district")) == nil)
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        #expect(scenario.refusal(.declined, "2025-09-03", by: By.shenhe, Payload.declined("review"))?.article == "Art. 6(2)")
        #expect(scenario.record(.declined, "2025-09-03", by: By.city, Payload.declined("review")) == nil)
        #expect(scenario.refusal(.declined, "2025-09-04", by: By.city, Payload.declined("review"))?.reason == "there is no open application to decline")
    }
}
