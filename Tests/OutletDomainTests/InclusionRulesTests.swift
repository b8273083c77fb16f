import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("Art. 7: national and provincial outlets are included; a TISC designation supersedes")
struct InclusionRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    @Test("included by the city bureau, once; its inclusion ends once")
    mutating func inclusion() {
        #expect(scenario.refusal(.inclusionEnded, "2025-03-01", by: By.city, Payload.inclusionEnded)?.article == "Art. 7")
        #expect(scenario.record(.autoIncluded, "2025-03-01", by: By.city, Payload.included(uscc, level: "provincial")) == nil)
        #expect(scenario.status(on: "2025-03-01").status == .included)
        #expect(scenario.refusal(.autoIncluded, "2025-04-01", by: By.city, Payload.included(uscc))?.article == "Art. 7")
        #expect(scenario.record(.inclusionEnded, "2026-03-01", by: By.city, Payload.inclusionEnded) == nil)
        #expect(scenario.status(on: "2026-03-01").status == .none)
        #expect(scenario.refusal(.inclusionEnded, "2026-04-01", by: By.city, Payload.inclusionEnded)?.article == "Art. 7")
    }

    @Test("an active registered outlet is not included again")
    mutating func activeNotIncluded() {
        scenario.registerOutlet()
        #expect(scenario.refusal(.autoIncluded, "2026-01-05", by: By.city, Payload.included(uscc))?.article == "Art. 7")
    }

    @Test("supersession ends an active registration without a bar; it needs an active outlet")
    mutating func supersession() {
        #expect(scenario.refusal(.superseded, "2025-03-01", by: By.city, Payload.superseded())?.article == "Art. 7")
        scenario.registerOutlet()
        #expect(scenario.record(.superseded, "2026-05-01", by: By.city, Payload.superseded("university-center")) == nil)
        let status = scenario.status(on: "2026-05-01")
        #expect(status.status == .superseded)
        #expect(status.barredThrough == nil)
    }
}

@Suite("DOMAIN.md §1: who may record which act")
struct ActorRulesTests {
    var scenario = Scenario()
    var uscc: USCC { scenario.uscc }

    static func samplePayload(_ type: EventType, _ uscc: USCC) -> EventPayload {
        switch type {
        case .submitted: Payload.submitted(uscc)
        case .recommended: Payload.recommended
        case .publicized: Payload.publicized()
        case .objection: Payload.objection("o-1")
        case .objectionResolved: Payload.resolved("o-1", "dismissed")
        case .registered: Payload.registered
        case .declined: Payload.declined("district")
        case .infoChanged: Payload.infoChanged()
        case .annualSummaryFiled: Payload.summary(2025)
        case .rectificationOrdered: Payload.rectificationOrdered
        case .rectificationCompleted: Payload.rectificationCompleted
        case .revoked: Payload.revoked(.illegalActivity)
        case .barred3Years: Payload.barred(.illegalActivity)
        case .renewed: Payload.renewed
        case .terminated: Payload.terminated
        case .autoIncluded: Payload.included(uscc)
        case .inclusionEnded: Payload.inclusionEnded
        case .superseded: Payload.superseded()
        case .retracted: Payload.retracted(1)
        }
    }

    static func actor(_ role: Actor.Role, _ uscc: USCC) -> Actor {
        switch role {
        case .applicant: By.applicant(uscc)
        case .districtBureau: By.shenhe
        case .cityBureau: By.city
        case .public: By.anyone
        case .system: By.system
        }
    }

    @Test("every type refuses every role not allowed to record it, naming the roles that are", arguments: EventType.allCases)
    func roles(type: EventType) {
        let uscc = scenario.uscc
        let allowed = Decider.allowedRoles(type)
        #expect(!allowed.contains(.system))
        for role in Actor.Role.allCases where !allowed.contains(role) {
            let refusal = scenario.refusal(type, "2025-08-25", by: Self.actor(role, uscc), Self.samplePayload(type, uscc))
            #expect(refusal?.article == type.article, "\(type.rawValue) by \(role.rawValue)")
            #expect(refusal?.reason.hasSuffix("not by \(role.rawValue)") == true, "\(refusal?.reason ?? "accepted")")
        }
    }

    @Test("the applicant acts only for itself")
    func applicantUnit() {
        let other = USCC("91110000802100433B")!
        #expect(scenario.refusal(.submitted, "2025-08-25", by: By.applicant(other), Payload.submitted(uscc))?.reason
            == "an applicant acts for itself: actor unit \"91110000802100433B\" must be the stream's USCC 91350100M000100Y43")
    }

    @Test("the city bureau is 210100; a district bureau is a Shenyang district acting for its own applicants")
    mutating func bureauUnits() {
        scenario.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        #expect(scenario.refusal(.recommended, "2025-09-02", by: Actor(role: .districtBureau, unit: "110105"), Payload.recommended)?.reason
            == "district bureau unit \"110105\" is not a district of Shenyang")
        #expect(scenario.refusal(.recommended, "2025-09-02", by: By.city, Payload.recommended)?.reason
            == "recommended is recorded by district-bureau, not by city-bureau")
        scenario.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        #expect(scenario.refusal(.publicized, "2025-09-26", by: Actor(role: .cityBureau, unit: "210000"), Payload.publicized())?.article == "Art. 3")
        #expect(scenario.refusal(.publicized, "2025-09-26", by: By.system, Payload.publicized())?.reason
            == "publicized is recorded by city-bureau, not by system")
    }

    @Test("anyone but the ledger itself may object")
    mutating func objectors() {
        scenario.registerOutlet()
        var fresh = Scenario()
        fresh.record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc))
        fresh.record(.recommended, "2025-09-02", by: By.shenhe, Payload.recommended)
        fresh.record(.publicized, "2025-09-26", by: By.city, Payload.publicized())
        #expect(fresh.refusal(.objection, "2025-09-30", by: By.anyone, Payload.objection("o-1")) == nil)
        #expect(fresh.refusal(.objection, "2025-09-30", by: By.system, Payload.objection("o-1"))?.article == "Art. 6(3)")
    }
}
