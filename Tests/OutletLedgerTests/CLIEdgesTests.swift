import Foundation
import GRDB
import OutletCore
import OutletLedger
import Testing

@Suite("The command line's edges: every odd input gets one clear line")
struct CLIEdgesTests {
    @Test("--version names the program and the ledger and snapshot formats")
    func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0 && result.stdout == "outlet-ledger 0.7 (ledger format 7, snapshot format 4, segments 5)\n", "\(result.stdout)")
    }

    @Test("negative and out-of-range seqs are named as such, not taken for options; nothing is written")
    func seqsOutOfRange() throws {
        let fixture = try DemoTests.build()
        _ = try fixture.fingerprint()
        let before = try fixture.fingerprint()
        for (arguments, says) in [
            (["snapshot", "create", "--seq", "0"], "--seq 0 is outside the log (seq 1 to \(DemoTests.head))"),
            (["snapshot", "create", "--seq", "999"], "--seq 999 is outside the log (seq 1 to \(DemoTests.head))"),
            (["snapshot", "prune", "--keep", "-1"], "--keep must not be negative"),
            (["roster", "--at-seq", "-3"], "--at-seq must not be negative"),
            (["log", "--from-seq", "-2"], "--from-seq must be 1 or more"),
        ] {
            let result = try CLI.run(arguments + ["--ledger", fixture.path])
            #expect(result.status == 65 && result.stderr == "outlet-ledger: invalid input: \(says)\n", "\(arguments): \(result.stderr)")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("--payload reads process substitution (/dev/fd) and pipes")
    func payloadFromProcessSubstitution() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(1)))
        _ = try fixture.fingerprint()
        let script = """
            "$0" append --ledger "$1" --type recommended --stream \(Sample.university) --on 2025-09-02 \
              --actor district-bureau:210103 --payload <(printf '{"opinion":"同意推荐","head":"王强"}')
            """
        let result = try CLI.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-c", script, CLI.binary.path, fixture.path])
        #expect(result.status == 0 && result.stdout == "\(genesis + 2)\n", "\(result.stderr)")
    }

    @Test("a ledger changed by a newer program's migration is named as such")
    func unknownMigration() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(1)))
        _ = try fixture.fingerprint()
        try tamper(fixture, "INSERT INTO grdb_migrations (identifier) VALUES ('v9-something-new')")
        let result = try CLI.run(["roster", "--ledger", fixture.path])
        #expect(result.status == 69 && result.stderr.contains("records migrations this program does not know (v9-something-new)"), "\(result.stderr)")
    }

    @Test("status of a stream whose acts all take effect after the date says so instead of \"no events\"")
    func statusBeforeItsActs() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(1)))
        _ = try fixture.fingerprint()
        let result = try CLI.run(["status", Sample.university, "--as-of", "2025-01-01", "--ledger", fixture.path])
        #expect(result.stdout.hasPrefix("\(Sample.university) (none of its acts is in effect on 2025-01-01)"), "\(result.stdout)")
    }
}
