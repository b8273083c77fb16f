import CanonicalJSON
import Testing

@Suite("JSON parser refuses what has no single canonical form")
struct JSONParserTests {
    @Test("refused, with line and column", arguments: [
        ("{\"a\": 1.5}", "fractions and exponents"),
        ("{\"a\": 1e3}", "fractions and exponents"),
        ("{\"a\": 1, \"a\": 2}", "duplicate member name \"a\""),
        ("[9007199254740992]", "integer outside"),
        ("[012]", "leading zeros"),
        ("[\"\\ud800\"]", "lone high surrogate"),
        ("[\"a\nb\"]", "control character"),
        ("{\"a\": tru}", "invalid literal"),
        ("[1,]", "unexpected character ']'"),
        ("{} x", "unexpected text after"),
        ("", "unexpected end of input"),
    ])
    func refused(input: String, reason: String) {
        #expect {
            try JSONParser.parse(input)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test("the position names the line and column of the fault")
    func position() {
        #expect(throws: JSONSyntaxError(line: 2, column: 6, reason: "fractions and exponents are not allowed: payloads hold integers only")) {
            try JSONParser.parse("{\n\"a\": 0.5}")
        }
    }

    @Test("a string reads the same with escapes anywhere in it as without any")
    func escapes() throws {
        let parsed = try JSONParser.parse(#"["沈阳", "a\"b", "\u6c88阳", "end\n", "\t", "x\u00e9y\/z\\", "\ud83d\ude00!"]"#)
        #expect(parsed == .array(["沈阳", "a\"b", "沈阳", "end\n", "\t", "xéy/z\\", "😀!"].map(JSONValue.string)))
        // Invalid UTF-8 after an escape, as before one, is refused.
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22]) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }
}
