import ArgumentParser
import CanonicalJSON
import Foundation
import OutletDomain
import OutletLedger
import OutletCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "An institution's status on a date (DOMAIN.md §6), from its own events alone.")

    @OptionGroup var options: LedgerOptions

    @Argument(help: "The institution's USCC.") var uscc: String
    @OptionGroup var query: QueryOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() throws {
        let stream: USCC
        do {
            stream = try USCC(validating: uscc)
        } catch {
            throw LedgerError(.invalidInput, "\"\(uscc)\" is not a valid USCC: \(error)")
        }
        let ledger = try options.open(readonly: true)
        let date = try query.date(in: ledger)
        let report = try ledger.status(of: stream, on: date, upTo: try query.position(in: ledger).seq)
        Output.warn(report.warnings)
        if json {
            print(report.jsonValue(uscc: stream).canonicalString)
            return
        }
        let unnamed = try ledger.store.lastSeq(ofStream: stream.code) == 0 ? "(no events)" : "(none of its acts is in effect on \(date))"
        var lines = ["\(stream.code) \(report.name.map(TerminalText.safe) ?? unnamed)", "as of \(date): \(report.status.rawValue)" + (report.stage.map { " (\($0.rawValue))" } ?? "")]
        let dates: [(String, LocalDate?)] = [
            ("publicity window ends", report.publicityWindowEnds), ("registered on", report.registeredOn),
            ("valid through", report.validThrough), ("rectification deadline", report.rectificationDeadline),
            ("barred through", report.barredThrough),
        ]
        for (label, value) in dates { if let value { lines.append("  \(label): \(value)") } }
        print(lines.joined(separator: "\n"))
    }
}
