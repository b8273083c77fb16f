import CanonicalJSON
import Testing

@Suite("A JSON object keeps its members in RFC 8785 order, each name once, names as their bytes")
struct JSONObjectTests {
    @Test("members given in any order are kept in canonical order; a name given twice keeps its last value")
    func order() {
        var object: JSONObject = ["b": 1, "\u{20AC}": 2, "a": 3, "\u{1F600}": 4, "\u{FB33}": 5, "b": 6]
        #expect(object.keys == ["a", "b", "\u{20AC}", "\u{1F600}", "\u{FB33}"])
        #expect(object["b"] == 6)
        object["ab"] = 7
        object["a"] = nil
        #expect(object.keys == ["ab", "b", "\u{20AC}", "\u{1F600}", "\u{FB33}"])
        #expect(object.updateValue(8, forKey: "b") == 6)
        #expect(object.removeValue(forKey: "zz") == .none)
        #expect(JSONObject(["z": 1, "y": 2]) == ["y": 2, "z": 1])
    }

    @Test("a large object (searched, not scanned) finds, inserts and removes in order")
    func large() {
        let names = (0..<300).map { "k\(($0 * 7919) % 300)" }
        var object = JSONObject()
        for (index, name) in names.enumerated() { object[name] = .integer(Int64(index)) }
        #expect(object.keys == names.sorted())
        for (index, name) in names.enumerated() { #expect(object[name] == .integer(Int64(index))) }
        for name in names.prefix(150) { object[name] = nil }
        #expect(object.keys == names.dropFirst(150).sorted())
        #expect(object["k1000"] == .none)
    }

    @Test("parsed text in canonical order, or in any other, makes the same object; a duplicate is refused where it stands")
    func parsing() throws {
        let canonical = try JSONParser.parse(#"{"a":1,"b":{"c":2,"d":[3]},"e":"f"}"#)
        let shuffled = try JSONParser.parse(#"{"e":"f","b":{"d":[3],"c":2},"a":1}"#)
        #expect(canonical == shuffled)
        #expect(canonical.objectValue?.keys == ["a", "b", "e"])
        #expect(throws: JSONSyntaxError(line: 1, column: 16, reason: "duplicate member name \"a\"")) {
            try JSONParser.parse(#"{"b":1, "a":2, "a":3}"#)
        }
    }

    @Test("names are bytes: the Kelvin sign is not K, é precomposed is not e and a combining accent (Swift's == says they are)")
    func namesAreBytes() throws {
        #expect("\u{212A}" == "K", "Swift's equality, which a dictionary of names used")
        let object = try JSONParser.parse("{\"\u{212A}\": 1, \"K\": 2, \"\u{E9}\": 3, \"e\u{301}\": 4}")
        #expect(object.objectValue?.count == 4)
        #expect(object["K"] == 2)
        #expect(object["\u{212A}"] == 1)
        #expect(object["\u{E9}"] == 3)
        #expect(object.canonicalString == "{\"K\":2,\"e\u{301}\":4,\"\u{E9}\":3,\"\u{212A}\":1}")
    }
}
