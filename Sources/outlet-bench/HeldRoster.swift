import ArgumentParser
import Foundation
import OutletCore
import OutletLedger
import OutletProjections

/// The roster on the held head projection, read as known at random seqs: `suite`'s "held" row alone, on a
/// ledger already generated (read only), so that it can be repeated and profiled in a minute.
struct HeldRoster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held-roster", abstract: "Time the roster at random (as-of, known-at) pairs on the held head projection of a generated ledger.")

    @Option(help: "The generated ledger (opened read-only).") var ledger: String
    @Option(help: "How many (as-of, known-at) pairs.") var pairs = 60
    @Option(help: "The seed of the pairs (suite's default gives suite's pairs).") var seed: UInt64 = 2014
    @Flag(help: "One line per pair: its as-of, known-at, outlets and times.") var each = false
    @Flag(help: "Hold the projection of the whole log's replay, every timeline decoded, as the suite's import leaves it (default: the ledger's own, restored from its newest snapshot, timelines decoded when first read).")
    var replayed = false
    @Flag(help: "Time the roster alone (no order and digest rows).") var rosterOnly = false
    @Flag(help: "Before each pair, the roster from the nearest snapshot at that pair, as the suite's row before the held one reads it.")
    var restoredFirst = false

    func run() throws {
        let opened = try Ledger.open(at: ledger, readonly: true)
        let head = try opened.store.head()
        let clock = ContinuousClock()
        var replay: RegistryProjection?
        let building = try clock.measure {
            if replayed { replay = try opened.projections(at: head, useSnapshots: false).projection } else { _ = try opened.projections(at: head) }
        }
        try timeHeldRosters(on: opened, replay: replay, pairs: pairs, seed: seed, rosterOnly: rosterOnly,
                            restoredFirst: restoredFirst, each: each,
                            label: "the held projection of \(ledger) (\(head.seq) events; built in \(fmt(building.seconds * 1000)) ms)")
    }
}

/// The held row: the roster at `pairs` random (as-of, known-at) pairs on `opened`'s held head projection, or on
/// `replay` read as known at each pair, timed with the CPU on every core; unless `rosterOnly`, beside it the order
/// and the digest a service page pays at a new basis. `restoredFirst`: each pair after the roster from the nearest
/// snapshot at that pair, as the suite's row before the held one reads it (its timelines decoded and freed).
func timeHeldRosters(on opened: Ledger, replay: RegistryProjection?, pairs: Int, seed: UInt64, rosterOnly: Bool,
                     restoredFirst: Bool, each: Bool, label: String) throws {
    let clock = ContinuousClock()
    let head = try opened.store.head()
    /// The held projection read as known at `position`, as `Ledger.projections(at:)` reads its own.
    func held(at position: LedgerHead) throws -> RegistryProjection {
        guard let replay else { return try opened.liveProjection(at: position) }
        return replay.known(atSeq: position.seq).counting(with: opened.periods(atSeq: position.seq))
    }
    var generator = SeededPairs(seed: seed)
    let today = Timestamp(Date()).shanghaiDate
    var latency = Sample(), order = Sample(), digest = Sample()
    var outlets = 0
    var cpu = 0.0  // the rosters' CPU time on every core, in seconds
    for _ in 0..<pairs {
        let query = try generator.next(ledger: opened, head: head.seq, today: today)
        if restoredFirst {
            _ = try opened.snapshotRoster(on: query.asOf, knownAt: query.knownAt)
        }
        var count = 0
        var (position, projection): (LedgerHead, RegistryProjection?) = (.empty, nil)
        let cpuBefore = processCPUSeconds()
        latency.add(try clock.measure {
            position = try opened.position(knownAt: query.knownAt)
            projection = try held(at: position)
            count = projection!.roster(on: query.asOf).count
        }.seconds * 1000)
        cpu += processCPUSeconds() - cpuBefore
        outlets += count
        if !rosterOnly, let projection {
            // What a page of the service costs at a new basis beside its entries: the order, and the digest it
            // echoes (a digest is the ledger's view's: not of a replay held here).
            var places: RosterOrder?
            order.add(clock.measure { places = projection.rosterOrder(on: query.asOf) }.seconds * 1000)
            if replay == nil {
                let view = try opened.projections(at: position)
                digest.add(clock.measure { _ = view.digest(asOf: query.asOf, roster: places) }.seconds * 1000)
            }
        }
        if each {
            print("as of \(query.asOf), known at \(query.knownAt): \(count) outlets, roster \(fmt(latency.values.last!)) ms"
                  + (order.values.isEmpty ? "" : ", order \(fmt(order.values.last!)) ms")
                  + (digest.values.isEmpty ? "" : ", digest \(fmt(digest.values.last!)) ms"))
        }
    }
    print("roster on \(label)\(restoredFirst ? ", each pair after the snapshot's roster" : ""), "
          + "\(pairs) pairs, \(outlets / max(1, pairs)) outlets on average: p50 \(fmt(latency.median)) ms, "
          + "p90 \(fmt(latency.percentile(90))) ms, p99 \(fmt(latency.percentile(99))) ms; "
          + "CPU on every core \(fmt(cpu * 1e9 / Double(max(1, outlets)))) ns per outlet")
    for (name, sample) in [("order alone", order), ("digest given the order", digest)] where !sample.values.isEmpty {
        print("  \(name): p50 \(fmt(sample.median)) ms, p90 \(fmt(sample.percentile(90))) ms, p99 \(fmt(sample.percentile(99))) ms")
    }
}
