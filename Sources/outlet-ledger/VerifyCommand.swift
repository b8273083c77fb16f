import ArgumentParser
import CanonicalJSON
import OutletLedger
import OutletStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every hash from the stored bytes and check seq and streamVersion continuity.")

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let ledger = try options.open(readonly: true)
        let report: VerifyReport
        do {
            report = try ledger.store.verify()
        } catch {
            if json, error.code == .integrityFailure {
                print(JSONValue.object([
                    "ok": false, "seq": error.seq.map(JSONValue.integer) ?? .null, "error": .string(error.message),
                ]).canonicalString)
            }
            throw error
        }
        if json {
            print(JSONValue.object(["ok": true, "count": .integer(report.count), "head": .string(report.head)]).canonicalString)
        } else {
            print("ok: \(report.count) events, head \(report.head)")
        }
    }
}
