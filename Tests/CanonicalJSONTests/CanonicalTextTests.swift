import CanonicalJSON
import Testing

@Suite("A member's text is taken as its canonical form only when it is: the bytes an export's payload is stored and hashed by")
struct CanonicalTextTests {
    static func payloadText(_ line: String) throws -> String? {
        let bytes = Array(line.utf8)
        let (_, canonical) = try JSONParser.parse(bytes, canonicalTextOf: "payload")
        return canonical.map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test("canonical text is found wherever the member stands, with white space and disorder outside it")
    func found() throws {
        #expect(try Self.payloadText(#"{"payload":{"a":[1,-2,true,null],"b":"王强"},"type":"x"}"#) == #"{"a":[1,-2,true,null],"b":"王强"}"#)
        #expect(try Self.payloadText(#" { "type" : "x" ,  "payload" : {"a":{}} , "actor":{ } } "#) == #"{"a":{}}"#)
        #expect(try Self.payloadText(#"{"payload":"a"}"#) == #""a""#)
        #expect(try Self.payloadText(#"{"a":{"payload":{"b":1}}}"#) == nil, "only a top-level member")
        #expect(try Self.payloadText(#"{"type":"x"}"#) == nil)
    }

    @Test("white space, a member out of order, any escape and -0 inside it are departures: no canonical text", arguments: [
        #"{"payload":{"a": 1}}"#, #"{"payload":{"a":1 }}"#, #"{"payload":[1, 2]}"#, #"{"payload":{"b":1,"a":2}}"#,
        #"{"payload":{"a":{"d":1,"c":2}}}"#, #"{"payload":{"a":"\u0041"}}"#, #"{"payload":{"a":"\n"}}"#, #"{"payload":{"\"":1}}"#,
        #"{"payload":{"a":-0}}"#, #"{"payload":{"\u00e9":1}}"#,
    ])
    func departures(line: String) throws {
        #expect(try Self.payloadText(line) == nil)
    }

    @Test("on generated values written in every way, canonical text is found exactly when the text is the canonical form without an escape (one canonical JSON writes too is encoded again, as any other)")
    func generated() throws {
        var random = SplitMix(seed: 51)
        for round in 0..<3_000 {
            let value = random.value(depth: 0)
            let canonical = value.canonicalString
            let written = random.writing(value)
            let line = #"{"payload":"# + written + #","type":"x"}"#
            let (parsed, range) = try JSONParser.parse(Array(line.utf8), canonicalTextOf: "payload")
            #expect(parsed["payload"] == value, "round \(round)")
            // As bytes: Swift's == would take a text for its canonically equivalent other.
            let found = range.map { Array(Array(line.utf8)[$0]) }
            let isCanonical = Array(written.utf8) == Array(canonical.utf8) && !written.utf8.contains(UInt8(ascii: "\\"))
            #expect(found == (isCanonical ? Array(canonical.utf8) : nil), "round \(round): \(written)")
        }
    }
}

/// A small seeded generator of JSON values and of texts that write them: canonical, or with white space,
/// escapes and members out of order.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    static let pieces = ["a", "b", "王", "é", "\"", "\\", "\n", "\u{7F}", "😀", "דּ", "0", " "]

    mutating func text() -> String {
        (0..<below(4)).map { _ in Self.pieces[below(Self.pieces.count)] }.joined()
    }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 2 ? 4 : 6) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .integer(Int64(below(5)) - 2)
        case 3: return .string(text())
        case 4: return .array((0..<below(3)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<below(4) { object[text()] = value(depth: depth + 1) }
            return .object(object)
        }
    }

    /// `value` as text: mostly its canonical form, sometimes with a departure somewhere in it.
    mutating func writing(_ value: JSONValue) -> String {
        let space = below(8) == 0 ? " " : ""
        switch value {
        case .integer(0) where below(6) == 0: return "-0"
        case .string(let text) where below(6) == 0:
            // Every character escaped as \u: the same string, written otherwise.
            return "\"" + text.unicodeScalars.map { scalar in
                scalar.value > 0xFFFF ? String(scalar) : "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            }.joined() + "\""
        case .array(let items):
            return "[" + space + items.map { writing($0) }.joined(separator: "," + space) + "]"
        case .object(let object):
            var members = object.members.map { JSONValue.string($0.key).canonicalString + ":" + space + writing($0.value) }
            if members.count > 1, below(5) == 0 { members.reverse() }
            return "{" + members.joined(separator: ",") + space + "}"
        default:
            return value.canonicalString
        }
    }
}
