import Foundation
import Testing

/// The quick runs of tools/reliability (the long runs are on demand: see the README).
@Suite("Reliability tools, quick runs")
struct ReliabilityToolsTests {
    static func run(_ script: String, _ arguments: [String] = []) throws -> CLI.Result {
        try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", Repository.path("tools/reliability/\(script)")] + arguments,
                    environment: ["OUTLET_LEDGER_BIN": CLI.binary.path])
    }

    @Test("tamper sweep: every change to every column of every event, swaps, deletions, a rewound head and truncation are detected")
    func tamperSweep() throws {
        let result = try Self.run("tamper_sweep.py")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("189 detected, 188 of 188 named the first affected seq"), "\(result.stdout)")
    }

    @Test("crash loop: SIGKILL at random moments loses no acknowledged append and breaks no chain")
    func crashLoop() throws {
        let result = try Self.run("crash_loop.py", ["--rounds", "40"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(", 0 lost, 0 broken chains, 0 failed next appends"), "\(result.stdout)")
    }

    @Test("serve crash loop: SIGKILL of the service during concurrent HTTP appends loses no acknowledged append and breaks no chain")
    func serveCrashLoop() throws {
        let result = try Self.run("serve_crash_loop.py", ["--rounds", "8"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains(", 0 lost, 0 broken chains"), "\(result.stdout)")
    }

    @Test("concurrent writers: conflicts are reported as conflicts, the chain stays whole")
    func concurrentWriters() throws {
        let result = try Self.run("concurrent_writers.py", ["--seconds", "3"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("0 crashes, chain ok"), "\(result.stdout)")
    }

    @Test("hostile files, read-only and full filesystems: one clear line each, nothing damaged", .enabled(if: getuid() == 0))
    func hostileFiles() throws {
        let result = try Self.run("hostile_files.py")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("hostile files: 5 cases, 5 refused cleanly, 0 damaged"), "\(result.stdout)")
    }

    @Test("readers leave no trace: every read command on a read-only filesystem and as another user in a shared folder; the owner appends after", .enabled(if: getuid() == 0))
    func readers() throws {
        let result = try Self.run("readers.py")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("all ok, no file left, the owner appends"), "\(result.stdout)")
    }
}
