import Foundation
import OutletDomain
@testable import OutletNotices
import OutletProjections
import OutletTestSupport
import Testing

/// Renders a notice of the golden history (Tests/OutletTestSupport/GoldenHistory.swift) at a fixed position and time.
func render(_ request: NoticeRequest, _ format: NoticeFormat, projection: RegistryProjection = GoldenHistory.projection(),
            config: NoticeConfig? = nil) throws -> String
{
    let config = try config ?? NoticeConfig.bundled()
    let content = NoticeContent(projection: projection, config: config).context(for: request, issuedOn: LocalDate("2026-07-01")!)
    let renderer = try NoticeRenderer(kind: request.kind, format: format)
    let provenance = Provenance(request: request, format: format, seq: 27, hash: String(repeating: "a", count: 64),
                                digest: String(repeating: "d", count: 64), generatedAt: "2026-07-01T02:00:00.000Z",
                                template: "bundled", config: "bundled", issuedOn: LocalDate("2026-07-01")!)
    return renderer.render(content.values, provenance: provenance)
}

@Suite("Golden notices (md and txt) of the scripted history; re-record with RECORD_GOLDEN=1")
struct GoldenNoticeTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let cases: [(String, NoticeRequest)] = [
        ("publicity-2025-09-26", .publicity(on: LocalDate("2025-09-26")!, noticeNo: nil)),
        ("publicity-notice-2025-5", .publicity(on: nil, noticeNo: "2025-5")),
        ("roster-2026-01-10", .roster(asOf: LocalDate("2026-01-10")!)),
        ("revocation-2026", .revocation(from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!)),
        ("reminders-2026-h2", .reminders(from: LocalDate("2026-07-01")!, to: LocalDate("2026-12-31")!)),
    ]

    @Test("each notice matches its golden file", arguments: cases)
    func golden(name: String, request: NoticeRequest) throws {
        for format in [NoticeFormat.md, .txt] {
            let file = Self.golden.appendingPathComponent("\(name).\(format.rawValue)")
            let text = try render(request, format)
            if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] != nil {
                try Data(text.utf8).write(to: file)
            }
            #expect(text == (try String(contentsOf: file, encoding: .utf8)), "\(file.lastPathComponent)")
        }
    }
}

@Suite("Notices say what the projections say")
struct NoticeContentTests {
    typealias H = GoldenHistory

    @Test("the roster notice names every roster outlet and no other institution")
    func rosterComplete() throws {
        let projection = H.projection()
        for date in ["2025-10-10", "2026-01-10", "2026-06-01", "2027-02-20"] {
            let text = try render(.roster(asOf: LocalDate(date)!), .txt, projection: projection)
            let roster = projection.roster(on: LocalDate(date)!)
            let onRoster = Set(roster.map(\.name))
            for name in ["甲大学", "乙图书馆", "丙国家级网点", "丁知识产权服务有限公司", "戊研究所", "己省级网点"] {
                #expect(text.contains(name) == onRoster.contains(name), "\(name) on \(date)")
            }
            #expect(text.contains("共\(roster.count)家"))
        }
    }

    @Test("the publicity window in the notice is the one the rules enforce (first day after publicity, last day extended)")
    func publicityWindow() throws {
        let text = try render(.publicity(on: LocalDate("2025-09-26")!, noticeNo: nil), .md)
        let end = ShippedData.periods.publicityWindowEnd(LocalDate("2025-09-26")!).date
        #expect(end == LocalDate("2025-10-09"))
        #expect(text.contains("公示期：2025年9月27日至\(NoticeContent.chineseDate(end))。"))
    }

    @Test("names with <, & and quotes survive HTML (and Markdown) escaped, and the page embeds its CSS and loads nothing")
    func htmlEscaping() throws {
        var projection = RegistryProjection(periods: ShippedData.periods)
        let uscc = H.uscc("G")
        let name = #"A&B <"测试">'网点'"#
        let included = H.payload(.autoIncluded, #"{"level":"national","reference":"r","institution":\#(H.institution(uscc, #"A&B <\"测试\">'网点'"#, "other", "210102")),"serviceItems":["<script>alert(1)</script>"]}"#)
        projection.apply(DomainEvent(seq: 1, type: .autoIncluded, effectiveOn: LocalDate("2025-01-02")!, actor: H.city, payload: included), stream: uscc)
        let html = try render(.roster(asOf: LocalDate("2025-01-02")!), .html, projection: projection)
        #expect(!html.contains(name))
        #expect(html.contains("A&amp;B &lt;&quot;测试&quot;&gt;&#39;网点&#39;") || html.contains("A&amp;B &lt;&quot;测试&quot;&gt;&#x27;网点&#x27;"), "\(html)")
        #expect(!html.contains("<script>"))
        #expect(html.contains("<style>@page { size: A4;"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<link"))
        let md = try render(.roster(asOf: LocalDate("2025-01-02")!), .md, projection: projection)
        // Markdown shows the name as text: its HTML and Markdown characters escaped.
        #expect(md.contains(#"A&amp;B &lt;"测试"&gt;'网点'"#) && !md.contains("<script>"), "\(md)")
    }

    @Test("Chinese dates: Arabic numerals without leading zeros")
    func chineseDates() {
        #expect(NoticeContent.chineseDate(LocalDate("2025-10-09")!) == "2025年10月9日")
        #expect(NoticeContent.chineseDate(LocalDate("2026-01-01")!) == "2026年1月1日")
    }

    @Test("the provenance line reads back as what was generated")
    func provenanceRoundTrip() throws {
        for format in NoticeFormat.allCases {
            let text = try render(.revocation(from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!), format)
            let provenance = try #require(Provenance(notice: text))
            #expect(provenance.request == .revocation(from: LocalDate("2026-01-01")!, to: LocalDate("2026-12-31")!))
            #expect(provenance.format == format)
            #expect(provenance.seq == 27)
            #expect(provenance.generatedAt == "2026-07-01T02:00:00.000Z")
        }
    }

    @Test("a broken template is refused naming the template and its line")
    func brokenTemplate() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).mustache")
        try Data("第一行\n{{#entries}}\n{{name}}\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            try NoticeRenderer(kind: "roster", format: .md, templateFile: file.path)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("line ")
        }
    }
}
