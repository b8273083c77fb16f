import ArgumentParser
import CanonicalJSON
import Foundation
import OutletCore
import OutletDemo
import OutletLedger

/// Durable single appends on a ledger `generate` (or `suite`) made, without making one again: the
/// append row of `suite` alone, for a large ledger in a minute rather than the whole suite's dozen; with
/// `--peer`, the peer's appends on the database a suite left, round for round beside ours on the same
/// machine at the same time (the machines are shared: a figure means something only beside its peer's).
struct Appends: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time single-event appends (each its own synchronous=FULL transaction) on a copy of a generated ledger.")

    @Option(help: "The generated ledger (copied first: it is not written).") var ledger: String
    @Option(help: "Where the copy goes (replaced).") var copy = "/tmp/outlet-bench-appends.sqlite"
    @Option(help: "How many appends.") var appends = 2_000
    @Option(help: "The seed the ledger was generated with (the new applicants come after its institutions).") var seed: UInt64 = 2014
    @Option(help: "Milliseconds between appends, not timed: 0 is back to back (the worst case); a registry's come far apart.")
    var pause = 0.0
    @Flag(help: "Hold the live projection first, as the service does: each append then extends it.") var live = false
    @Option(help: "Rounds, each on a fresh copy (and the peer's after ours); the medians of their p50 and p99 close.") var rounds = 1
    @Option(help: "The peer script (tools/bench/peer.py): its appends of the same events after each of our rounds.") var peer: String?
    @Option(help: "The peer's database a suite of the same size left (copied first: it is not written).")
    var peerDatabase = "/tmp/outlet-bench/peer.sqlite"

    func run() throws {
        var ours: [(p50: Double, p99: Double)] = [], theirs: [(p50: Double, p99: Double)] = []
        for round in 1...max(1, rounds) {
            let (latency, appended) = try appendOnCopy(round: round)
            ours.append((latency.median, latency.percentile(99)))
            guard let peer else { continue }
            let work = (copy as NSString).deletingLastPathComponent
            let events = work + "/outlet-bench-appended.jsonl"
            try Self.writeForPeer(appended, to: events)
            let run = ChildRun.run("/usr/bin/env", ["python3", peer, "--appends-only", peerDatabase, work, "--appends", events], scratch: work)
            guard run.status == 0, let figures = try? JSONDecoder().decode(PeerAppends.self, from: Data(run.stdout.utf8)) else {
                throw ValidationError("the peer exited \(run.status) (pip install eventsourcing; run the suite first for \(peerDatabase))")
            }
            theirs.append((figures.appendP50, figures.appendP99))
            print("  the peer, round \(round): \(figures.appends) saves, p50 \(fmt(figures.appendP50)) ms, p99 \(fmt(figures.appendP99)) ms")
        }
        guard ours.count > 1 || !theirs.isEmpty else { return }
        /// The median of `values` and their range.
        func spread(_ values: [Double], _ unit: String) -> String {
            var sample = Sample()
            for value in values { sample.add(value) }
            return "\(fmt(sample.median))\(unit) (\(fmt(sample.percentile(0))) – \(fmt(sample.percentile(100)))\(unit))"
        }
        func summary(_ figures: [(p50: Double, p99: Double)]) -> String {
            "p50 \(spread(figures.map(\.p50), " ms")), p99 \(spread(figures.map(\.p99), " ms"))"
        }
        print("medians of \(ours.count) rounds: ours \(summary(ours))")
        guard !theirs.isEmpty else { return }
        print("medians of \(theirs.count) rounds: the peer's \(summary(theirs))")
        print("p50 ours / the peer's, round by round: median \(spread(zip(ours, theirs).map { $0.p50 / $1.p50 }, "×"))")
    }

    /// One round: the appends on a fresh copy of the ledger, each timed; the events appended, for the peer.
    private func appendOnCopy(round: Int) throws -> (Sample, [Candidate]) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
        try FileManager.default.copyItem(atPath: ledger, toPath: copy)
        // On the disk before the first append: else the first flush of the file is the whole copy's.
        try FileHandle(forUpdating: URL(fileURLWithPath: copy)).synchronize()
        let opened = try Ledger.open(at: copy)
        let head = try opened.store.head()
        let today = Timestamp(Date()).shanghaiDate
        var registry = SyntheticRegistry(periods: opened.periods, today: today)
        // Scheduled as the generator did, so that the new applicants come after the ledger's institutions; the
        // schedule stops at today, so a later day may end it a few institutions earlier: those are skipped.
        registry.schedule(events: Int(head.seq) - opened.reference.years.count - 1, seed: seed)
        var fresh: [Candidate] = []
        for candidate in registry.applications(appends + 1_000, on: today) where fresh.count < appends {
            if try opened.store.lastSeq(ofStream: candidate.stream) == 0 { fresh.append(candidate) }
        }
        if live { _ = try opened.projections(at: head) }
        let clock = ContinuousClock()
        var latency = Sample(), cpu = Sample()
        for candidate in fresh {
            if pause > 0 { Thread.sleep(forTimeInterval: pause / 1000) }
            let cpuBefore = threadCPUSeconds()
            latency.add(try clock.measure { _ = try opened.append([candidate]) }.seconds * 1000)
            cpu.add((threadCPUSeconds() - cpuBefore) * 1000)
        }
        _ = opened.finishBackgroundWork()
        // The count made, not the count asked for: a ledger that already holds some of the new applicants (the suite's,
        // after its own appends) leaves fewer.
        print("\(rounds > 1 ? "round \(round): " : "")\(fresh.count) single appends\(pause > 0 ? " \(fmt(pause)) ms apart" : "") on a copy of \(ledger) "
              + "(\(head.seq) events): p50 \(fmt(latency.median)) ms, p90 \(fmt(latency.percentile(90))) ms, p99 \(fmt(latency.percentile(99))) ms, "
              + "p99.9 \(fmt(latency.percentile(99.9))) ms; this thread's CPU time p50 \(fmt(cpu.median)) ms, p99 \(fmt(cpu.percentile(99))) ms")
        return (latency, fresh)
    }
}

extension Appends {
    /// The events appended, as the peer reads them (`--appends`): type, date and payload, one per line.
    static func writeForPeer(_ appended: [Candidate], to path: String) throws {
        try Data(appended.map { candidate in
            JSONValue.object(["type": .string(candidate.type), "effectiveOn": .string(candidate.effectiveOn),
                              "payload": candidate.payload]).canonicalString + "\n"
        }.joined().utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// What `peer.py --appends-only` prints.
struct PeerAppends: Decodable {
    let appends: Int
    let appendP50: Double
    let appendP99: Double
}

/// CPU time of the calling thread (user and system), in seconds: what an append computes, beside what it waits for.
func threadCPUSeconds() -> Double {
    cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time of the whole process on every core, in seconds: what a query computes on both cores, which a wall
/// clock on a shared machine blurs with the time its threads wait to run.
func processCPUSeconds() -> Double {
    cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
}

private func cpuSeconds(_ clock: clockid_t) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
