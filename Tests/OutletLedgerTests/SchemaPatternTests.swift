import Foundation
import OutletDomain
import Testing

@testable import EventSchemas

/// The schemas' `pattern`s are matched without Foundation; these tests hold that matcher to
/// NSRegularExpression's verdict (with `$` read as the end of the text, as ECMA-262 does) on strings
/// made to land on both sides of each pattern.
@Suite("Schema patterns: matched as NSRegularExpression matches them")
struct SchemaPatternTests {
    /// Every pattern of the committed schemas, and the neighbours of that kind a schema might use next.
    static let patterns: [String] = {
        let folder = Repository.path("EventSchemas/schemas")
        var found: Set<String> = []
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            guard let text = try? String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8),
                  let json = try? JSONSerialization.jsonObject(with: Data(text.utf8))
            else { continue }
            collect(json, into: &found)
        }
        return found.sorted() + [
            "[0-9]{3}", "^a|b$", "^(ab|a)c$", "^(a|ab)(c|bcd)$", "^[^0-9]+$", "^x{2,}$", "^x{1,3}y?$", "^(\\.[a-z]{2})*$",
            "^[\\u4e00-\\u9fa5]{2,20}$", "^[-a-c]+$", "^[a\\-z]$", "^$", "^(a*)*b$", "^\\([0-9]+\\)$",
        ]
    }()

    static func collect(_ json: Any, into found: inout Set<String>) {
        if let object = json as? [String: Any] {
            if let pattern = object["pattern"] as? String { found.insert(pattern) }
            for value in object.values { collect(value, into: &found) }
        } else if let array = json as? [Any] {
            for value in array { collect(value, into: &found) }
        }
    }

    /// The oracle: ICU, with a final `$` made `\z` (ICU's `$` also matches before a final line break).
    static func oracle(_ pattern: String) throws -> NSRegularExpression {
        var ecma = pattern
        if ecma.hasSuffix("$"), !ecma.hasSuffix("\\$") { ecma = String(ecma.dropLast()) + "\\z" }
        return try NSRegularExpression(pattern: ecma)
    }

    /// Strings near the pattern: pieces of its own literals and classes' edges, digits, letters, CJK, line breaks.
    static func candidates(for pattern: String, count: Int, seed: UInt64) -> [String] {
        var generator = SplitMix64(state: seed)
        let own = Array(pattern.unicodeScalars.filter { !"^$()[]{}|\\*+?".unicodeScalars.contains($0) })
        let alphabet: [Unicode.Scalar] = own + Array("0123456789abcdefxyzAHIJOSTZ-.:,!~ \n\t".unicodeScalars) + ["\u{4e00}", "\u{9fa5}", "\u{4e2d}", "\u{7f}", "\u{e9}"]
        return (0..<count).map { _ in
            let length = Int(generator.next() % 70)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            return String(text)
        }
    }

    static let samples: [String] = [
        "", "a", "b", "ab", "abc", "ac", "abcd", "abbcd", "c", "xx", "xxx", "xy", "x", "xxxxy", "aab", "aaa", "b\n", "\n",
        "210102", "2101021", "21010", "210102\n", "2025-07-15", "2025-7-15", "2025-07-15T09:00:00.000Z", "2025-07-15T09:00:00Z",
        "01-01", "01-01..01-03", "01-01..", "info-changed", "info--changed", "-info", "info-", "91210102MA0XXXXXX1",
        String(repeating: "a", count: 64), String(repeating: "0f", count: 32), String(repeating: "0F", count: 32), "(12)", "()",
        ".ab.cd", ".a", "中文", "中", "abc_09", "9", "-", "a-z", "-ac-", "\u{4e00}\u{9fa5}", "!\"#$%&'()*", "+", ",-~", " ",
    ]

    @Test("the committed schemas' patterns are all matched here, none left to NSRegularExpression, ASCII text by table")
    func committedPatternsArePlain() throws {
        for pattern in Self.patterns {
            #expect(try SchemaPattern(pattern).isPlain, "\(pattern)")
            #expect(try SchemaPattern(pattern).hasAsciiTable, "\(pattern)")
        }
    }

    @Test("on generated and chosen strings, every pattern agrees with NSRegularExpression", arguments: Self.patterns)
    func agreesWithFoundation(pattern: String) throws {
        let matcher = try SchemaPattern(pattern)
        let oracle = try Self.oracle(pattern)
        var matched = 0
        let generated = Self.candidates(for: pattern, count: 3_000, seed: UInt64(pattern.utf8.count))
        // The same strings with their non-ASCII scalars dropped: ASCII text is matched by the table, the rest by the automaton.
        let texts = Self.samples + generated + generated.map { String(String.UnicodeScalarView($0.unicodeScalars.filter(\.isASCII))) }
        for text in texts {
            let expected = oracle.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(matcher.matches(text) == expected, "\(pattern) on \(text.debugDescription)")
            if expected { matched += 1 }
        }
        // Both verdicts were seen: the strings reach both sides of every pattern.
        #expect(matched > 0 && matched < texts.count, "\(pattern): \(matched) of \(texts.count) matched")
    }

    @Test("a generated string that should match does: each pattern's own examples")
    func examplesMatch() throws {
        let examples: [String: String] = [
            "^[0-9a-f]{64}$": String(repeating: "ab", count: 32), "^[0-9]{6}$": "210102",
            "^[a-z]+(-[a-z]+)*$": "rectification-ordered",
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$": "2025-07-15T01:02:03.004Z",
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "2025-07-15", "^[0-9]{2}-[0-9]{2}(\\.\\.[0-9]{2}-[0-9]{2})?$": "10-01..10-07",
            "^[0-9]{2}-[0-9]{2}$": "10-01", "^[0-9A-HJ-NPQRTUWXY]{18}$": "91210102MA0QQQQQ1X", "^[!-*,-~]+$": "key-1_",
        ]
        for (pattern, example) in examples {
            #expect(try SchemaPattern(pattern).matches(example), "\(pattern) on \(example)")
            #expect(try !SchemaPattern(pattern).matches(example + "\n"), "\(pattern): a final line break is not the end")
        }
    }

    @Test("nested repeats cost time linear in the text: no input makes a check backtrack for ever")
    func nestedRepeatsDoNotBacktrack() throws {
        let long = String(repeating: "a", count: 20_000)
        #expect(try !SchemaPattern("^(a*)*b$").matches(long))
        #expect(try !SchemaPattern("^(a|aa)+(a+)+$").matches(long + "!"))
        #expect(try SchemaPattern("^(a|aa)+(a+)+$").matches(long))
    }

    @Test("what is not plain is left to NSRegularExpression, and what is no pattern is refused",
          arguments: ["^(?=a)ab$", "^a.c$", "^a+?$", "^(a)\\1$", "^[[:alpha:]]+$", "^\\s$", "^\\d+\\w*$"])
    func othersFallBack(pattern: String) throws {
        let matcher = try SchemaPattern(pattern)
        #expect(!matcher.isPlain)
        let oracle = try NSRegularExpression(pattern: pattern)
        for text in Self.samples + ["ab", "abc", "aa", "a c", " "] {
            #expect(matcher.matches(text) == (oracle.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil), "\(pattern) on \(text.debugDescription)")
        }
        #expect(throws: (any Error).self) { try SchemaPattern("^[0-9") }
        #expect(throws: (any Error).self) { try SchemaPattern("^(a$") }
        #expect(throws: (any Error).self) { try SchemaPattern("^a{2,1}$") }
    }
}
