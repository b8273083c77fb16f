/// Why a text is not JSON the ledger accepts, and where (1-based line and column, in bytes).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}

/// A strict RFC 8259 parser for the ledger's JSON.
///
/// Stricter than JSON itself where canonical hashing needs it: duplicate member names, fractions and
/// exponents, integers outside the safe range, lone surrogates and invalid UTF-8 are all refused, so a
/// parsed value always has exactly one canonical form.
public struct JSONParser {
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// What the text wrote otherwise than canonical JSON does, counted as met: white space, an escape, a
    /// member out of order, `-0`. A value whose parse counted none was written as its canonical form.
    private var departures = 0
    /// The top-level member whose text is watched, and where that text lies if it was canonical.
    private var watched: String?
    private var watchedCanonical: Range<Int>?

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON text, white space allowed around it and nothing else.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseText()
    }

    /// Parses one JSON text as `parse` does, and says where the value of its top-level member `name` lies in
    /// the text if that is the value's canonical form (nil if not, or if there is no such member): an export's
    /// lines are canonical, and their payloads then need no encoding.
    public static func parse(_ bytes: [UInt8], canonicalTextOf name: String) throws(JSONSyntaxError) -> (value: JSONValue, canonical: Range<Int>?) {
        var parser = JSONParser(bytes: bytes)
        parser.watched = name
        let value = try parser.parseText()
        return (value, parser.watchedCanonical)
    }

    private mutating func parseText() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private func error(_ reason: String, at position: Int? = nil) -> JSONSyntaxError {
        let position = min(position ?? index, bytes.count)
        var line = 1
        var lineStart = 0
        for offset in 0..<position where bytes[offset] == 0x0A {
            line += 1
            lineStart = offset + 1
        }
        return JSONSyntaxError(line: line, column: position - lineStart + 1, reason: reason)
    }

    private mutating func skipWhitespace() {
        let start = index
        defer { if index != start { departures += 1 } }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        default: throw error("unexpected character '\(Self.printable(bytes[index]))'")
        }
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let start = index
        for expected in UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
            guard index < bytes.count, bytes[index] == expected else {
                throw error("invalid literal, expected '\(literal)'", at: start)
            }
            index += 1
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes")
            }
            let keyStart = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let (valueStart, departuresBefore) = (index, departures)
            let value = try parseValue()
            if depth == 1, let watched, JSONObject.sameName(key, watched) {
                watchedCanonical = departures == departuresBefore ? valueStart..<index : nil
            }
            switch members.insert(key, value) {
            case .appended: break
            case .placed: departures += 1
            case .duplicate: throw error("duplicate member name \"\(key)\"", at: keyStart)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseInteger() throws(JSONSyntaxError) -> Int64 {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let digitsStart = index
        var magnitude: UInt64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            magnitude = magnitude &* 10 &+ UInt64(bytes[index] - UInt8(ascii: "0"))
            index += 1
            if index - digitsStart > 16 { throw error("integer outside ±(2^53 − 1)", at: start) }
        }
        if index == digitsStart { throw error("expected a digit") }
        if bytes[digitsStart] == UInt8(ascii: "0"), index - digitsStart > 1 {
            throw error("leading zeros are not allowed", at: start)
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw error("fractions and exponents are not allowed: payloads hold integers only", at: start)
        }
        if negative, magnitude == 0 { departures += 1 }  // canonical JSON writes 0
        let number = negative ? -Int64(magnitude) : Int64(magnitude)
        guard JSONValue.safeIntegerRange.contains(number) else {
            throw error("integer outside ±(2^53 − 1)", at: start)
        }
        return number
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        // Only a string with an escape is put together in `scratch` (every escape adds to it); the others are
        // taken from the input as they are. An empty array allocates nothing.
        var scratch: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else { throw error("unterminated string", at: start) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = bytes[runStart..<index]
                index += 1
                let text = scratch.isEmpty ? run.withUnsafeBufferPointer(String.init(validUTF8:))
                    : (scratch + run).withUnsafeBufferPointer(String.init(validUTF8:))
                guard let text else { throw error("string is not valid UTF-8", at: start) }
                return text
            }
            if byte < 0x20 { throw error("control character in a string must be escaped") }
            if byte == UInt8(ascii: "\\") {
                departures += 1  // even one canonical JSON writes too: the text is then encoded, as any other
                scratch.append(contentsOf: bytes[runStart..<index])
                try parseEscape(into: &scratch)
                runStart = index
                continue
            }
            index += 1
        }
    }

    private mutating func parseEscape(into scratch: inout [UInt8]) throws(JSONSyntaxError) {
        index += 1
        guard index < bytes.count else { throw error("unterminated escape") }
        let code = bytes[index]
        index += 1
        if let character = Canonical.character(ofShortEscape: code) {
            scratch.append(character)
            return
        }
        switch code {
        case UInt8(ascii: "/"): scratch.append(0x2F)  // JSON's, though canonical JSON never writes it
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("lone high surrogate in \\u escape") }
                index += 2
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("lone low surrogate in \\u escape")
            }
            scratch.append(contentsOf: String(Character(UnicodeScalar(scalar)!)).utf8)
        default:
            throw error("invalid escape '\\\(Self.printable(code))'", at: index - 2)
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }
}
