import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import Testing

@Suite("Export, import and the independent verifier")
struct ExportImportTests {
    /// A small history with Chinese text, escapes and several streams, recorded over several days.
    static func history(_ fixture: LedgerFixture) throws {
        let times = ["2025-09-01T01:00:00.000Z", "2025-09-02T03:04:05.678Z", "2025-09-26T08:00:00.000Z", "2025-10-10T09:00:00.000Z"]
        fixture.clock.set(.init(times[0])!)
        let registration = Sample.registration()
        _ = try fixture.ledger.append([registration[0]])
        fixture.clock.set(.init(times[1])!)
        _ = try fixture.ledger.append([Sample.candidate("recommended", on: "2025-09-02", actor: Sample.districtBureau,
                                                        payload: ["opinion": "材料\"属实\"\n同意推荐\\", "head": "王强"])])
        fixture.clock.set(.init(times[2])!)
        _ = try fixture.ledger.append([registration[2],
                                       Sample.candidate("submitted", stream: Sample.other, on: "2025-09-26",
                                                        actor: Sample.applicant(Sample.other), payload: Sample.payload("submitted", for: Sample.other))])
        fixture.clock.set(.init(times[3])!)
        var registered = registration[3]
        registered.eventId = "reg-2025-001"
        _ = try fixture.ledger.append([registered])
    }

    @Test("export then import into a new ledger reproduces byte-identical envelopes and hashes")
    func roundTrip() throws {
        let source = try LedgerFixture()
        try Self.history(source)
        let exportPath = source.file("export.jsonl")
        #expect(try CLI.run(["export", "--ledger", source.path, "--out", exportPath]).status == 0)
        let target = try LedgerFixture()
        let imported = try CLI.run(["import", "--ledger", target.path, exportPath])
        #expect(imported.status == 0, "\(imported.stderr)")
        let again = try CLI.run(["export", "--ledger", target.path]).stdout
        #expect(again == (try String(contentsOfFile: exportPath, encoding: .utf8)))
        #expect(try target.fingerprint()[0...1] == source.fingerprint()[0...1])
        #expect(again.split(separator: "\n").count == Int(genesis) + 5)
    }

    @Test("tools/verify-export.py, with no project code, verifies what the Swift code wrote")
    func independentVerifier() throws {
        let fixture = try LedgerFixture()
        try Self.history(fixture)
        let exportPath = fixture.file("export.jsonl")
        #expect(try CLI.run(["export", "--ledger", fixture.path, "--out", exportPath]).status == 0)
        let python = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", Repository.path("tools/verify-export.py"), exportPath])
        let swift = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(python.status == 0, "\(python.stdout)")
        #expect(python.stdout == swift.stdout.split(separator: "\n", maxSplits: 1)[0] + "\n")
    }

    @Test("an altered export is refused by import (nothing written) and failed by the verifier, at its line")
    func alteredExport() throws {
        let fixture = try LedgerFixture()
        try Self.history(fixture)
        let export = try CLI.run(["export", "--ledger", fixture.path]).stdout
        let altered = export.replacingOccurrences(of: "\"head\":\"王强\"", with: "\"head\":\"王弱\"")
        #expect(altered != export)
        let alteredPath = fixture.file("altered.jsonl")
        try Data(altered.utf8).write(to: URL(fileURLWithPath: alteredPath))

        let target = try LedgerFixture()
        let before = try target.fingerprint()
        let imported = try CLI.run(["import", "--ledger", target.path, alteredPath])
        #expect(imported.status == 68)
        #expect(imported.stderr.contains("altered.jsonl line \(genesis + 2)") && imported.stderr.contains("does not match its content"), "\(imported.stderr)")
        #expect(try target.fingerprint() == before)

        let python = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", Repository.path("tools/verify-export.py"), alteredPath])
        #expect(python.status == 1)
        #expect(python.stdout.hasPrefix("FAIL line \(genesis + 2):"), "\(python.stdout)")
    }

    @Test("an import line may omit chain fields; recordedAt is kept, and unknown members are refused")
    func plainImport() throws {
        let fixture = try LedgerFixture()
        let line = JSONValue.object([
            "type": "auto-included", "stream": .string(Sample.university), "effectiveOn": "2025-09-01",
            "recordedAt": "2025-09-01T08:00:00.000Z", "actor": Sample.cityBureau.jsonValue,
            "payload": Sample.payload("auto-included", for: Sample.university),
        ]).canonicalString
        try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: fixture.file("a.jsonl")))
        #expect(try CLI.run(["import", "--ledger", fixture.path, fixture.file("a.jsonl")]).status == 0)
        #expect(try fixture.ledger.store.events().first?.recordedAt == "2025-09-01T08:00:00.000Z")

        let unknown = line.replacingOccurrences(of: #""type":"#, with: #""colour":"red","type":"#)
        try Data((unknown + "\n").utf8).write(to: URL(fileURLWithPath: fixture.file("b.jsonl")))
        let refused = try CLI.run(["import", "--ledger", fixture.path, fixture.file("b.jsonl")])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("b.jsonl line 1): unknown member \"colour\""), "\(refused.stderr)")
    }
}
