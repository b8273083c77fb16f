import ArgumentParser
import Foundation
import OutletDomain
import OutletDemo
import OutletLedger
import OutletCore

/// Benchmark tools: synthetic national-scale ledgers (not part of the registry's own CLI).
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outlet-bench", abstract: "Benchmark tools for OutletLedger.", subcommands: [Suite.self, Generate.self, Appends.self, FormCheck.self, HeldRoster.self, SnapshotFootprint.self])
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a ledger with a synthetic history from 2014 to today, imported through the rules in chunks.")

    @Option(help: "The ledger file to create.") var ledger: String
    @Option(help: "How many events.") var events = 1_000_000
    @Option(help: "Events per import call (one transaction each).") var chunk = 50_000
    @Option(help: "The seed of the history.") var seed: UInt64 = 2014
    @Option(help: "Then time the roster at this many random (as-of, known-at) pairs on the import's own held projection, as the suite's held row reads it.")
    var heldPairs = 0
    @Flag(help: "Before each pair, the roster at that pair from the nearest snapshot, as the suite's row before the held one reads it (its timelines decoded and dropped).")
    var restoredFirst = false

    func run() throws {
        let today = Timestamp(Date()).shanghaiDate
        let clock = ContinuousClock()
        let created = try Ledger.create(at: ledger)
        var registry = SyntheticRegistry(periods: created.periods, today: today)
        let scheduling = clock.measure { registry.schedule(events: events, seed: seed) }
        // Made before the clock runs, as the suite makes its batches: the figure is the import's alone (made
        // chunk by chunk inside it, they were about 8% of the importing thread's time).
        let batches = Array(registry.chunks(of: chunk))
        var imported = 0
        let importing = try clock.measure {
            for candidates in batches {
                imported += try created.importEvents(candidates).results.count
            }
            _ = created.finishBackgroundWork()
        }
        let seconds = Double(importing.components.seconds) + Double(importing.components.attoseconds) / 1e18
        print("generated \(imported) events (scheduled in \(scheduling)); imported in \(String(format: "%.1f", seconds)) s, \(Int(Double(imported) / seconds)) events/s")
        if heldPairs > 0 {
            // The suite's held row on the projection the import leaves, not on a replay's as `held-roster` holds.
            try timeHeldRosters(on: created, replay: nil, pairs: heldPairs, seed: seed, rosterOnly: true, restoredFirst: restoredFirst,
                                each: false, label: "the import's held projection")
        }
    }
}
