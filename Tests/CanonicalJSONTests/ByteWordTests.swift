import CanonicalJSON
import Testing

@Suite("Eight bytes at a time: the word scans answer as the byte-by-byte ones do")
struct ByteWordTests {
    @Test("a word has a byte below a bound, or equal to a byte, exactly when one of its eight does")
    func wordIsExact() {
        let fillers: [UInt8] = [0x00, 0x1F, 0x22, 0x80, 0xFF]
        for filler in fillers {
            for odd in [UInt8](0...255) {
                for place in 0..<8 {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[place] = odd
                    bytes.withUnsafeBufferPointer { buffer in
                        let word = ByteWord(buffer, at: 0)
                        for bound: UInt8 in [1, 0x20, 0x80] {
                            #expect(word.hasByte(below: bound) == bytes.contains { $0 < bound }, "\(bytes) below \(bound)")
                        }
                        for byte: UInt8 in [0x00, 0x22, 0x5C, 0x7F, 0xC2, 0xE2] {
                            #expect(word.hasByte(byte) == bytes.contains(byte), "\(bytes) has \(byte)")
                        }
                    }
                }
            }
        }
    }

    @Test("a text needs an escape exactly when a quote, backslash or control stands at any place in it, in texts of every length up to 24")
    func needsNoEscapeAtEveryPlace() {
        for odd: Character in ["\"", "\\", "\u{0}", "\n", "\u{1F}", " ", "\u{7F}", "é", "学"] {
            for length in 0...24 {
                for place in 0..<max(length, 1) {
                    var characters = Array(repeating: Character("a"), count: length)
                    if length > 0 { characters[place] = odd }
                    var text = String(characters)
                    let expected = !text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
                    #expect(text.withUTF8(Canonical.needsNoEscape) == expected, "\(text.debugDescription)")
                }
            }
        }
    }
}
