import CanonicalJSON
import OutletCore
import OutletDomain
import OutletLedger
import Testing

@Suite("Query documents: one JSON shape for every door, its basis the projection's own")
struct QueryDocumentTests {
    @Test("the roster's document names the digest a replay gives, though it reuses the roster it already holds", arguments: ["2024-06-30", "2025-12-31", "2026-11-25"])
    func rosterDigest(asOf: String) throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let date = LocalDate(asOf)!
        let view = try ledger.projections(at: try ledger.store.head())
        let document = QueryDocument.roster(view, asOf: date)
        let replayed = try ledger.projections(at: try ledger.store.head(), useSnapshots: false, useLive: false)
        #expect(document["digest"]?.stringValue == replayed.digest(asOf: date))
        #expect(document["outlets"]?.arrayValue?.isEmpty == false)
    }
}
