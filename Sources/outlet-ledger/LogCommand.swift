import ArgumentParser
import OutletDomain
import OutletLedger
import OutletCore

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List events in seq order.")

    @OptionGroup var options: LedgerOptions

    @Option(name: .customLong("from-seq"), parsing: .unconditional, help: "The first seq to list.") var fromSeq: Int64 = 1
    @Option(name: .customLong("to-seq"), parsing: .unconditional, help: "The last seq to list.") var toSeq: Int64 = .max
    @Flag(help: "Print full envelopes as a JSON array.") var json = false

    func run() throws {
        guard fromSeq >= 1 else { throw LedgerError(.invalidInput, "--from-seq must be 1 or more") }
        guard toSeq >= fromSeq else { throw LedgerError(.invalidInput, "--to-seq \(toSeq) is below --from-seq \(fromSeq)") }
        let ledger = try options.open(readonly: true)
        EventListing.print(try ledger.store.events(fromSeq: fromSeq, toSeq: toSeq), json: json)
    }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List one institution's events in order.")

    @OptionGroup var options: LedgerOptions

    @Argument(help: "The institution's USCC.") var uscc: String
    @Flag(help: "Print full envelopes as a JSON array.") var json = false

    func run() throws {
        do {
            _ = try USCC(validating: uscc)
        } catch {
            throw LedgerError(.invalidInput, "\"\(uscc)\" is not a valid USCC: \(error)")
        }
        let ledger = try options.open(readonly: true)
        let events = try ledger.store.events(ofStream: uscc)
        if json {
            EventListing.print(events, json: true)
            return
        }
        var table = TextTable(["SEQ", "EFFECTIVE", "RECORDED", "TYPE", "WHO", "WHAT"])
        let history = try ledger.history(of: uscc)
        let retracted = Retractions.targets(history.map(\.domainEvent))
        for event in history {
            let envelope = event.envelope
            table.add([String(envelope.seq), envelope.effectiveOn, envelope.recordedAt, envelope.type,
                       envelope.actor.role + (envelope.actor.name.isEmpty ? "" : " \(envelope.actor.name)"),
                       EventSummary.describe(event, periods: ledger.periods) + (retracted.contains(envelope.seq) ? " [retracted]" : "")])
        }
        print(table.render().joined(separator: "\n"))
    }
}

/// The shared rendering of `log` and `history`.
enum EventListing {
    static func print(_ events: [Envelope], json: Bool) {
        var output = try! Output(path: nil)
        if json {
            output.line("[")
            for (index, envelope) in events.enumerated() {
                output.write(HashChain.canonicalBytes(of: envelope, includingHash: true))
                output.line(index < events.count - 1 ? "," : "")
            }
            output.line("]")
        } else {
            var table = TextTable(["SEQ", "EFFECTIVE", "RECORDED", "STREAM", "V", "TYPE", "ACTOR"])
            for envelope in events {
                let unit = envelope.actor.unit.isEmpty ? "" : ":\(envelope.actor.unit)"
                let name = envelope.actor.name.isEmpty ? "" : " \(envelope.actor.name)"
                table.add([String(envelope.seq), envelope.effectiveOn, envelope.recordedAt, envelope.stream,
                           String(envelope.streamVersion), envelope.type, envelope.actor.role + unit + name])
            }
            for line in table.render() { output.line(line) }
        }
        output.flush()
    }
}
