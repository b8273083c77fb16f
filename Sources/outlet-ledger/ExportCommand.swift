import ArgumentParser
import OutletLedger
import OutletCore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every event as JSON Lines of full envelopes (canonical JSON), in seq order.",
        discussion: "Any RFC 8785 implementation can re-verify the chain from this file alone (see tools/verify-export.py).")

    @OptionGroup var options: LedgerOptions

    @Option(help: "The output file (default: stdout).") var out: String?

    func run() throws {
        let ledger = try options.open(readonly: true)
        var output = try Output(path: out)
        try ledger.store.forEachEvent { envelope in
            output.write(HashChain.canonicalBytes(of: envelope, includingHash: true) + [0x0A])
        }
        output.flush()
    }
}
