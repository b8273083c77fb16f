import ArgumentParser
import OutletLedger

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append a JSON Lines log (e.g. an export) in one transaction, keeping its recordedAt.",
        discussion: """
            Each line: {type, stream, effectiveOn, actor{role, unit, name}, payload} and optionally eventId,
            schemaVersion, recordedAt (must not decrease nor lie in the future). Lines of an export also carry
            seq, streamVersion, prevHash and hash: they must be exactly what this ledger computes.
            """)

    @OptionGroup var options: LedgerOptions

    @Argument(help: "The JSON Lines file, or - for stdin.") var file: String

    func run() throws {
        let candidates = try EventInput.events(try InputFile.read(file), kind: .import, source: file)
        let ledger = try options.open()
        let outcome = try ledger.importEvents(candidates)
        Output.warn(outcome.warnings + ledger.finishBackgroundWork())
        let results = outcome.results
        let head = try ledger.store.head()
        print("imported \(results.filter { !$0.duplicate }.count) events (\(results.filter(\.duplicate).count) already present), head seq \(head.seq) \(head.hash)")
    }
}
