import ArgumentParser
import CanonicalJSON
import Foundation
import OutletLedger
import OutletCore

struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Record one event, or every event of a file atomically; prints the new seq(s).",
        discussion: """
            One event: --type T --stream USCC --on YYYY-MM-DD --actor ROLE[:UNIT] [--by NAME] [--payload FILE|-].
            Several, all or none: --events FILE (a JSON array or JSON Lines of {type, stream, effectiveOn,
            actor{role, unit, name}, payload, eventId?, schemaVersion?}).
            """)

    @OptionGroup var options: LedgerOptions

    @Option(help: "The event type (e.g. submitted, registered).") var type: String?
    @Option(help: "The institution's USCC (统一社会信用代码), the stream id.") var stream: String?
    @Option(name: .customLong("on"), help: "effectiveOn: the date the act took legal effect (YYYY-MM-DD, Asia/Shanghai).")
    var effectiveOn: String?
    @Option(help: "Who records it: ROLE[:UNIT], e.g. city-bureau:210100, district-bureau:210103, applicant:<USCC>.")
    var actor: String?
    @Option(name: .customLong("by"), help: "The actor's name.") var actorName: String = ""
    @Option(help: "The payload JSON file, or - for stdin.") var payload: String?
    @Option(name: .customLong("event-id"), help: "An idempotency key: the same id and content are recorded once.")
    var eventId: String?
    @Option(name: .customLong("schema-version"), help: "The payload's schema version (default: the newest).")
    var schemaVersion: Int64?
    @Option(name: .customLong("expect-version"), help: "Refuse unless the stream is at this version (0: new stream).")
    var expectVersion: Int64?
    @Option(help: "Append every event of this file (JSON array or JSON Lines), all or none; - for stdin.")
    var events: String?
    @Flag(name: .customLong("derive-bar"), help: "Record the 3-year bar (Art. 19) that a revocation or decline on an Art. 19 ground entails, right after it.")
    var deriveBar = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        let single = [type, stream, effectiveOn, actor]
        if events != nil {
            guard single.allSatisfy({ $0 == nil }), payload == nil, eventId == nil, schemaVersion == nil else {
                throw ValidationError("--events FILE takes the events from the file; drop --type, --stream, --on, --actor, --payload, --event-id, --schema-version")
            }
        } else {
            guard single.allSatisfy({ $0 != nil }) else {
                throw ValidationError("give --type, --stream, --on and --actor (or --events FILE)")
            }
            if payload == nil, isatty(STDIN_FILENO) == 1 {
                throw ValidationError("give the payload with --payload FILE, or pipe it with --payload -")
            }
        }
    }

    func run() throws {
        let candidates: [Candidate]
        if let events {
            candidates = try EventInput.events(try InputFile.read(events), kind: .append, source: events)
        } else {
            let source = payload ?? "-"
            let body = try EventInput.payload(try InputFile.read(source), source: source == "-" ? "stdin" : source)
            let parts = actor!.split(separator: ":", maxSplits: 1).map(String.init)
            candidates = [Candidate(
                type: type!, stream: stream!, effectiveOn: effectiveOn!,
                actor: EnvelopeActor(role: parts.first ?? "", unit: parts.count > 1 ? parts[1] : "", name: actorName),
                payload: body, eventId: eventId, schemaVersion: schemaVersion)]
        }
        let ledger = try options.open()
        let outcome = try ledger.append(candidates, expectVersion: expectVersion, deriveBars: deriveBar)
        Output.warn(outcome.warnings + ledger.finishBackgroundWork())
        let results = outcome.results
        if json {
            print(JSONValue.array(results.map(\.jsonValue)).canonicalString)
        } else {
            for result in results {
                print(result.duplicate ? "\(result.seq) (already recorded as event \(result.eventId))" : "\(result.seq)")
            }
        }
    }
}
