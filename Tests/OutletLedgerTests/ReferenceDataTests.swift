import CanonicalJSON
import Foundation
import GRDB
import OutletDomain
import OutletCore
import OutletLedger
import OutletStore
import Testing

/// A ledger as format 2 left it: the committed 150-event export stored by raw SQL (its seqs and hashes
/// as they are), the policy in the settings only, no registry stream, format 2 in the file.
func formatTwoLedger() throws -> LedgerFixture {
    let fixture = try LedgerFixture()
    _ = try fixture.fingerprint()
    let lines = try String(contentsOfFile: Repository.path("Snapshots/fixtures/ledger-150.jsonl"), encoding: .utf8)
        .split(separator: "\n").map { try JSONParser.parse(String($0)) }
    let queue = try DatabaseQueue(path: fixture.path)
    try queue.write { db in
        for line in lines {
            try db.execute(sql: """
                INSERT INTO events (seq, event_id, stream, stream_version, type, schema_version, effective_on, recorded_at,
                                    actor_role, actor_unit, actor_name, payload, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [line["seq"]!.integerValue!, line["eventId"]!.stringValue!, line["stream"]!.stringValue!,
                                 line["streamVersion"]!.integerValue!, line["type"]!.stringValue!, line["schemaVersion"]!.integerValue!,
                                 line["effectiveOn"]!.stringValue!, line["recordedAt"]!.stringValue!, line["actor"]!["role"]!.stringValue!,
                                 line["actor"]!["unit"]!.stringValue!, line["actor"]!["name"]!.stringValue!,
                                 line["payload"]!.canonicalString, line["prevHash"]!.stringValue!, line["hash"]!.stringValue!])
        }
        let last = lines.last!
        try db.execute(sql: "INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?)", arguments: [last["seq"]!.integerValue!, last["hash"]!.stringValue!])
        try db.execute(sql: """
            DROP TRIGGER ledger_settings_no_delete;
            DELETE FROM ledger_settings WHERE key = 'holidays';
            DELETE FROM grdb_migrations WHERE identifier IN ('v3-reference-stream', 'v4-checkpoints', 'v5-access-tokens', 'v6-publicized-index',
                                                             'v7-snapshot-segments');
            ALTER TABLE snapshots DROP COLUMN base_seq;
            DROP INDEX events_publicized;
            DROP TABLE access_tokens;
            DROP TABLE checkpoints;
            UPDATE ledger_meta SET value = '2' WHERE key = 'formatVersion';
            """)
    }
    return fixture
}

@Suite("The policy and the holiday data are events of the chain (DOMAIN.md §3): nothing an answer depends on lives outside it")
struct ReferenceDataTests {
    @Test("a new ledger's first append records its genesis first: the policy, then one holiday year each, by the city bureau")
    func genesisFirst() throws {
        let fixture = try LedgerFixture()
        let outcome = try fixture.ledger.append([Sample.registration()[0]])
        #expect(outcome.results.map(\.seq) == [genesis + 1])
        let events = try fixture.ledger.store.events(ofStream: ReferenceStream.id)
        #expect(events.map(\.type) == ["policy-adopted"] + Array(repeating: "holiday-calendar-published", count: Int(genesis) - 1))
        #expect(events.allSatisfy { $0.actor.role == "city-bureau" && $0.actor.unit == "210100" && $0.effectiveOn == "2025-12-01" })
        #expect(try fixture.ledger.reference.policy == RegistryData.defaultPolicy)
        #expect(try fixture.ledger.reference.holidayYears(atSeq: genesis).map(\.year) == [2024, 2025, 2026])
    }

    @Test("once the chain holds the policy, editing the settings row changes no answer; editing the policy event fails verify")
    func editedPolicy() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        let before = try CLI.run(["roster", "--ledger", fixture.path, "--as-of", "2026-01-01", "--json"]).stdout
        _ = try fixture.fingerprint()
        var edited = try RegistryData.defaultPolicy
        edited.validityYears = 9
        try tamper(fixture, """
            DROP TRIGGER ledger_settings_no_update;
            UPDATE ledger_settings SET value = ? WHERE key = 'policy';
            """, [String(decoding: edited.encoded(), as: UTF8.self)])
        #expect(try CLI.run(["roster", "--ledger", fixture.path, "--as-of", "2026-01-01", "--json"]).stdout == before)
        #expect(try CLI.run(["verify", "--ledger", fixture.path]).status == 0)
        try tamper(fixture, """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = replace(payload, '"validityYears":3', '"validityYears":9') WHERE seq = 1;
            """)
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 68 && verify.stderr.contains("seq 1: hash"), "\(verify.stderr)")
    }

    @Test("the policy is adopted once; holiday data comes after it and only from the city bureau")
    func registryStreamRules() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.registration()[0]])
        let policy = try JSONParser.parse(Array(try RegistryData.defaultPolicy.encoded()))
        #expect {
            try fixture.ledger.append([Candidate(type: "policy-adopted", stream: "registry", effectiveOn: "2025-12-01",
                                                 actor: Sample.cityBureau, payload: policy)])
        } throws: { error in
            (error as? LedgerError)?.code == .refusedByRule && (error as? LedgerError)?.message.contains("adopted once") == true
        }
        #expect {
            try fixture.ledger.append([Candidate(type: "policy-adopted", stream: Sample.university, effectiveOn: "2025-12-01",
                                                 actor: Sample.cityBureau, payload: policy)])
        } throws: { error in
            (error as? LedgerError)?.code == .invalidInput && (error as? LedgerError)?.message.contains("registry's own stream") == true
        }
    }

    @Test("a ledger of format 2 answers read-only from its settings, untouched; its first write records the genesis after its events")
    func formatTwoMigrates() throws {
        let fixture = try formatTwoLedger()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        let readOnly = try Ledger.open(at: fixture.path, readonly: true)
        #expect(try readOnly.reference.policy == nil && readOnly.policy == RegistryData.defaultPolicy)
        let roster = try readOnly.projections(at: try readOnly.store.head()).projection.roster(on: DemoTests.today)
        #expect(!roster.isEmpty)
        #expect(try readOnly.audit().eventsDecided == 150)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == bytes)

        let ledger = try Ledger.open(at: fixture.path, clock: fixture.clock)
        let stream = "91210102MA0T5EXX48"
        let applicant = EnvelopeActor(role: "applicant", unit: stream, name: "刘洋")
        fixture.clock.set(Timestamp("2026-11-25T02:00:00.000Z")!)
        var payload = Sample.payload("submitted", for: stream)
        if case .object(var members) = payload, case .object(var institution)? = members["institution"] {
            institution["district"] = "210102"
            members["institution"] = .object(institution)
            payload = .object(members)
        }
        let outcome = try ledger.append([Candidate(type: "submitted", stream: stream, effectiveOn: "2026-11-25", actor: applicant, payload: payload)])
        #expect(outcome.results.map(\.seq) == [150 + genesis + 1])
        #expect(try ledger.store.events(fromSeq: 151, toSeq: 151).first?.type == "policy-adopted")
        #expect(try ledger.audit().eventsDecided == 150 + genesis + 1)
        let queue = try DatabaseQueue(path: fixture.path)
        #expect(try queue.read { try String.fetchOne($0, sql: "SELECT value FROM ledger_meta WHERE key = 'formatVersion'") } == String(EventStore.formatVersion))
    }

    @Test("a log migrated from elsewhere (no policy, past recordedAt) imports: its genesis goes first, dated with its first line")
    func migratedLogImports() throws {
        let fixture = try LedgerFixture()
        let lines = Sample.registration().enumerated().map { index, candidate in
            JSONValue.object([
                "type": .string(candidate.type), "stream": .string(candidate.stream), "effectiveOn": .string(candidate.effectiveOn),
                "actor": candidate.actor.jsonValue, "payload": candidate.payload,
                "recordedAt": .string("2025-10-1\(index)T02:00:00.000Z"),
            ]).canonicalString
        }.joined(separator: "\n")
        try Data(lines.utf8).write(to: URL(fileURLWithPath: fixture.file("migrated.jsonl")))
        _ = try fixture.fingerprint()
        let imported = try CLI.run(["import", "--ledger", fixture.path, fixture.file("migrated.jsonl")])
        #expect(imported.status == 0, "\(imported.stderr)")
        let events = try fixture.ledger.store.events()
        #expect(events.prefix(Int(genesis)).allSatisfy { $0.stream == "registry" && $0.recordedAt == "2025-10-10T02:00:00.000Z" })
        #expect(events.count == Int(genesis) + 4)
        #expect(try CLI.run(["verify", "--ledger", fixture.path]).status == 0)
    }

    @Test("periods are built once per data in force, and two copies that record different years each count with their own")
    func periodsOfDivergingCopies() throws {
        let city = Actor(role: .cityBureau, unit: "210100", name: "沈阳市知识产权局")
        var base = ReferenceData()
        try base.record(.policyAdopted(RegistryData.defaultPolicy), seq: 1, actor: city, effectiveOn: LocalDate("2025-01-01")!)
        let weekday = LocalDate("2030-03-05")!  // a Tuesday
        let before = try #require(base.periods(atSeq: 10))
        #expect(!before.calendar.isRestDay(weekday))
        var restful = base, plain = base
        try restful.record(.holidayCalendarPublished(HolidayYear(year: 2030, holidays: ["03-05"], workdays: [], source: "notice A")),
                           seq: 20, actor: city, effectiveOn: LocalDate("2025-02-01")!)
        try plain.record(.holidayCalendarPublished(HolidayYear(year: 2030, holidays: ["10-01"], workdays: [], source: "notice B")),
                         seq: 20, actor: city, effectiveOn: LocalDate("2025-02-01")!)
        #expect(try #require(restful.periods(atSeq: 20)).calendar.isRestDay(weekday))
        #expect(try !#require(plain.periods(atSeq: 20)).calendar.isRestDay(weekday))
        #expect(try #require(restful.periods(atSeq: 20)).calendar.isRestDay(weekday))  // asked again: the memo's
        #expect(try !#require(restful.periods(atSeq: 10)).calendar.isRestDay(weekday))  // before the year was published
        #expect(try !#require(base.periods(atSeq: 20)).calendar.isRestDay(weekday))
    }
}
