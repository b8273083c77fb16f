import CanonicalJSON
import Foundation
import OutletCore
import OutletDemo
import OutletDomain
import OutletLedger
import Synchronization
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

    @Test("the same export as one JSON array imports whole to the same head, then again as already present")
    func arrayFile() throws {
        let source = try LedgerFixture()
        try Self.history(source)
        let lines = try CLI.run(["export", "--ledger", source.path]).stdout.split(separator: "\n")
        let arrayPath = source.file("export.json")
        try Data(("  \n[" + lines.joined(separator: ",\n") + "]\n").utf8).write(to: URL(fileURLWithPath: arrayPath))
        let target = try LedgerFixture()
        let imported = try CLI.run(["import", "--ledger", target.path, arrayPath])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported \(lines.count) events (0 already present)"), "\(imported.stdout)")
        #expect(try target.fingerprint()[0...1] == source.fingerprint()[0...1])
        let again = try CLI.run(["import", "--ledger", target.path, arrayPath])
        #expect(again.stdout.hasPrefix("imported 0 events (\(lines.count) already present)"), "\(again.stdout)")
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

    /// The demo registry's export, as import candidates.
    static func demoExport() throws -> (candidates: [Candidate], head: LedgerHead) {
        let source = try DemoTests.build()
        let export = try CLI.run(["export", "--ledger", source.path]).stdout
        return (try EventInput.events(Array(export.utf8), kind: .import, source: "export.jsonl"), try source.ledger.store.head())
    }

    /// Hands out `candidates` `size` at a time.
    static func chunks(_ candidates: [Candidate], of size: Int) -> () throws(LedgerError) -> [Candidate]? {
        var position = 0
        return { () throws(LedgerError) -> [Candidate]? in
            guard position < candidates.count else { return nil }
            defer { position += size }
            return Array(candidates[position..<min(position + size, candidates.count)])
        }
    }

    @Test("a streamed import decides chunk by chunk in one transaction: the same ledger as one call")
    func streamedImportIsOneImport() throws {
        let (candidates, head) = try Self.demoExport()
        let target = try LedgerFixture()
        target.clock.set(.init("2026-11-26T00:00:00.000Z")!)
        let summary = try target.ledger.importEvents(chunks: Self.chunks(candidates, of: 40))
        #expect(summary.imported == candidates.count && summary.alreadyPresent == 0)
        #expect(try target.ledger.store.head() == head)
        #expect(try target.ledger.store.verify().count == Int(head.seq))
        // Imported again: every event already present, nothing written.
        let again = try target.ledger.importEvents(chunks: Self.chunks(candidates, of: 100))
        #expect(again.imported == 0 && again.alreadyPresent == candidates.count)
    }

    @Test("Art. 19: a revocation and its bar on either side of a chunk's end are decided together, as one call offers them")
    func art19PairAcrossChunks() throws {
        let fixture = try LedgerFixture()
        let revoked = Sample.candidate("revoked", on: "2025-11-20", payload: ["ground": "false-materials", "detail": "申报材料虚假"])
        let bar = Sample.candidate("barred-3-years", on: "2025-11-20", payload: ["ground": "false-materials"])
        let events = Sample.registration() + [revoked, bar, Sample.inclusion(Sample.other)]
        // The first chunk ends with the revocation, the second starts with its bar.
        let summary = try fixture.ledger.importEvents(chunks: Self.chunks(events, of: 5))
        #expect(summary.imported == events.count)
        let status = try fixture.ledger.status(of: USCC(Sample.university)!, on: LocalDate("2025-11-20")!)
        #expect(status.status == .revoked && status.barredThrough != nil)
        // A refusal before such an act is still the first named, when the chunk after it is refused for its form.
        var early = Sample.registration() + [revoked]
        early.swapAt(1, 2)  // publicized before recommended
        var malformed = bar
        malformed.type = "no-such-type"
        let lines = (early + [malformed]).enumerated().map { index, event in
            var line = event
            line.origin = "t.jsonl line \(index + 1)"
            return line
        }
        #expect {
            _ = try LedgerFixture().ledger.importEvents(chunks: Self.chunks(lines, of: 5))
        } throws: { error in
            (error as? LedgerError)?.location == "t.jsonl line 2"
        }
        // A revocation on a fraud ground with no bar after it, at the end of the import, is still refused.
        let alone = try LedgerFixture()
        #expect {
            _ = try alone.ledger.importEvents(chunks: Self.chunks(Sample.registration() + [revoked], of: 5))
        } throws: { error in
            (error as? LedgerError)?.article == "Art. 19"
        }
    }

    @Test("a refusal in the last chunk writes nothing of the earlier ones, and this process's caches are put back")
    func streamedImportAllOrNone() throws {
        let (candidates, _) = try Self.demoExport()
        let target = try LedgerFixture()
        target.clock.set(.init("2026-11-26T00:00:00.000Z")!)
        let ledger = try target.ledger
        let half = candidates.count / 2
        _ = try ledger.importEvents(Array(candidates[..<half]))
        let head = try ledger.store.head()
        _ = try ledger.projections(at: head)  // a live projection at the head, which the chunks extend
        let before = try target.fingerprint()
        var rest = Array(candidates[half...])
        rest[rest.count - 1].payload = ["decision": "改过的"]
        #expect {
            _ = try ledger.importEvents(chunks: Self.chunks(rest, of: 40))
        } throws: { error in
            (error as? LedgerError)?.location == "export.jsonl line \(candidates.count)"
        }
        #expect(try target.fingerprint() == before)
        // The same process appends another event after the head: its live projection must describe the log,
        // not the rolled-back chunks (whose first event had that seq).
        _ = try ledger.append([Sample.inclusion(Sample.other)])
        let now = try ledger.store.head()
        #expect(now.seq == head.seq + 1)
        #expect(try ledger.projections(at: now).digest(asOf: DemoTests.today)
            == (try ledger.projections(at: now, useSnapshots: false, useLive: false).digest(asOf: DemoTests.today)))
    }

    @Test("the next chunk is read and checked while one is decided, yet errors come in line order: a rule's refusal before a malformed line read ahead, that line's error once every chunk before it is decided; the reading stops, nothing is written")
    func pipelinedImportErrorsInLineOrder() throws {
        let (candidates, _) = try Self.demoExport()
        #expect(candidates.count > 200)
        var malformed = candidates
        malformed[170].type = "no-such-event"  // refused by the form checks, on the reading side
        var both = malformed
        both[30].payload = ["decision": "改过的"]  // refused while deciding: not the hash its line claims
        for (offered, line) in [(both, 31), (malformed, 171)] {
            let target = try LedgerFixture()
            target.clock.set(.init("2026-11-26T00:00:00.000Z")!)
            let before = try target.fingerprint()
            let calls = Mutex(0)
            let chunks = Self.chunks(offered, of: 20)
            #expect {
                _ = try target.ledger.importEvents { () throws(LedgerError) -> [Candidate]? in
                    calls.withLock { $0 += 1 }
                    return try chunks()
                }
            } throws: { error in
                (error as? LedgerError)?.location == "export.jsonl line \(line)"
            }
            // The refused chunk's, the ones read ahead (two at most waiting, one in hand), and no more, then or later.
            let refusedChunk = (line - 1) / 20 + 1
            let made = calls.withLock { $0 }
            #expect(made <= refusedChunk + 3, "line \(line): \(made) chunks read")
            Thread.sleep(forTimeInterval: 0.05)
            #expect(calls.withLock { $0 } == made)
            #expect(try target.fingerprint() == before)
        }
    }

    @Test("an export older than its genesis (seq 1 is an institution's), streamed in chunks, is gathered whole and gets the genesis after it, as one call gives")
    func streamedExportOlderThanGenesis() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Snapshots/fixtures/ledger-150.jsonl"))))
        let candidates = try EventInput.events(bytes, kind: .import, source: "ledger-150.jsonl")
        #expect(candidates.first?.claimed?.seq == 1 && candidates.first?.stream != ReferenceStream.id)
        var heads: [LedgerHead] = []
        for streamed in [true, false] {
            let target = try LedgerFixture()
            target.clock.set(.init("2026-11-26T00:00:00.000Z")!)
            let ledger = try target.ledger
            if streamed {
                let summary = try ledger.importEvents(chunks: Self.chunks(candidates, of: 40))
                #expect(summary.imported == candidates.count && summary.alreadyPresent == 0)
            } else {
                _ = try ledger.importEvents(candidates)
            }
            let events = try ledger.store.events()
            #expect(events[149].hash == candidates[149].claimed?.hash)
            // The genesis after the export: the policy, then the bundled holiday years.
            #expect(events.count > 151 && events[150].type == ReferenceEventType.policyAdopted.rawValue
                    && events.dropFirst(151).allSatisfy { $0.type == ReferenceEventType.holidayCalendarPublished.rawValue })
            #expect(try ledger.store.verify().count == events.count)
            heads.append(try ledger.store.head())
        }
        #expect(heads[0] == heads[1])
    }

    @Test("through the CLI, an export longer than a read block (lines across blocks) imports to the same head")
    func cliImportAcrossBlocks() throws {
        let source = try LedgerFixture.synthetic(seed: 11)
        let exportPath = source.file("export.jsonl")
        #expect(try CLI.run(["export", "--ledger", source.path, "--out", exportPath]).status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: exportPath)[.size] as? Int ?? 0
        #expect(size > 1 << 20)
        let target = try LedgerFixture()
        let imported = try CLI.run(["import", "--ledger", target.path, exportPath])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try target.fingerprint()[0...1] == source.fingerprint()[0...1])
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
