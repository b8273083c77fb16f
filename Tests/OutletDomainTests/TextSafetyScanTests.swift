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

    @Test("a forbidden scalar at either end of the text is found")
    func ends() {
        #expect(TextSafety.firstForbidden(in: "\u{202E}", multiLine: false)?.position == 0)
        #expect(TextSafety.firstForbidden(in: "学\u{85}", multiLine: false)?.position == 1)
        #expect(TextSafety.firstForbidden(in: "\u{2069}学\u{1B}", multiLine: false)?.position == 0)
        #expect(TextSafety.firstForbidden(in: "“引号”…", multiLine: false) == nil)
    }
}
