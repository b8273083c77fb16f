import Foundation
@testable import OutletDomain
import Testing

@Suite("The README's rules table says what the code enforces")
struct ReadmeRulesTableTests {
    /// `| `type` | who | article | when |` rows of the README.
    static func rows() throws -> [String: (who: Set<String>, article: String)] {
        let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        var rows: [String: (Set<String>, String)] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let type = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard EventType(rawValue: type) != nil else { continue }
            rows[type] = (Set(cells[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }), cells[2])
        }
        return rows
    }

    @Test("one row per event type, with the roles and the article the code uses", arguments: EventType.allCases)
    func row(type: EventType) throws {
        let row = try #require(try Self.rows()[type.rawValue], "no README row for \(type.rawValue)")
        #expect(row.who == Set(Decider.allowedRoles(type).map(\.rawValue)))
        #expect(row.article == type.article)
    }
}
