import CanonicalJSON
import EventSchemas
import OutletDomain
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("Schema evolution: stored v1 events are read as v2 through an upcaster")
struct UpcastingTests {
    static let v1: JSONValue = ["reason": "基础设施变化，不再符合备案条件", "requestedOn": "2026-03-01"]

    @Test("a terminated v1 event is stored as written and read as v2 with basis no-longer-eligible")
    func terminatedV1ReadsAsV2() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        var candidate = Sample.candidate("terminated", on: "2025-11-01", payload: Self.v1)
        candidate.schemaVersion = 1
        _ = try fixture.ledger.append([candidate])
        let stored = try #require(try fixture.ledger.store.events().last)
        #expect(stored.schemaVersion == 1)
        #expect(stored.payload == Self.v1.canonicalString)

        let read = try #require(try fixture.ledger.history(of: Sample.university).last)
        guard case .terminated(let terminated) = read.payload else {
            Issue.record("read as \(read.payload)")
            return
        }
        #expect(terminated.basis == .noLongerEligible)
        #expect(terminated.requestedOn == LocalDate("2026-03-01"))
        #expect(try fixture.ledger.status(of: USCC(Sample.university)!, on: LocalDate("2025-11-02")!).status == .terminated)
        #expect(try fixture.ledger.store.verify().count == genesis + 5)
    }

    @Test("new events default to the newest version, and a v2 payload is refused as v1")
    func newestByDefault() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        let v2: JSONValue = ["reason": "自愿退出", "requestedOn": "2025-10-01", "basis": "voluntary"]
        _ = try fixture.ledger.append([Sample.candidate("terminated", on: "2025-11-01", payload: v2)])
        #expect(try fixture.ledger.store.events().last?.schemaVersion == 2)
        var asV1 = Sample.candidate("terminated", on: "2025-11-01", payload: v2)
        asV1.schemaVersion = 1
        #expect(throws: LedgerError.self) { try fixture.ledger.append([asV1]) }
    }

    @Test("the upcast payload is valid under the v2 schema")
    func upcastIsValidV2() throws {
        let upcast = Upcasting.upcast(Self.v1, type: "terminated", from: 1, to: 2)
        try SchemaSet.bundled.get().validate(upcast, type: "terminated", version: 2)
    }
}
