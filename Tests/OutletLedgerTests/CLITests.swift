import CanonicalJSON
import Foundation
import OutletLedger
import OutletStore
import Testing

@Suite("The outlet-ledger command line")
struct CLITests {
    static let payload = Data(#"{"opinion":"同意推荐","head":"王强"}"#.utf8)

    static func append(_ path: String, stream: String = Sample.university, extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["append", "--ledger", path, "--type", "recommended", "--stream", stream, "--on", "2025-09-01",
                     "--actor", "district-bureau:210103", "--by", "沈河区", "--payload", "-"] + extra, stdin: payload)
    }

    @Test("init refuses to overwrite an existing ledger (exit 69), leaving it as it was")
    func initNeverOverwrites() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.candidate("recommended", actor: Sample.districtBureau)])
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
        #expect(try Self.append(fixture.path, extra: ["--event-id", "r-1"]).stdout == "1\n")
        #expect(try Self.append(fixture.path, extra: ["--event-id", "r-1"]).stdout.hasPrefix("1 (already recorded"))
        let moved = try Self.append(fixture.path, extra: ["--expect-version", "0"])
        #expect(moved.status == 67)
        #expect(moved.stderr == "outlet-ledger: conflict: stream 91350100M000100Y43 is at version 1, expected 0\n")
        #expect(try Self.append(fixture.path, extra: ["--expect-version", "1", "--json"]).stdout.hasPrefix(#"[{"duplicate":false,"eventId":""#))
    }

    @Test("verify prints ok with count and head; on a tampered copy it names the seq and exits 68")
    func verifyTampered() throws {
        let fixture = try LedgerFixture()
        for _ in 0..<3 { #expect(try Self.append(fixture.path).status == 0) }
        let ok = try CLI.run(["verify", "--ledger", fixture.path])
        let head = try fixture.ledger.store.head()
        #expect(ok.stdout == "ok: 3 events, head \(head.hash)\n")

        _ = try fixture.fingerprint()  // closes this process's connection, so the file holds everything
        let copy = fixture.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: fixture.path, toPath: copy)
        let tamper = """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1])
            c.executescript("DROP TRIGGER events_no_update; UPDATE events SET payload = replace(payload, '王强', '王弱') WHERE seq = 2;")
            c.commit()
            """
        #expect(try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", tamper, copy]).status == 0)
        let failed = try CLI.run(["verify", "--ledger", copy])
        #expect(failed.status == 68)
        #expect(failed.stderr.contains("integrity failure: seq 2: hash"), "\(failed.stderr)")
        let json = try CLI.run(["verify", "--ledger", copy, "--json"])
        #expect(try JSONParser.parse(json.stdout)["seq"] == .integer(2))
    }

    @Test("log and history list events as a table and as JSON envelopes")
    func listings() throws {
        let fixture = try LedgerFixture()
        #expect(try Self.append(fixture.path).status == 0)
        #expect(try Self.append(fixture.path, stream: Sample.other).status == 0)
        let table = try CLI.run(["log", "--ledger", fixture.path]).stdout.split(separator: "\n")
        #expect(table.count == 3)
        #expect(table[0].hasPrefix("SEQ"))
        let history = try CLI.run(["history", Sample.other, "--ledger", fixture.path, "--json"]).stdout
        let events = try #require(try JSONParser.parse(history).arrayValue)
        #expect(events.map { $0["seq"] } == [.integer(2)])
        let range = try JSONParser.parse(try CLI.run(["log", "--ledger", fixture.path, "--from-seq", "2", "--json"]).stdout)
        #expect(range.arrayValue?.count == 1)
    }

    @Test("two processes appending at once leave no gap, no duplicate seq and an intact chain")
    func concurrentProcesses() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.fingerprint()  // no connection of this process stays open
        let perProcess = 20
        // Two writers started together, each appending one event per process to its own stream.
        let loop = """
            for i in $(seq 1 \(perProcess)); do
              printf '%s' '{"opinion":"同意推荐","head":"王强"}' | "$0" append --ledger "$1" --type recommended \\
                --stream "$2" --on 2025-09-01 --actor district-bureau:210103 --payload - >/dev/null || exit 1
            done
            """
        let streams = [Sample.university, Sample.other]
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
        #expect(report.count == Int64(2 * perProcess))
        let events = try fixture.ledger.store.events()
        #expect(events.map(\.seq) == Array(1...Int64(2 * perProcess)))
        for stream in streams {
            #expect(events.filter { $0.stream == stream }.map(\.streamVersion) == Array(1...Int64(perProcess)))
        }
    }
}
