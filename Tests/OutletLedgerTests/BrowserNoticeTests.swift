import Foundation
import Testing

/// Runs only where Debian's chromium and poppler-utils are installed (see the README).
@Suite("Notices in a real browser", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")))
struct BrowserNoticeTests {
    @Test("the demo's HTML notices print to A4 PDF with every listed name in the text, and nothing overflows the page width")
    func demoNotices() throws {
        let fixture = try LedgerFixture(create: false)
        let folder = fixture.file("demo")
        #expect(try CLI.run(["demo", "--out", folder]).status == 0)
        let check = try CLI.run(executable: URL(fileURLWithPath: Repository.path("tools/check-notices-in-browser")), [folder])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("notices in browser: 4 checked, 0 failed"), "\(check.stdout)")
    }
}
