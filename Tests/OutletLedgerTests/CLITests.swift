import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("The outlet-ledger command line")
struct CLITests {
    static let recommendation = #"{"opinion":"同意推荐","head":"王强"}"#

    static func append(_ path: String, type: String = "recommended", stream: String = Sample.university,
                       actor: String = "district-bureau:210103", payload: String = recommendation,
                       extra: [String] = []) throws -> CLI.Result
    {
        try CLI.run(["append", "--ledger", path, "--type", type, "--stream", stream, "--on", "2025-09-02",
                     "--actor", actor, "--by", "沈河区", "--payload", "-"] + extra, stdin: Data(payload.utf8))
    }

    @Test("init refuses to overwrite an existing ledger (exit 69), leaving it as it was")
    func initNeverOverwrites() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.registration()[0]])
        let before = try fixture.fingerprint()
        let result = try CLI.run(["init", "--ledger", fixture.path])
        #expect(result.status == 69)
        #expect(result.stderr.contains("already exists"))
        #expect(try fixture.fingerprint() == before)
    }

    @Test("the ledger is --ledger, else $OUTLET_LEDGER, else ./outlets.sqlite")
    func ledgerPath() throws {
        let fixture = try LedgerFixture(create: false)
        #expect(try CLI.run(["init"], in: fixture.directory).status == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.file("outlets.sqlite")))
        #expect(try CLI.run(["init"], in: fixture.directory, environment: ["OUTLET_LEDGER": fixture.file("env.sqlite")]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.file("env.sqlite")))
        #expect(try CLI.run(["init", "--ledger", fixture.file("flag.sqlite")], in: fixture.directory,
                            environment: ["OUTLET_LEDGER": fixture.file("env.sqlite")]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.file("flag.sqlite")))
    }

    @Test("append prints the new seq; --event-id repeats answer the original seq; --expect-version conflicts exit 67")
    func appendOutcomes() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.registration()[0]])
        _ = try fixture.fingerprint()
        #expect(try Self.append(fixture.path, extra: ["--event-id", "r-1"]).stdout == "\(genesis + 2)\n")
        #expect(try Self.append(fixture.path, extra: ["--event-id", "r-1"]).stdout.hasPrefix("\(genesis + 2) (already recorded"))
        let moved = try Self.append(fixture.path, type: "publicized", actor: "city-bureau:210100",
                                    payload: #"{"noticeNo":"2025-4","reviewOpinion":"符合条件"}"#, extra: ["--expect-version", "1"])
        #expect(moved.status == 67)
        #expect(moved.stderr == "outlet-ledger: conflict: stream 91350100M000100Y43 is at version 2, expected 1\n")
        let publicized = try Self.append(fixture.path, type: "publicized", actor: "city-bureau:210100",
                                         payload: #"{"noticeNo":"2025-4","reviewOpinion":"符合条件"}"#, extra: ["--expect-version", "2", "--json"])
        #expect(publicized.stdout.hasPrefix(#"[{"duplicate":false,"eventId":""#), "\(publicized.stderr)")
    }

    @Test("an act the Measures forbid exits 66 with the article, and writes nothing")
    func refusedByRule() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(3)))
        let before = try fixture.fingerprint()
        let early = try CLI.run(["append", "--ledger", fixture.path, "--type", "registered", "--stream", Sample.university,
                                 "--on", "2025-10-09", "--actor", "city-bureau:210100", "--payload", "-"],
                                stdin: Data(#"{"decision":"同意备案"}"#.utf8))
        #expect(early.status == 66)
        #expect(early.stderr == "outlet-ledger: refused (Art. 6(3)): the publicity window of notice 2025-4 ends 2025-10-09; registration is possible from 2025-10-10\n")
        #expect(try fixture.fingerprint() == before)
    }

    @Test("a command ends with the ledger's file closed, though it leaves what it holds to the system: after an append, and after a refused one, no write-ahead log is left beside the file")
    func commandsCloseTheFile() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.registration()[0]])
        _ = try fixture.fingerprint()
        let wal = fixture.path + "-wal"
        #expect(try Self.append(fixture.path).status == 0)
        #expect(!FileManager.default.fileExists(atPath: wal), "the append left its log")
        let refused = try Self.append(fixture.path, type: "registered", actor: "city-bureau:210100", payload: #"{"decision":"同意备案"}"#)
        #expect(refused.status == 66)
        #expect(!FileManager.default.fileExists(atPath: wal), "the refused append left a log")
        #expect(try Ledger.open(at: fixture.path, readonly: true).store.verify().count == genesis + 2)
    }

    @Test("verify prints ok with count and head; on a tampered copy it names the seq and exits 68")
    func verifyTampered() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        let ok = try CLI.run(["verify", "--ledger", fixture.path])
        let head = try fixture.ledger.store.head()
        #expect(ok.stdout == "ok: \(genesis + 4) events, head \(head.hash)\nevery event re-decided by the rules; 0 snapshots equal to the replay\n")

        _ = try fixture.fingerprint()  // closes this process's connection, so the file holds everything
        let copy = fixture.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: copy)
        let tamper = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.executescript("DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, '王强', '王弱') WHERE seq = %d;")
            c.commit()
            """.replacingOccurrences(of: "%d", with: "\(genesis + 2)")
        #expect(try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", tamper, copy]).status == 0)
        let failed = try CLI.run(["verify", "--ledger", copy])
        #expect(failed.status == 68)
        #expect(failed.stderr.contains("integrity failure: seq \(genesis + 2): hash"), "\(failed.stderr)")
        let json = try CLI.run(["verify", "--ledger", copy, "--json"])
        #expect(try JSONParser.parse(json.stdout)["seq"] == .integer(genesis + 2))
    }

    @Test("log and history list events as a table and as JSON envelopes")
    func listings() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration() + [Sample.inclusion(Sample.other)])
        let table = try CLI.run(["log", "--ledger", fixture.path]).stdout.split(separator: "\n")
        #expect(table.count == 1 + Int(genesis) + 5)
        #expect(table[0].hasPrefix("SEQ"))
        let history = try CLI.run(["history", Sample.other, "--ledger", fixture.path, "--json"]).stdout
        let events = try #require(try JSONParser.parse(history).arrayValue)
        #expect(events.map { $0["seq"] } == [.integer(genesis + 5)])
        let range = try JSONParser.parse(try CLI.run(["log", "--ledger", fixture.path, "--from-seq", "2", "--to-seq", "3", "--json"]).stdout)
        #expect(range.arrayValue?.map { $0["seq"] } == [.integer(2), .integer(3)])
    }

    @Test("two processes appending at once leave no gap, no duplicate seq and an intact chain")
    func concurrentProcesses() throws {
        let fixture = try LedgerFixture()
        let streams = [Sample.university, Sample.other]
        _ = try fixture.ledger.append(streams.map(Sample.inclusion))
        _ = try fixture.fingerprint()  // no connection of this process stays open
        let perProcess = 20
        // Two writers started together, each recording one info change per process on its own outlet.
        let loop = """
            for i in $(seq 1 \(perProcess)); do
              printf '{"changes":{"address":"沈阳市沈河区文化路%s号"}}' "$i" | "$0" append --ledger "$1" --type info-changed \\
                --stream "$2" --on 2025-09-02 --actor city-bureau:210100 --payload - >/dev/null || exit 1
            done
            """
        let writers = try streams.map { stream in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", loop, CLI.binary.path, fixture.path, stream]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for writer in writers {
            writer.waitUntilExit()
            #expect(writer.terminationStatus == 0)
        }
        let report = try fixture.ledger.store.verify()
        #expect(report.count == genesis + Int64(2 * perProcess + 2))
        let events = try fixture.ledger.store.events()
        #expect(events.map(\.seq) == Array(1...genesis + Int64(2 * perProcess + 2)))
        for stream in streams {
            #expect(events.filter { $0.stream == stream }.map(\.streamVersion) == Array(1...Int64(perProcess + 1)))
        }
    }

    @Test("--expect-version 0 on a new ledger's first append: the genesis that goes first is not the caller's stream")
    func expectVersionOnFirstAppend() throws {
        let fixture = try LedgerFixture()
        let outcome = try fixture.ledger.append([Sample.registration()[0]], expectVersion: 0)
        #expect(outcome.results.map(\.seq) == [genesis + 1])
        #expect { try fixture.ledger.append([Sample.registration()[1]], expectVersion: 0) } throws: { error in
            (error as? LedgerError)?.conflict == LedgerError.Conflict(kind: .streamMoved, expected: 0, actual: 1)
        }
    }
}
