import Foundation
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("notice and notice verify on the command line")
struct NoticeCommandTests {
    static func ledger() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        return fixture
    }

    @Test("a generated notice verifies; one changed character does not (exit 68)", arguments: ["md", "html", "txt"])
    func verify(format: String) throws {
        let fixture = try Self.ledger()
        let file = fixture.file("roster.\(format)")
        let made = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", format, "--out", file])
        #expect(made.status == 0, "\(made.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("沈阳理工示范大学"))
        let ok = try CLI.run(["notice", "verify", file, "--ledger", fixture.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("ok: "))
        try Data(text.replacingOccurrences(of: "沈阳理工示范大学", with: "沈阳理工示范大字").utf8).write(to: URL(fileURLWithPath: file))
        let altered = try CLI.run(["notice", "verify", file, "--ledger", fixture.path])
        #expect(altered.status == 68)
        #expect(altered.stderr.contains("it was altered"))
    }

    @Test("the publicity notice of a day; none on a day without publicity is invalid input")
    func publicity() throws {
        let fixture = try Self.ledger()
        let notice = try CLI.run(["notice", "publicity", "--ledger", fixture.path, "--on", "2025-09-26", "--format", "txt"])
        #expect(notice.stdout.contains("公示期：2025年9月27日至2025年10月9日"))
        let none = try CLI.run(["notice", "publicity", "--ledger", fixture.path, "--on", "2025-09-27"])
        #expect(none.status == 65)
        #expect(none.stderr.contains("no application was publicized on 2025-09-27"))
    }

    @Test("a custom template changes the wording without a rebuild; verify needs that template; a broken one names its line")
    func customTemplate() throws {
        let fixture = try Self.ledger()
        let template = fixture.file("roster.mustache")
        try Data("{{% CONTENT_TYPE: TEXT}}\n名录（{{count}}家）：{{#entries}}{{name}} {{/entries}}\n{{provenance.line}}\n".utf8)
            .write(to: URL(fileURLWithPath: template))
        let file = fixture.file("custom.txt")
        let made = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", "txt",
                                "--template", template, "--out", file])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("名录（1家）：沈阳理工示范大学 \n"))
        #expect(try CLI.run(["notice", "verify", file, "--ledger", fixture.path]).status == 65)
        #expect(try CLI.run(["notice", "verify", file, "--ledger", fixture.path, "--template", template]).status == 0)

        try Data("第一行\n{{#entries}}\n{{name}}\n".utf8).write(to: URL(fileURLWithPath: template))
        let broken = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--template", template])
        #expect(broken.status == 65)
        #expect(broken.stderr.contains("\(template) line "), "\(broken.stderr)")
    }

    @Test("notice verify regenerates from the verified log: a log edited under a snapshot fails, even though the snapshot still answers")
    func editedLogUnderASnapshot() throws {
        let fixture = try snapshottedDemo()
        let file = fixture.file("roster.md")
        #expect(try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2026-11-25", "--out", file]).status == 0)
        #expect(try CLI.run(["notice", "verify", file, "--ledger", fixture.path]).status == 0)
        try tamper(fixture, """
            DROP TRIGGER events_no_update;
            UPDATE events SET actor_name = actor_name || '（改）' WHERE seq = 50;
            """)
        let verified = try CLI.run(["notice", "verify", file, "--ledger", fixture.path])
        #expect(verified.status == 68 && verified.stderr.contains("seq 50: hash"), "\(verified.stdout)\(verified.stderr)")
        #expect(try CLI.run(["verify", "--ledger", fixture.path]).status == 68)
    }

    @Test("a notice made with a what-if holiday file says so in its provenance, and verifies only with that file")
    func whatIfNotice() throws {
        let fixture = try Self.ledger()
        let holidays = fixture.file("holidays.json")
        try Data(#"{"source":"a what-if","years":{"2025":{"holidays":[],"workdays":[]}}}"#.utf8).write(to: URL(fileURLWithPath: holidays))
        let file = fixture.file("publicity.txt")
        let made = try CLI.run(["notice", "publicity", "--ledger", fixture.path, "--on", "2025-09-26", "--format", "txt",
                                "--out", file, "--holidays", holidays])
        #expect(made.status == 0 && made.stderr.contains("what-if"), "\(made.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("公示期：2025年9月27日至2025年10月1日") && text.contains(" holidays=what-if-"), "\(text)")
        let without = try CLI.run(["notice", "verify", file, "--ledger", fixture.path])
        #expect(without.status == 65 && without.stderr.contains("give that file with --holidays"), "\(without.stderr)")
        #expect(try CLI.run(["notice", "verify", file, "--ledger", fixture.path, "--holidays", holidays]).status == 0)
    }

    @Test("notice verify against a shorter ledger names the seq the notice needs")
    func shorterLedger() throws {
        let fixture = try Self.ledger()
        let file = fixture.file("roster.md")
        #expect(try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--out", file]).status == 0)
        let shorter = try LedgerFixture()
        _ = try shorter.ledger.append(Array(Sample.registration().prefix(2)))
        _ = try shorter.fingerprint()
        let result = try CLI.run(["notice", "verify", file, "--ledger", shorter.path])
        #expect(result.status == 68 && result.stderr.contains("the notice names seq \(genesis + 4), but this ledger ends at seq \(genesis + 2)"), "\(result.stderr)")
    }

    @Test("a notice is signed with its issue date (today, or --issued-on), never a day before the data it announces")
    func issueDate() throws {
        let fixture = try Self.ledger()
        let notice = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", "txt", "--issued-on", "2025-11-03"])
        #expect(notice.status == 0 && notice.stdout.contains("截至2025年11月1日") && notice.stdout.contains("  2025年11月3日\n"), "\(notice.stdout)")
        #expect(notice.stdout.contains(" issued=2025-11-03 "))
        let early = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--issued-on", "2025-10-31"])
        #expect(early.status == 65 && early.stderr.contains("cannot be issued on 2025-10-31"), "\(early.stderr)")
    }

    @Test("a notice with nothing to announce is not issued: an empty revocation range, an empty reminder range, an empty roster")
    func nothingToAnnounce() throws {
        let fixture = try Self.ledger()
        let revocation = try CLI.run(["notice", "revocation", "--ledger", fixture.path, "--from", "2025-01-01", "--to", "2025-12-31"])
        #expect(revocation.status == 65 && revocation.stderr.contains("no Art. 19 revocation or decline took effect from 2025-01-01 to 2025-12-31"), "\(revocation.stderr)")
        let reminders = try CLI.run(["notice", "reminders", "--ledger", fixture.path, "--from", "2025-01-01", "--to", "2025-01-31"])
        #expect(reminders.status == 65 && reminders.stderr.contains("nothing falls due"), "\(reminders.stderr)")
        let roster = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-01-01"])
        #expect(roster.status == 65 && roster.stderr.contains("no outlet is on the roster on 2025-01-01"), "\(roster.stderr)")
    }
}
