import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("The README's worked examples are payloads the ledger accepts")
struct ReadmeExamplesTests {
    /// `#### \`type\`` headings of the README, each with the first ```json block after it.
    static func examples() throws -> [(type: String, payload: String)] {
        let lines = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var examples: [(String, String)] = []
        var type: String?
        var inBlock = false
        for line in lines {
            if line.hasPrefix("#### `") {
                type = line.dropFirst(6).prefix { $0 != "`" }.description
            } else if line == "```json", type != nil {
                inBlock = true
            } else if inBlock {
                examples.append((type!, String(line)))
                inBlock = false
                type = nil
            }
        }
        return examples
    }

    @Test("one example for each of the 21 event types, each passing the form checks of its type")
    func examplesPass() throws {
        let examples = try Self.examples()
        #expect(examples.count == 21)
        for (type, text) in examples {
            let stream = ["policy-adopted", "holiday-calendar-published"].contains(type) ? "registry" : Sample.university
            let candidate = Candidate(type: type, stream: stream, effectiveOn: "2025-09-01", actor: Sample.cityBureau,
                                      payload: try JSONParser.parse(text))
            #expect(throws: Never.self, "\(type)") { _ = try CandidateChecker().check(candidate) }
        }
    }
}
