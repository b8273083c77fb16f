import Foundation
import GRDB
import Testing
import OutletCore
@testable import OutletStore

@Suite("verify recomputes every hash from the stored bytes")
struct VerifyTests {
    /// A ledger of `count` events whose triggers were dropped, so a test can tamper as an attacker could.
    static func tamperable(count: Int = 5) throws -> StoreFixture {
        let fixture = try StoreFixture()
        for index in 0..<count {
            _ = try fixture.store.append([StoreFixture.event(index.isMultiple(of: 2) ? StoreFixture.streamA : StoreFixture.streamB)])
        }
        try fixture.raw().write { db in
            try db.execute(sql: "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete")
        }
        return fixture
    }

    static func failure(_ fixture: StoreFixture) -> LedgerError? {
        do {
            _ = try fixture.store.verify()
            return nil
        } catch {
            return error
        }
    }

    @Test("an intact ledger verifies with its count and head")
    func intact() throws {
        let fixture = try Self.tamperable()
        let report = try fixture.store.verify()
        #expect(report.count == 5)
        #expect(report.head == (try fixture.store.head().hash))
    }

    @Test("one changed payload byte is found and its seq named")
    func payloadByte() throws {
        let fixture = try Self.tamperable()
        try fixture.raw().write { db in
            try db.execute(sql: "UPDATE events SET payload = replace(payload, '王强', '王弱') WHERE seq = 3")
        }
        let error = try #require(Self.failure(fixture))
        #expect(error.code == .integrityFailure)
        #expect(error.seq == 3)
        #expect(error.message.contains("does not match the stored content"))
    }

    @Test("every column is covered", arguments: [
        "type = 'registered'", "effective_on = '2025-09-02'", "recorded_at = '2025-10-10T01:00:00.001Z'",
        "actor_name = 'x'", "actor_unit = '210104'", "actor_role = 'city-bureau'", "event_id = 'forged'",
        "schema_version = 2", "hash = (CASE substr(hash, 1, 1) WHEN 'f' THEN 'e' ELSE 'f' END) || substr(hash, 2)",
    ])
    func columns(assignment: String) throws {
        let fixture = try Self.tamperable()
        try fixture.raw().write { try $0.execute(sql: "UPDATE events SET \(assignment) WHERE seq = 2") }
        let error = try #require(Self.failure(fixture))
        #expect(error.seq == 2 || error.seq == 3)
    }

    @Test("a deleted row is a gap in seq")
    func deletedRow() throws {
        let fixture = try Self.tamperable()
        try fixture.raw().write { try $0.execute(sql: "DELETE FROM events WHERE seq = 4") }
        let error = try #require(Self.failure(fixture))
        #expect(error.seq == 4)
        #expect(error.message.contains("missing"))
    }

    @Test("a payload rewritten in non-canonical form is found even with a matching meaning")
    func nonCanonicalPayload() throws {
        let fixture = try Self.tamperable()
        try fixture.raw().write { db in
            try db.execute(sql: "UPDATE events SET payload = replace(payload, ',', ', ') WHERE seq = 1")
        }
        #expect(Self.failure(fixture)?.message.contains("canonical") == true)
    }
}

@Suite("verify: the head record anchors the end of the chain")
struct ChainHeadTests {
    @Test("deleting the last event (which leaves a consistent shorter chain) is found")
    func deletedTail() throws {
        let fixture = try VerifyTests.tamperable()
        try fixture.raw().write { try $0.execute(sql: "DELETE FROM events WHERE seq = 5") }
        let error = try #require(VerifyTests.failure(fixture))
        #expect(error.seq == 5)
        #expect(error.message.contains("missing (the ledger's head record says the chain runs to seq 5)"))
    }

    @Test("rewinding the head record is found too")
    func rewoundHead() throws {
        let fixture = try VerifyTests.tamperable()
        try fixture.raw().write { try $0.execute(sql: "UPDATE chain_head SET seq = 4") }
        #expect(VerifyTests.failure(fixture)?.seq == 4)
    }
}

@Suite("Errors are values: a code to match, a line to print, the failure underneath kept")
struct LedgerErrorValueTests {
    @Test("a file that is not SQLite is ledgerUnusable, one line, with SQLite's own error kept underneath")
    func underlyingKept() throws {
        let fixture = try StoreFixture()
        let text = fixture.directory.appendingPathComponent("text.sqlite").path
        try Data(String(repeating: "这不是账本\n", count: 200).utf8).write(to: URL(fileURLWithPath: text))
        #expect { try EventStore.open(at: text) } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .ledgerUnusable && error.description.hasPrefix("ledger unusable: ")
                && (error.underlying as? DatabaseError)?.resultCode == .SQLITE_NOTADB
        }
    }
}
