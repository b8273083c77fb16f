import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("roster, bans, calendar and replay on the command line")
struct ProjectionCommandTests {
    /// A registered university (seq 1–4, recorded 2025-08 to 2025-10) and a national outlet included on
    /// 2025-09-01 (recorded 2025-11-20) whose inclusion ended 2025-11-25.
    static func ledger() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        let registration = Sample.registration()
        for (index, candidate) in registration.enumerated() {
            fixture.clock.set(Timestamp("\(candidate.effectiveOn)T0\(index + 1):00:00.000Z")!)
            _ = try fixture.ledger.append([candidate])
        }
        fixture.clock.set(Timestamp("2025-11-20T02:00:00.000Z")!)
        _ = try fixture.ledger.append([Sample.inclusion(Sample.other)])
        fixture.clock.set(Timestamp("2025-11-25T02:00:00.000Z")!)
        _ = try fixture.ledger.append([Sample.candidate("inclusion-ended", stream: Sample.other, on: "2025-11-25",
                                                        payload: ["reason": "国家级网点期满"])])
        return fixture
    }

    static func json(_ arguments: [String], _ fixture: LedgerFixture) throws -> JSONValue {
        let result = try CLI.run(arguments + ["--ledger", fixture.path, "--json"])
        try #require(result.status == 0, "\(arguments): \(result.stderr)")
        return try JSONParser.parse(result.stdout)
    }

    @Test("roster --json of a roster larger than the output buffer is the roster's document, byte for byte, and a line end")
    func largeRosterJSON() throws {
        let fixture = try LedgerFixture.synthetic(seed: 3)
        let view = try fixture.ledger.projections(at: try fixture.ledger.store.head())
        let document = QueryDocument.rosterJSON(view, asOf: LocalDate("2025-11-30")!)
        #expect(document.count > 1 << 16)  // past the buffer: written as it is
        _ = try fixture.fingerprint()
        let result = try CLI.run(["roster", "--as-of", "2025-11-30", "--json", "--ledger", fixture.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == String(decoding: document, as: UTF8.self) + "\n")
    }

    @Test("roster as CSV of a roster written in shares: every outlet once, in the roster's order")
    func largeRosterCSV() throws {
        let fixture = try LedgerFixture.synthetic(seed: 3)
        let roster = try fixture.ledger.projections(at: try fixture.ledger.store.head()).projection.roster(on: LocalDate("2025-11-30")!)
        try #require(roster.count >= 128, "enough outlets for more than one share")
        _ = try fixture.fingerprint()
        let result = try CLI.run(["roster", "--as-of", "2025-11-30", "--format", "csv", "--ledger", fixture.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == roster.count + 2 && lines.last == "")
        #expect(lines.dropFirst().dropLast().map { $0.split(separator: ",")[1] } == roster.map { Substring($0.uscc.code) })
    }

    @Test("roster --json: {asOf, knownAt, seq, hash, digest, outlets} with the roster fields")
    func rosterJSON() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let roster = try Self.json(["roster", "--as-of", "2025-11-01"], fixture)
        #expect(Set(roster.objectValue!.keys) == ["asOf", "knownAt", "seq", "hash", "digest", "outlets"])
        #expect(roster["asOf"] == "2025-11-01")
        #expect(roster["seq"] == .integer(genesis + 6))
        let outlets = try #require(roster["outlets"]?.arrayValue)
        #expect(outlets.map { $0["uscc"] } == [.string(Sample.university), .string(Sample.other)])
        let university = outlets[0]
        #expect(university["outletNo"] == "SY-2025-001")
        #expect(university["validThrough"] == "2028-10-10")
        #expect(university["level"] == "municipal")
        #expect(university["overdueSummaries"] == [])
        #expect(outlets[1]["validThrough"] == .null)
        #expect(outlets[1]["level"] == "national")
        for key in ["uscc", "outletNo", "name", "category", "district", "address", "level", "registeredOn", "validThrough",
                    "serviceItems", "underRectification", "rectificationDeadline", "overdueSummaries"] {
            #expect(university[key] != nil, "\(key)")
        }
    }

    @Test("--known-at and --at-seq read the ledger as it stood: before the inclusion was recorded, only the university")
    func knownAt() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let known = try Self.json(["roster", "--as-of", "2025-11-21", "--known-at", "2025-11-01T00:00:00Z"], fixture)
        #expect(known["seq"] == .integer(genesis + 4))
        #expect(known["knownAt"] == "2025-10-10T04:00:00.000Z")
        #expect(known["outlets"]?.arrayValue?.count == 1)
        let atSeq = try Self.json(["roster", "--as-of", "2025-11-21", "--at-seq", "\(genesis + 5)"], fixture)
        #expect(atSeq["outlets"]?.arrayValue?.count == 2)
        let now = try Self.json(["roster", "--as-of", "2025-11-25"], fixture)
        #expect(now["outlets"]?.arrayValue?.count == 1)
        let both = try CLI.run(["roster", "--ledger", fixture.path, "--known-at", "2025-11-01T00:00:00Z", "--at-seq", "3"])
        #expect(both.status == 64)
    }

    @Test("bans and calendar --json carry the same seq, hash and digest as roster")
    func sharedProvenance() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let roster = try Self.json(["roster", "--as-of", "2026-01-01"], fixture)
        let bans = try Self.json(["bans", "--as-of", "2026-01-01"], fixture)
        let calendar = try Self.json(["calendar", "--as-of", "2026-01-01", "--from", "2025-10-01", "--to", "2025-12-31"], fixture)
        for key in ["seq", "hash", "digest", "asOf"] {
            #expect(roster[key] == bans[key] && bans[key] == calendar[key], "\(key)")
        }
        #expect(bans["bans"] == [])
        let entries = try #require(calendar["entries"]?.arrayValue)
        #expect(entries.first == ["date": "2025-10-09", "kind": "publicity-ends", "uscc": .string(Sample.university), "name": "沈阳理工示范大学"])
    }

    @Test("replay prints the event count and the same digest as the projections' JSON")
    func replay() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let replay = try Self.json(["replay", "--as-of", "2026-01-01"], fixture)
        let roster = try Self.json(["roster", "--as-of", "2026-01-01"], fixture)
        #expect(replay["events"] == .integer(6))  // acts folded; the genesis moves the position only
        #expect(replay["digest"] == roster["digest"])
        let text = try CLI.run(["replay", "--ledger", fixture.path, "--as-of", "2026-01-01"]).stdout
        #expect(text.contains("replayed 6 events to seq \(genesis + 6)"))
        #expect(text.contains("projection digest as of 2026-01-01: \(roster["digest"]!.stringValue!)"))
    }

    @Test("dates at the end of the calendar (9999-12-31) are answered, not crashed on")
    func farFuture() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        for command in [["roster"], ["bans"], ["replay"], ["stats"], ["calendar", "--from", "9999-01-01", "--to", "9999-12-31"]] {
            let result = try CLI.run(command + ["--ledger", fixture.path, "--as-of", "9999-12-31", "--json"])
            #expect(result.status == 0, "\(command): \(result.stderr.prefix(300))")
        }
    }

    @Test("roster and calendar as CSV, with a header and quoted fields")
    func csv() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let roster = try CLI.run(["roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", "csv"]).stdout
        let lines = roster.split(separator: "\n")
        #expect(lines.first?.hasPrefix("outletNo,uscc,name,category") == true)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("SY-2025-001,\(Sample.university),沈阳理工示范大学,university,高校,210103,沈河区,"))
        let calendar = try CLI.run(["calendar", "--ledger", fixture.path, "--from", "2025-10-01", "--to", "2025-10-31", "--format", "csv"]).stdout
        #expect(calendar == "date,kind,uscc,name\n2025-10-09,publicity-ends,\(Sample.university),沈阳理工示范大学\n")
    }

    @Test("the roster table lines up Chinese names by display width")
    func table() throws {
        let fixture = try Self.ledger()
        _ = try fixture.fingerprint()
        let lines = try CLI.run(["roster", "--ledger", fixture.path, "--as-of", "2025-11-01"]).stdout.split(separator: "\n").dropFirst(1)
        let widths = lines.map { line in line.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x2E80 && $1.value <= 0x9FFF) ? 2 : 1) } }
        let starts = lines.map { line -> Int in
            let prefix = line.prefix { $0 != "高" && $0 != "其" && $0 != "类" }
            return prefix.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x2E80 && $1.value <= 0x9FFF) ? 2 : 1) }
        }
        #expect(Set(starts).count == 1, "category column starts at \(starts), widths \(widths)")
    }
}
