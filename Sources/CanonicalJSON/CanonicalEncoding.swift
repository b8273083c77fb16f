import Foundation

/// RFC 8785 (JSON Canonicalization Scheme) for float-free JSON.
///
/// Object members are ordered by the UTF-16 code units of their names (§3.2.3), strings are escaped as
/// ECMAScript's `JSON.stringify` does (§3.2.2.2: only `"`, `\` and controls; everything else, non-ASCII
/// included, stays literal UTF-8), and no white space is emitted.
extension JSONValue {
    /// The canonical UTF-8 bytes of this value.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendCanonical(to: &out)
        return out
    }

    /// The canonical form as a string (always valid UTF-8).
    public var canonicalString: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    public func appendCanonical(to out: inout [UInt8]) {
        var flagged = false
        appendCanonical(to: &out, flagged: &flagged, suspect: nil)
    }

    /// The canonical bytes, and whether `suspect` held of the UTF-8 of any string value (member names aside):
    /// a check that looks closer only at a payload where some string may break it needs no walk of its own.
    public func canonicalBytes(flagging suspect: (UnsafeBufferPointer<UInt8>) -> Bool) -> (bytes: [UInt8], flagged: Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        var flagged = false
        withoutActuallyEscaping(suspect) { appendCanonical(to: &out, flagged: &flagged, suspect: $0) }
        return (out, flagged)
    }

    private func appendCanonical(to out: inout [UInt8], flagged: inout Bool, suspect: ((UnsafeBufferPointer<UInt8>) -> Bool)?) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number):
            Canonical.appendInteger(number, to: &out)
        case .string(let text):
            Canonical.withUTF8(text) { utf8 in
                if let suspect, !flagged, suspect(utf8) { flagged = true }
                Canonical.appendString(utf8: utf8, to: &out)
            }
        case .array(let items):
            out.append(UInt8(ascii: "["))
            // Read where they lie, not copied (a copy of each item is its reference counts).
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    items[index].appendCanonical(to: &out, flagged: &flagged, suspect: suspect)
                }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // The members are in canonical order already, and read where they lie.
            members.members.withUnsafeBufferPointer { entries in
                for index in entries.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    Canonical.appendString(entries[index].key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    entries[index].value.appendCanonical(to: &out, flagged: &flagged, suspect: suspect)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// The primitives of the canonical form, public so that writers of fixed-shape objects (the event
/// envelope) can emit canonical bytes without building a `JSONValue` first.
public enum Canonical {
    /// Member names in RFC 8785 order: by UTF-16 code units, not by scalars or UTF-8 bytes.
    public static func sortedKeys<Keys: Sequence<String>>(_ keys: Keys) -> [String] {
        keys.sorted(by: precedes)
    }

    /// RFC 8785's order of two names.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        order(a, b) < 0
    }

    /// RFC 8785's order of two names, three ways: below zero if `a` comes first, zero if they are the same bytes,
    /// above zero if `b` does (one comparison where a walk beside a sorted list asked "before?" and then "same?").
    /// UTF-8 bytes order as code points do, and code points as UTF-16 units do unless one side has a character
    /// from U+E000 up (UTF-8 lead byte 0xEE or more, where surrogate pairs sort below it): only then are the
    /// UTF-16 units compared.
    public static func order(_ a: String, _ b: String) -> Int {
        withUTF8(a) { left in withUTF8(b) { right in order(utf8: left, right) } }
    }

    private static func order(utf8 left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(left.count, right.count)
        var index = 0
        while index < common, left[index] == right[index] { index += 1 }
        if index == common { return left.count - right.count }
        let byteOrder = Int(left[index]) - Int(right[index])
        if left[index] < 0xEE && right[index] < 0xEE { return byteOrder }
        let (leftUnits, rightUnits) = (String(decoding: left, as: UTF8.self).utf16, String(decoding: right, as: UTF8.self).utf16)
        if leftUnits.lexicographicallyPrecedes(rightUnits) { return -1 }
        return rightUnits.lexicographicallyPrecedes(leftUnits) ? 1 : byteOrder
    }

    /// The canonical bytes of an object whose `written` members are canonical bytes already (a writer's:
    /// a long list need not become a tree to sit beside a few other members).
    public static func object(_ members: JSONObject, written: [String: [UInt8]]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(written.values.reduce(256) { $0 + $1.count })
        for (index, key) in sortedKeys(Set(members.keys).union(written.keys)).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            if let bytes = written[key] { out += bytes } else { members[key]!.appendCanonical(to: &out) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Whether two texts are the same UTF-8 bytes, as the canonical form writes them. Swift's `==` also matches
    /// texts Unicode deems equivalent (é as one code point or as e and an accent), which are other bytes.
    @inline(__always)
    public static func sameBytes(_ a: String, _ b: String) -> Bool {
        let same = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
        // A text not stored as UTF-8 (bridged) is compared the slow way.
        return (same ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }

    public static func appendInteger(_ number: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: String(number).utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func appendString(_ text: String, to out: inout [UInt8]) {
        withUTF8(text) { appendString(utf8: $0, to: &out) }
    }

    /// A text's UTF-8 read in place (`String.withUTF8` needs a copy of it to call on, two reference counts); a
    /// text not stored as UTF-8 (bridged) is made so first. Inlinable: called across modules unspecialized,
    /// each call looked up the generic metadata of its result type (a tenth of a snapshot's string table).
    @inlinable @inline(__always)
    public static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var text = text
        return text.withUTF8(body)
    }

    /// No quote, backslash or control character: the bytes stand in a JSON string as they are. Eight bytes
    /// at a time (`ByteWord`), the last eight overlapping those before; a text shorter than that byte by byte.
    public static func needsNoEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        func plain(_ word: ByteWord) -> Bool {
            !(word.hasByte(below: 0x20) || word.hasByte(UInt8(ascii: "\"")) || word.hasByte(UInt8(ascii: "\\")))
        }
        guard utf8.count >= 8 else {
            return !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        }
        var index = 0
        while index + 8 < utf8.count {
            guard plain(ByteWord(utf8, at: index)) else { return false }
            index += 8
        }
        return plain(ByteWord(utf8, at: utf8.count - 8))
    }

    /// Most strings need no escape: they are copied whole.
    public static func appendString(utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if needsNoEscape(utf8) {
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in utf8 {
            if let letter = shortEscape(of: byte) {
                out.append(contentsOf: [0x5C, letter])
            } else if byte < 0x20 {
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            } else {
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The letter of the character's short escape (`n` for a line feed), which canonical JSON writes for these
    /// seven and `\u00xx` for every other control character (RFC 8785 §3.2.2.2); nil for any other character.
    /// The encoder, the parser and the scanner read JSON's escapes from this pair of tables.
    @inline(__always)
    public static func shortEscape(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case 0x08: UInt8(ascii: "b")
        case 0x09: UInt8(ascii: "t")
        case 0x0A: UInt8(ascii: "n")
        case 0x0C: UInt8(ascii: "f")
        case 0x0D: UInt8(ascii: "r")
        default: nil
        }
    }

    /// The character a short escape's letter stands for: `shortEscape(of:)` read backwards (a test holds the two
    /// to each other). JSON's `\/` is not among them: canonical JSON never writes it.
    @inline(__always)
    public static func character(ofShortEscape letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "r"): 0x0D
        default: nil
        }
    }
}
