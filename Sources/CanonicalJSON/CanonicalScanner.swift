#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads values out of canonical JSON bytes without building a tree: the reader says what it expects
/// where and skips what it does not read. Made for the ledger's own stored payloads (RFC 8785 as
/// `canonicalBytes` writes them: no white space, integers only), it reads nothing else: white space,
/// a fraction, an escape canonical JSON does not write, or anything unexpected is a `ScanMiss`, and
/// the reader then reads those bytes the general way (`JSONParser`), which accepts or names the fault.
///
/// The scanner borrows its bytes: use it only while they live.
public struct CanonicalScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// A member's name, borrowed from the bytes.
    public struct Name {
        fileprivate let bytes: UnsafeBufferPointer<UInt8>

        public static func == (name: Name, expected: StaticString) -> Bool {
            guard name.bytes.count == expected.utf8CodeUnitCount else { return false }
            let expectedBytes = UnsafeBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount)
            for offset in 0..<expectedBytes.count where name.bytes[offset] != expectedBytes[offset] { return false }
            return true
        }
    }

    /// A miss here: for readers who find a value they cannot take (an unknown name, a member missing).
    public func miss(_ expected: String) -> ScanMiss { ScanMiss(offset: index, expected: expected) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(ScanMiss) {
        guard current == byte else { throw miss(what) }
        index += 1
    }

    /// Visits each member of the object here, in order: `body` gets its name and must read or skip its value.
    public mutating func members(_ body: (inout CanonicalScanner, Name) throws(ScanMiss) -> Void) throws(ScanMiss) {
        try expect(UInt8(ascii: "{"), "an object")
        if current == UInt8(ascii: "}") { index += 1; return }
        while true {
            let name = try stringBytes()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            try body(&self, Name(bytes: name))
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw miss("',' or '}' after a member")
            }
        }
    }

    /// Visits each element of the array here: `body` must read or skip it.
    public mutating func elements(_ body: (inout CanonicalScanner) throws(ScanMiss) -> Void) throws(ScanMiss) {
        try expect(UInt8(ascii: "["), "an array")
        if current == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw miss("',' or ']' after an element")
            }
        }
    }

    /// The string here, its escapes undone where they are those `canonicalBytes` writes (prose holds line
    /// feeds, names hold quotes); any other escape is a miss.
    public mutating func string() throws(ScanMiss) -> String {
        let start = index
        let content = try stringBytes()
        if Canonical.needsNoEscape(content), let text = String(validUTF8: content) { return text }
        guard let text = Self.unescaped(content) else {
            index = start
            throw miss("a string escaped as canonical JSON escapes it, in UTF-8")
        }
        return text
    }

    /// The text of a string's content written with canonical JSON's escapes: `\"`, `\\`, `\b`, `\t`, `\n`,
    /// `\f`, `\r`, and `\u00xx` (lower-case hex) for the other control characters. nil for any other escape,
    /// a raw control character, or bytes that are not UTF-8.
    private static func unescaped(_ content: UnsafeBufferPointer<UInt8>) -> String? {
        var text: [UInt8] = []
        text.reserveCapacity(content.count)
        var offset = 0
        while offset < content.count {
            let byte = content[offset]
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                offset += 1
                continue
            }
            guard offset + 1 < content.count else { return nil }
            if let character = Canonical.character(ofShortEscape: content[offset + 1]) {
                text.append(character)
                offset += 2
                continue
            }
            // Any other control character: `\u00xx`, in lower-case hex.
            func hex(_ digit: UInt8) -> UInt8? {
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
                default: nil
                }
            }
            guard content[offset + 1] == UInt8(ascii: "u"), offset + 5 < content.count,
                  content[offset + 2] == UInt8(ascii: "0"), content[offset + 3] == UInt8(ascii: "0"),
                  let high = hex(content[offset + 4]), let low = hex(content[offset + 5]), high < 2
            else { return nil }
            let control = high << 4 | low
            guard Canonical.shortEscape(of: control) == nil else { return nil }  // those are written short
            text.append(control)
            offset += 6
        }
        return text.withUnsafeBufferPointer(String.init(validUTF8:))
    }

    /// An array of strings, as `string()` reads each.
    public mutating func strings() throws(ScanMiss) -> [String] {
        var items: [String] = []
        try elements { scanner throws(ScanMiss) in items.append(try scanner.string()) }
        return items
    }

    /// The integer here (no fraction, no exponent, within 64 bits).
    public mutating func integer() throws(ScanMiss) -> Int64 {
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        let digitsStart = index
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw miss("an integer within 64 bits") }
            magnitude = sum
            index += 1
        }
        guard index > digitsStart, isValueEnd else { throw miss("an integer") }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw miss("an integer within 64 bits") }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw miss("an integer within 64 bits") }
        return Int64(magnitude)
    }

    /// `true` or `false`.
    public mutating func bool() throws(ScanMiss) -> Bool {
        if take("true") { return true }
        if take("false") { return false }
        throw miss("true or false")
    }

    /// Takes a `null` here if there is one: an optional member's "absent".
    public mutating func null() -> Bool { take("null") }

    /// Passes over the value here, whatever it is (its inside unchecked: the log's bytes are verified elsewhere).
    public mutating func skip() throws(ScanMiss) {
        var depth = 0
        repeat {
            guard let byte = current else { throw miss("a value") }
            switch byte {
            case UInt8(ascii: "\""):
                _ = try stringBytes()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { throw miss("a value") }
                depth -= 1
                index += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { throw miss("a value") }
                index += 1
            default:
                // A literal or a number: to the next delimiter.
                let start = index
                while let next = current, next != UInt8(ascii: ","), next != UInt8(ascii: "}"), next != UInt8(ascii: "]") {
                    index += 1
                }
                guard index > start else { throw miss("a value") }
            }
        } while depth > 0
    }

    /// Every byte was read.
    public func end() throws(ScanMiss) {
        guard index == bytes.count else { throw miss("the end of the value") }
    }

    /// The bytes between the quotes of the string here, escapes left as they are. The closing quote is
    /// the first not escaped: one after an even run of backslashes (texts are long, so `memchr` finds quotes).
    private mutating func stringBytes() throws(ScanMiss) -> UnsafeBufferPointer<UInt8> {
        try expect(UInt8(ascii: "\""), "a string")
        let start = index
        while index < bytes.count {
            guard let found = memchr(bytes.baseAddress! + index, Int32(UInt8(ascii: "\"")), bytes.count - index) else { break }
            let quote = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            while quote - backslashes - 1 >= start, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            index = quote + 1
            if backslashes % 2 == 0 { return UnsafeBufferPointer(rebasing: bytes[start..<quote]) }
        }
        index = start
        throw miss("the end of a string")
    }

    private var isValueEnd: Bool {
        guard let byte = current else { return true }
        return byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }

    private mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
        let start = index
        index += count
        if isValueEnd { return true }
        index = start
        return false
    }
}

/// Where and why the scanner stopped: the bytes are not what it reads (see `CanonicalScanner`).
public struct ScanMiss: Error, Sendable, Equatable {
    public let offset: Int
    public let expected: String
}
