import ArgumentParser
import OutletLedger

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new, empty ledger (never overwrites an existing file).")

    @OptionGroup var options: LedgerOptions

    func run() throws {
        let ledger = try Ledger.create(at: options.path)
        print("created ledger \(ledger.store.path)")
    }
}
