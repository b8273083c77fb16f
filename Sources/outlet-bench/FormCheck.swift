import ArgumentParser
import Foundation
import OutletDemo
import OutletDomain
import OutletLedger
import OutletCore

/// The form check alone, on one core: what every append and import pays before the rules, without the
/// write beside it (an append's CPU is mostly this check on a new application's ~1.3 KB payload).
struct FormCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "form-check",
        abstract: "Time the form check (text, schema, payload, canonical form) of new applications and of the synthetic history's mix.")

    @Option(help: "How many events of the synthetic history's mix.") var events = 50_000
    @Option(help: "How many new applications.") var applications = 5_000
    @Option(help: "Passes over each set; the median pass is reported.") var passes = 5

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-bench-form-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let created = try Ledger.create(at: folder.appendingPathComponent("ledger.sqlite").path)
        let today = Timestamp(Date()).shanghaiDate
        var registry = SyntheticRegistry(periods: created.periods, today: today)
        registry.schedule(events: events, seed: 2014)
        let mix = Array(registry.chunks(of: events).joined().prefix(events))
        let submitted = registry.applications(applications, on: today)
        let checker = CandidateChecker()
        for (name, candidates) in [("new applications", submitted), ("the history's mix", mix)] {
            var pass = Sample()
            for _ in 0..<passes {
                let seconds = try ContinuousClock().measure {
                    for candidate in candidates { _ = try checker.check(candidate) }
                }.seconds
                pass.add(seconds * 1e6 / Double(candidates.count))
            }
            let sorted = pass.values.sorted()
            print("form check of \(candidates.count) \(name): \(fmt(pass.median)) µs each "
                  + "(median of \(passes) passes, \(fmt(sorted.first!))–\(fmt(sorted.last!)))")
        }
    }
}
