import CanonicalJSON
import Testing

/// RFC 8785 (JCS), the examples of the RFC that fit float-free JSON.
@Suite("RFC 8785 canonical form")
struct CanonicalEncodingTests {
    @Test("§3.2.2.2: strings escape only quote, backslash and controls; the rest stays literal UTF-8")
    func stringEscaping() throws {
        let input = #"["\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/"]"#
        let value = try JSONParser.parse(input)
        #expect(value.canonicalString == #"["€$\u000f\nA'B\"\\\\\"/"]"#)
    }

    @Test("§3.2.2: literals and white space")
    func literals() throws {
        let value = try JSONParser.parse(" [ null , true , false , 0 , -1 , 9007199254740991 ] ")
        #expect(value.canonicalString == "[null,true,false,0,-1,9007199254740991]")
    }

    @Test("§3.2.3: members sort by UTF-16 code units, so 😀 (D83D DE00) precedes דּ (FB33)")
    func sortingByUTF16() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\","
            + "\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"דּ\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try JSONParser.parse(input).canonicalString == expected)
    }

    @Test("§3.2.3: the three-way order of two names is their UTF-16 units' order, and zero only for the same bytes")
    func threeWayOrder() {
        let names = ["", "1", "a", "ab", "b", "\r", "\u{80}", "ö", "o\u{308}", "€", "😀", "\u{FB33}", "\u{E000}", "\u{FFFF}",
                     "K", "\u{212A}", "学", "学院", "沈阳"]
        for a in names {
            for b in names {
                let units = (Array(a.utf16), Array(b.utf16))
                let expected = units.0.lexicographicallyPrecedes(units.1) ? -1 : (Array(a.utf8) == Array(b.utf8) ? 0 : 1)
                let order = Canonical.order(a, b)
                #expect((order < 0 ? -1 : order == 0 ? 0 : 1) == expected, "\(a.debugDescription) against \(b.debugDescription)")
                #expect(Canonical.precedes(a, b) == (expected < 0))
            }
        }
    }

    @Test("nested objects are sorted at every level and arrays keep their order")
    func nesting() throws {
        let value = try JSONParser.parse(#"{"b": [3, {"z": 1, "a": 2}], "a": {"y": null, "x": "沈阳"}}"#)
        #expect(value.canonicalString == #"{"a":{"x":"沈阳","y":null},"b":[3,{"a":2,"z":1}]}"#)
    }

    @Test("canonical text parses back to the same value and re-encodes to the same bytes")
    func roundTrip() throws {
        let value: JSONValue = ["名称": "沈阳市图书馆", "n": 42, "list": [true, nil, "a\u{1}b"], "o": [:]]
        let bytes = value.canonicalBytes
        let reparsed = try JSONParser.parse(bytes)
        #expect(reparsed == value)
        #expect(reparsed.canonicalBytes == bytes)
    }
}
