import ArgumentParser
import Foundation
import OutletDomain
import OutletDemo
import OutletLedger
import OutletNotices
import OutletCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a realistic registry (60 institutions, 2024 to today) through the rules, then show what it answers.",
        discussion: "Every act goes through the same append path as a user's: form checks, the rules of the Measures, the hash chain.")

    @Option(help: "The folder to create the ledger in (default: a new temporary folder).") var out: String?

    func run() throws {
        let folder = try out ?? Self.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("outlets.sqlite")
        let now = try LedgerOptions.environmentClock()
        let today = now.now().shanghaiDate
        let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 0))
        let ledger = try Ledger.create(at: path, clock: clock)
        let calls = try DemoRegistry.build(into: ledger, clock: clock, today: today)
        Output.warn(ledger.finishBackgroundWork())
        let head = try ledger.store.head()
        print("demo ledger: \(path)")
        print("recorded \(head.seq) events in \(calls) calls for 60 institutions, 2024-01-08 to \(today), every one decided by the rules\n")

        let ledgerOption = ["--ledger", path]
        let sections: [(String, [String])] = [
            ("outlet-ledger roster", ["roster"]),
            ("outlet-ledger bans", ["bans"]),
            ("outlet-ledger calendar --from \(today) --to \(today.adding(days: 90))",
             ["calendar", "--from", today.description, "--to", today.adding(days: 90).description]),
            ("outlet-ledger replay", ["replay"]),
        ]
        for (title, arguments) in sections {
            print("== \(title)")
            var command = try OutletLedgerCommand.parseAsRoot(arguments + ledgerOption)
            try command.run()
            print()
        }
        print("== notices, generated from the projections (each ends with its ledger position)")
        let reader = try Ledger.open(at: path, clock: now, readonly: true)
        let position = try reader.store.head()
        let latestPublicity = try reader.projections(at: position).projection.timelines
            .flatMap(\.allVersions).filter { $0.type == .publicized && $0.retractedBy == nil }.map(\.effectiveOn).max() ?? today
        let notices: [(String, NoticeRequest)] = [
            ("publicity", .publicity(on: latestPublicity, noticeNo: nil)),
            ("roster", .roster(asOf: today)),
            ("revocation", .revocation(from: LocalDate(year: 2024, month: 1, day: 1)!, to: today)),
            ("reminders", .reminders(from: today, to: today.adding(days: 90))),
        ]
        for (name, request) in notices {
            for format in [NoticeFormat.html, .md] {
                let file = (folder as NSString).appendingPathComponent("notice-\(name).\(format.rawValue)")
                let notice = try reader.notice(request, format: format, at: position)
                try Data(notice.text.utf8).write(to: URL(fileURLWithPath: file))
                print("  \(file)")
            }
        }
        print()
        print("""
            == try next
              export OUTLET_LEDGER=\(path)
              outlet-ledger roster --as-of 2025-06-30 --known-at 2025-07-15T00:00:00Z   # the roster of a past date, as the ledger then stood
              outlet-ledger roster --as-of 2027-03-31                                  # outlets registered in early 2024 have expired
              outlet-ledger status \(DemoInstitutionIDs.revokedForFraud(ledger.policy)) --json
              outlet-ledger history \(DemoInstitutionIDs.corrected(ledger.policy))                    # a retraction and its correction
              outlet-ledger calendar --from \(today) --to \(today.adding(days: 365)) --format csv
              outlet-ledger notice verify \((folder as NSString).appendingPathComponent("notice-roster.md"))
              outlet-ledger stats
              outlet-ledger verify
            """)
    }

    static func temporaryFolder() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/outlet-ledger-demo.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw LedgerError(.storage, "cannot create a temporary folder in \(base)") }
        return String(cString: made)
    }
}
