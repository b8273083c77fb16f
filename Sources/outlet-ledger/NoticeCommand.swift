import ArgumentParser
import Foundation
import OutletDomain
import OutletLedger
import OutletNotices
import OutletTransparency
import OutletCore

struct NoticeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "Generate the bureau's public notices from the projections, with their provenance; verify one.",
        subcommands: [PublicityNotice.self, RosterNotice.self, RevocationNotice.self, RemindersNotice.self, VerifyNotice.self])
}

extension NoticeFormat: ExpressibleByArgument {}

/// What every notice takes: where the ledger is, which position, the format, template and config.
struct NoticeOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions
    @Option(name: .customLong("known-at"), help: "Generate from the ledger as it stood at this time (RFC 3339).") var knownAt: String?
    @Option(name: .customLong("at-seq"), help: "Generate from the ledger as it stood after event N.") var atSeq: Int64?
    @Option(help: "md, html or txt.") var format: NoticeFormat = .md
    @Option(help: "Write the notice to this file (default: stdout).") var out: String?
    @Option(help: "A Mustache template replacing the bundled one.") var template: String?
    @Option(help: "A notice config (authority, objection contact) replacing the bundled one.") var config: String?
    @Option(name: .customLong("issued-on"), help: "The issue date the notice is signed with (default: today, Asia/Shanghai); not before the data it announces.")
    var issuedOn: String?

    func generate(_ request: NoticeRequest) throws {
        try generate { _ in request }
    }

    /// A notice whose request depends on the ledger (its "today").
    func generate(_ request: (Ledger) throws -> NoticeRequest) throws {
        let ledger = try ledger.open(readonly: true)
        let request = try request(ledger)
        let query = Query(asOf: nil, knownAt: knownAt, atSeq: atSeq, names: Query.Names(asOf: "--as-of", knownAt: "--known-at", atSeq: "--at-seq"))
        let notice = try ledger.notice(request, format: format, at: try query.position(in: ledger), templateFile: template,
                                       configFile: config, issuedOn: try issuedOn.map { text throws(LedgerError) in try date(text, "--issued-on") })
        var output = try Output(path: out)
        output.write(Array(notice.text.utf8))
        output.flush()
        if let out { Output.standardError("outlet-ledger: wrote \(out) (seq \(notice.provenance.seq))") }
    }
}

func date(_ text: String, _ option: String) throws(LedgerError) -> LocalDate {
    guard let date = LocalDate(text) else { throw LedgerError(.invalidInput, "\(option) \"\(text)\" is not a calendar date (YYYY-MM-DD)") }
    return date
}

struct PublicityNotice: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publicity", abstract: "公示: the applications publicized on a day or under a notice number (Art. 6(3)).")
    @OptionGroup var options: NoticeOptions
    @Option(name: .customLong("on"), help: "The publicity date.") var on: String?
    @Option(name: .customLong("notice-no"), help: "The notice number.") var noticeNo: String?

    func validate() throws {
        guard (on == nil) != (noticeNo == nil) else { throw ValidationError("give --on D or --notice-no N") }
    }

    func run() throws {
        try options.generate(.publicity(on: try on.map { text throws(LedgerError) in try date(text, "--on") }, noticeNo: noticeNo))
    }
}

struct RosterNotice: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "roster", abstract: "名录: the roster announcement with each outlet's service items (Art. 6(4)).")
    @OptionGroup var options: NoticeOptions
    @Option(name: .customLong("as-of"), help: "The date (default: today, Asia/Shanghai).") var asOf: String?

    func run() throws {
        let asOf = try asOf.map { text throws(LedgerError) in try date(text, "--as-of") }
        try options.generate { ledger in .roster(asOf: asOf ?? ledger.today) }
    }
}

struct RevocationNotice: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revocation", abstract: "通报: Art. 19 revocations and declines with their bars, in a range.")
    @OptionGroup var options: NoticeOptions
    @Option(help: "The first day.") var from: String
    @Option(help: "The last day.") var to: String

    func run() throws {
        try options.generate(.revocation(from: try date(from, "--from"), to: try date(to, "--to")))
    }
}

struct RemindersNotice: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reminders", abstract: "提醒: what falls due in a range (renewals, deadlines, summaries).")
    @OptionGroup var options: NoticeOptions
    @Option(help: "The first day.") var from: String
    @Option(help: "The last day.") var to: String

    func run() throws {
        try options.generate(.reminders(from: try date(from, "--from"), to: try date(to, "--to")))
    }
}

struct VerifyNotice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Regenerate a notice from the ledger at the position it names; say whether it matches exactly, and check the proofs of inclusion it carries.")
    @OptionGroup var ledger: LedgerOptions
    @Argument(help: "The notice file.") var file: String
    @Option(help: "The custom template it was made with, if any.") var template: String?
    @Option(help: "The notice config it was made with, if any.") var config: String?
    @Option(help: "The bureau's published verifier key: also check the signature on the checkpoint the notice names.") var vkey: String?

    func run() throws {
        let text = String(decoding: try InputFile.read(file), as: UTF8.self)
        let verifier: SignedNote.Verifier?
        do {
            verifier = try vkey.map { key throws(SignedNote.KeyError) in try SignedNote.Verifier(encoded: key) }
        } catch {
            throw LedgerError(.invalidInput, "--vkey: \(error)")
        }
        let ledger = try ledger.open(readonly: true)
        let result = try ledger.verifyNotice(text, templateFile: template, configFile: config, verifier: verifier)
        guard result.matches else {
            throw LedgerError(.integrityFailure, "\(file) differs from what the ledger at seq \(result.provenance.seq) generates: it was altered")
        }
        print("ok: \(file) is exactly what the ledger at seq \(result.provenance.seq) (\(result.provenance.hash)) generates")
        if result.proofs > 0, let size = result.provenance.checkpoint {
            print("ok: its \(result.proofs) proofs of inclusion lead to the log's checkpoint of size \(size)"
                + (result.signatureChecked ? ", signed by \(verifier?.name ?? "")" : " (give --vkey to check its signature too)"))
        }
    }
}
