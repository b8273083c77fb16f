import ArgumentParser
import Foundation
import OutletCore
import OutletDemo
import OutletLedger

/// Durable single appends on a ledger `generate` (or `suite`) made, without making one again: the
/// append row of `suite` alone, for a large ledger in a minute rather than the whole suite's dozen.
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

    func run() throws {
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
        print("\(appends) single appends\(pause > 0 ? " \(fmt(pause)) ms apart" : "") on a copy of \(ledger) (\(head.seq) events): p50 \(fmt(latency.median)) ms, "
              + "p90 \(fmt(latency.percentile(90))) ms, p99 \(fmt(latency.percentile(99))) ms, p99.9 \(fmt(latency.percentile(99.9))) ms; "
              + "this thread's CPU time p50 \(fmt(cpu.median)) ms")
    }
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
