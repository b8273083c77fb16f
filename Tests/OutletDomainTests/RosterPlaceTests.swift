import OutletTestSupport
import Testing
@testable import OutletDomain

@Suite("DOMAIN.md §6: an outlet is on the roster while active or included (Art. 6(4), 7), as its standing gives it")
struct RosterPlaceTests {
    /// Whether the place holds on `date` exactly when the status on `date` is active or included, for each date.
    static func agreesWithStatus(_ scenario: Scenario, _ dates: [String]) {
        for date in dates {
            let state = scenario.state(on: date)
            let place = RosterPlace(state.standing, applying: state.application != nil)
            let status = scenario.status(on: date)
            let onRoster = place?.holds(on: day(date)) ?? false
            #expect(onRoster == [.active, .included].contains(status.status), "on \(date): \(String(describing: place)) against \(status.status)")
            if case .active = status.status { #expect(place?.validThrough == status.validThrough, "on \(date)") }
        }
    }

    @Test("a registration holds through its last valid day, not the day after; nor under a new application")
    func registration() {
        var scenario = Scenario()
        scenario.registerOutlet()
        Self.agreesWithStatus(scenario, ["2025-08-25", "2025-10-09", "2025-10-10", "2028-10-10", "2028-10-11"])
        #expect(scenario.record(.submitted, "2028-10-11", by: By.applicant(scenario.uscc), Payload.submitted(scenario.uscc)) == nil)
        Self.agreesWithStatus(scenario, ["2028-10-11", "2029-01-05"])
        #expect(RosterPlace(scenario.state(on: "2028-10-11").standing, applying: true) == nil)
    }

    @Test("an inclusion holds with no end until it ends; a revocation and a supersession end a registration's")
    func inclusionAndEndings() {
        var included = Scenario()
        #expect(included.record(.autoIncluded, "2025-03-01", by: By.city, Payload.included(included.uscc, level: "provincial")) == nil)
        #expect(RosterPlace(included.state(on: "2099-12-31").standing, applying: false)?.validThrough == nil)
        #expect(included.record(.inclusionEnded, "2026-03-01", by: By.city, Payload.inclusionEnded) == nil)
        Self.agreesWithStatus(included, ["2025-02-28", "2025-03-01", "2026-02-28", "2026-03-01"])

        var revoked = Scenario()
        revoked.registerOutlet()
        #expect(revoked.record([(.revoked, "2026-05-01", By.city, Payload.revoked(.illegalActivity)),
                                (.barred3Years, "2026-05-01", By.city, Payload.barred(.illegalActivity))]) == nil)
        Self.agreesWithStatus(revoked, ["2026-04-30", "2026-05-01"])

        var superseded = Scenario()
        superseded.registerOutlet()
        #expect(superseded.record(.superseded, "2026-05-01", by: By.city, Payload.superseded()) == nil)
        Self.agreesWithStatus(superseded, ["2026-04-30", "2026-05-01"])
    }
}
