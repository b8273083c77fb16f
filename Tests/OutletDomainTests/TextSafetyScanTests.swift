@testable import OutletDomain
import Testing

@Suite("Text safety's byte scan names exactly the characters the rule forbids")
struct TextSafetyScanTests {
    /// Every scalar up to U+3000 (all the forbidden ranges, and every scalar of the lead bytes C2 and E2
    /// the scan looks behind), and some far beyond, inside text on both sides.
    static let scalars: [Unicode.Scalar] = (0...0x3000).compactMap(Unicode.Scalar.init)
        + [0x4E2D, 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF].compactMap(Unicode.Scalar.init)

    @Test("the scan finds a forbidden scalar exactly when the rule forbids it, in names and in prose", arguments: [false, true])
    func scanIsExact(multiLine: Bool) {
        for scalar in Self.scalars {
            var text = "沈阳" + String(Character(scalar)) + "大学"
            let scanned = text.withUTF8 { TextSafety.mayHoldForbidden($0, multiLine: multiLine) }
            let forbidden = TextSafety.isForbidden(scalar, multiLine: multiLine)
            #expect(scanned == forbidden, "U+\(String(scalar.value, radix: 16)) multiLine \(multiLine)")
            let found = TextSafety.firstForbidden(in: text, multiLine: multiLine)
            #expect(found.map { [$0.position, Int($0.scalar.value)] } == (forbidden ? [2, Int(scalar.value)] : nil))
        }
    }

    @Test("the scan is exact at every place of texts up to 24 bytes, where it reads eight bytes at a time",
          arguments: [false, true])
    func scanIsExactAtEveryPlace(multiLine: Bool) {
        let scalars: [Unicode.Scalar] = [0x00, 0x0A, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xB7, 0x2026, 0x201C, 0x202A, 0x202E,
                                         0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0x4E2D].compactMap(Unicode.Scalar.init)
        for scalar in scalars {
            for before in 0...17 {
                for after in 0...9 {
                    var text = String(repeating: "a", count: before) + String(Character(scalar)) + String(repeating: "b", count: after)
                    let scanned = text.withUTF8 { TextSafety.mayHoldForbidden($0, multiLine: multiLine) }
                    #expect(scanned == TextSafety.isForbidden(scalar, multiLine: multiLine),
                            "U+\(String(scalar.value, radix: 16)) after \(before), before \(after), multiLine \(multiLine)")
                }
            }
        }
    }

    @Test("a forbidden scalar at either end of the text is found")
    func ends() {
        #expect(TextSafety.firstForbidden(in: "\u{202E}", multiLine: false)?.position == 0)
        #expect(TextSafety.firstForbidden(in: "学\u{85}", multiLine: false)?.position == 1)
        #expect(TextSafety.firstForbidden(in: "\u{2069}学\u{1B}", multiLine: false)?.position == 0)
        #expect(TextSafety.firstForbidden(in: "“引号”…", multiLine: false) == nil)
    }
}
