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

    func run() throws {
        let opened = try Ledger.open(at: ledger, readonly: true)
        let head = try opened.store.head()
        let clock = ContinuousClock()
        let building = try clock.measure { _ = try opened.projections(at: head) }
        var generator = SeededPairs(seed: seed)
        let today = Timestamp(Date()).shanghaiDate
        var latency = Sample(), order = Sample(), digest = Sample()
        var outlets = 0
        for _ in 0..<pairs {
            let query = try generator.next(ledger: opened, head: head.seq, today: today)
            var count = 0
            latency.add(try clock.measure {
                let view = try opened.projections(at: try opened.position(knownAt: query.knownAt))
                precondition(view.fromLiveProjection, "the live projection answers")
                count = view.projection.roster(on: query.asOf).count
            }.seconds * 1000)
            outlets += count
            // What a page of the service costs at a new basis beside its entries: the order, and the digest it echoes.
            let view = try opened.projections(at: try opened.position(knownAt: query.knownAt))
            var places: RosterOrder?
            order.add(clock.measure { places = view.projection.rosterOrder(on: query.asOf) }.seconds * 1000)
            digest.add(clock.measure { _ = view.digest(asOf: query.asOf, roster: places) }.seconds * 1000)
            if each {
                print("as of \(query.asOf), known at \(query.knownAt): \(count) outlets, roster \(fmt(latency.values.last!)) ms, "
                      + "order \(fmt(order.values.last!)) ms, digest \(fmt(digest.values.last!)) ms")
            }
        }
        print("roster on the held projection of \(ledger) (\(head.seq) events; built in \(fmt(building.seconds * 1000)) ms), "
              + "\(pairs) pairs, \(outlets / max(1, pairs)) outlets on average: p50 \(fmt(latency.median)) ms, "
              + "p90 \(fmt(latency.percentile(90))) ms, p99 \(fmt(latency.percentile(99))) ms")
        for (name, sample) in [("order alone", order), ("digest given the order", digest)] {
            print("  \(name): p50 \(fmt(sample.median)) ms, p90 \(fmt(sample.percentile(90))) ms, p99 \(fmt(sample.percentile(99))) ms")
        }
    }
}
