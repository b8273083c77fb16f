import CanonicalJSON
import Testing

@Suite("The canonical scanner: reads what it is asked of canonical bytes, skips the rest, misses anything else")
struct CanonicalScannerTests {
    /// Runs `body` over a scanner of `text`'s bytes, which must all be read.
    static func scan<T>(_ text: String, _ body: (inout CanonicalScanner) throws(ScanMiss) -> T) throws(ScanMiss) -> T {
        var bytes = Array(text.utf8)
        var result: Result<T, ScanMiss>!
        bytes.withUnsafeMutableBufferPointer { buffer in
            var scanner = CanonicalScanner(UnsafeBufferPointer(buffer))
            result = Result { () throws(ScanMiss) in
                let value = try body(&scanner)
                try scanner.end()
                return value
            }
        }
        return try result.get()
    }

    @Test("reads the members asked for and skips nested objects, arrays, escapes and literals between them")
    func readsAndSkips() throws {
        let text = #"{"a":{"x":[1,{"y":"}]"}],"z":null},"b":"北京","c":[true,false,null,-3],"d":"q\"uote","e":-42}"#
        let (b, e) = try Self.scan(text) { scanner throws(ScanMiss) in
            var b = "", e: Int64 = 0
            try scanner.members { scanner, name throws(ScanMiss) in
                if name == "b" { b = try scanner.string() } else if name == "e" { e = try scanner.integer() } else { try scanner.skip() }
            }
            return (b, e)
        }
        #expect(b == "北京")
        #expect(e == -42)
    }

    @Test("the canonical bytes of any parsed value can be skipped whole")
    func skipsAnyCanonicalValue() throws {
        for text in [#"{"k":[[],{},"",0,[{"a":[1,2,{"b":"\\"}]}]]}"#, "[]", "{}", #""\"""#, "-0", "true", "null"] {
            let canonical = try JSONParser.parse(text).canonicalString
            try Self.scan(canonical) { scanner throws(ScanMiss) in try scanner.skip() }
        }
    }

    @Test("integers at the edges of 64 bits are read; past them, with a fraction or an exponent, missed")
    func integers() throws {
        #expect(try Self.scan("9223372036854775807") { scanner throws(ScanMiss) in try scanner.integer() } == .max)
        #expect(try Self.scan("-9223372036854775808") { scanner throws(ScanMiss) in try scanner.integer() } == .min)
        for text in ["9223372036854775808", "-9223372036854775809", "1.5", "1e3", "-", "", "x"] {
            #expect(throws: ScanMiss.self, "\(text)") { try Self.scan(text) { scanner throws(ScanMiss) in try scanner.integer() } }
        }
    }

    @Test("the escapes canonical JSON writes are undone in a string read as text; any other escape is a miss")
    func escapes() throws {
        // The encoder's table of short escapes and the readers' are one another read backwards.
        var short = 0
        for byte in UInt8.min...UInt8.max {
            if let letter = Canonical.shortEscape(of: byte) {
                #expect(Canonical.character(ofShortEscape: letter) == byte)
                short += 1
            }
            if let character = Canonical.character(ofShortEscape: byte) { #expect(Canonical.shortEscape(of: character) == byte) }
        }
        #expect(short == 7)
        for text in ["a\"b\\c", "第一行\n第二行\t制表\r", "\u{08}\u{0C}\u{00}\u{01}\u{1F}", "长\"文\""] {
            let canonical = String(decoding: JSONValue.string(text).canonicalBytes, as: UTF8.self)
            #expect(try Self.scan(canonical) { scanner throws(ScanMiss) in try scanner.string() } == text, "\(canonical)")
        }
        for escaped in [#""\u0041""#, #""a\/b""#, #""\u001F""#, #""\u000a""#, #""\u0020""#, #""\x""#, #""a\""#, #""\u00""#] {
            #expect(throws: ScanMiss.self, "\(escaped)") { try Self.scan(escaped) { scanner throws(ScanMiss) in try scanner.string() } }
        }
    }

    @Test("white space, an escape canonical JSON does not write, invalid UTF-8 and trailing bytes are misses")
    func misses() throws {
        #expect(throws: ScanMiss.self) {
            try Self.scan(#"{ "a":1}"#) { scanner throws(ScanMiss) in try scanner.members { scanner, _ throws(ScanMiss) in try scanner.skip() } }
        }
        #expect(throws: ScanMiss.self) { try Self.scan(#""a\/b""#) { scanner throws(ScanMiss) in try scanner.string() } }
        #expect(throws: ScanMiss.self) { try Self.scan("\"\u{1}\"") { scanner throws(ScanMiss) in try scanner.string() } }
        #expect(throws: ScanMiss.self) { try Self.scan("{}x") { scanner throws(ScanMiss) in try scanner.skip() } }
        #expect(throws: ScanMiss.self) { try Self.scan(#"{"a":1"#) { scanner throws(ScanMiss) in try scanner.skip() } }
        #expect(throws: ScanMiss.self) { try Self.scan(#"["a","b" ]"#) { scanner throws(ScanMiss) in try scanner.strings() } }
        var invalid: [UInt8] = [0x22, 0xFF, 0x22]
        invalid.withUnsafeMutableBufferPointer { buffer in
            var scanner = CanonicalScanner(UnsafeBufferPointer(buffer))
            #expect(throws: ScanMiss.self) { try scanner.string() }
        }
    }

    @Test("null is taken only where it is a whole value")
    func nullLiteral() throws {
        #expect(try Self.scan("null") { scanner in scanner.null() })
        #expect(throws: ScanMiss.self) { try Self.scan("nullx") { scanner in scanner.null() } }
        #expect(try Self.scan("[true]") { scanner throws(ScanMiss) in
            var flags: [Bool] = []
            try scanner.elements { scanner throws(ScanMiss) in flags.append(try scanner.bool()) }
            return flags
        } == [true])
    }
}
