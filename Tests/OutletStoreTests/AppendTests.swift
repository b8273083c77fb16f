import CanonicalJSON
import GRDB
import Testing
@testable import OutletStore

@Suite("Appending: gap-free seq, stream versions, idempotency, expected versions, atomicity")
struct AppendTests {
    @Test("seq is global and gap-free; streamVersion counts within each stream")
    func positions() throws {
        let fixture = try StoreFixture()
        let results = try fixture.store.append([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB), StoreFixture.event()])
        #expect(results.map(\.seq) == [1, 2, 3])
        let events = try fixture.store.events()
        #expect(events.map(\.streamVersion) == [1, 1, 2])
        #expect(try fixture.store.append([StoreFixture.event(StoreFixture.streamB)]).map(\.seq) == [4])
        #expect(try fixture.store.events(ofStream: StoreFixture.streamB).map(\.streamVersion) == [1, 2])
    }

    @Test("the same eventId with the same content is recorded once and answered with the original seq")
    func idempotentRepeat() throws {
        let fixture = try StoreFixture()
        let first = try fixture.store.append([StoreFixture.event(id: "req-1")])
        let before = try fixture.fingerprint()
        let again = try fixture.store.append([StoreFixture.event(id: "req-1")])
        #expect(first.first?.duplicate == false)
        #expect(again == [AppendResult(seq: 1, eventId: "req-1", duplicate: true)])
        #expect(try fixture.fingerprint() == before)
    }

    @Test("the same eventId with other content is refused as a conflict, nothing written")
    func idempotencyConflict() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([StoreFixture.event(id: "req-1")])
        let before = try fixture.fingerprint()
        #expect {
            try fixture.store.append([StoreFixture.event(id: "req-1", on: "2025-09-02")])
        } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("already names seq 1")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("--expect-version: accepted at the stream's version, refused once it has moved")
    func expectedVersion() throws {
        let fixture = try StoreFixture()
        #expect(try fixture.store.append([StoreFixture.event()], expectVersion: 0).map(\.seq) == [1])
        let before = try fixture.fingerprint()
        #expect {
            try fixture.store.append([StoreFixture.event()], expectVersion: 0)
        } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("is at version 1, expected 0")
        }
        #expect(try fixture.fingerprint() == before)
        #expect(try fixture.store.append([StoreFixture.event()], expectVersion: 1).map(\.seq) == [2])
    }

    @Test("several events of one call are all-or-nothing")
    func atomicBatch() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([StoreFixture.event()])
        let before = try fixture.fingerprint()
        struct Refusal: Error {}
        #expect(throws: LedgerError.self) {
            try fixture.store.append([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB)]) { _, new in
                if new.contains(where: { $0.envelope.stream == StoreFixture.streamB }) {
                    throw LedgerError(.refusedByRule, "test refusal")
                }
            }
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("import keeps recordedAt but refuses one that decreases or lies in the future")
    func importedRecordedAt() throws {
        let fixture = try StoreFixture(at: "2025-10-10T01:00:00.000Z")
        var old = StoreFixture.event()
        old.recordedAt = Timestamp("2025-09-01T02:00:00.000Z")
        _ = try fixture.store.append([old], importing: true)
        #expect(try fixture.store.events().first?.recordedAt == "2025-09-01T02:00:00.000Z")
        let before = try fixture.fingerprint()
        old.recordedAt = Timestamp("2025-08-01T02:00:00.000Z")
        #expect(throws: LedgerError.self) { try fixture.store.append([old], importing: true) }
        old.recordedAt = Timestamp("2025-10-11T02:00:00.000Z")
        #expect(throws: LedgerError.self) { try fixture.store.append([old], importing: true) }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("UPDATE and DELETE on events are refused by triggers")
    func appendOnly() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([StoreFixture.event()])
        let raw = try fixture.raw()
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE events SET type = 'x'") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try fixture.store.verify().count == 1)
    }
}
