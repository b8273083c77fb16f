import CanonicalJSON

/// What text an event may carry: no control characters — C0, DEL, C1 — anywhere, except line feeds
/// in the few fields that are prose (a summary's overview, a reason), and no bidirectional overrides.
/// So what an applicant types cannot steer a clerk's terminal (ESC, OSC sequences), forge lines in a
/// listing, hide text, or reorder what a reader sees.
public enum TextSafety {
    /// Payload members that hold prose, where a line feed is allowed.
    public static let multiLineFields: Set<String> = [
        "overview", "lessons", "nextYearPlan", "content", "bio", "foundation", "developmentPlan", "serviceTargets",
        "reason", "detail", "grounds", "opinion", "reviewOpinion", "decision", "verification",
    ]
    /// The longest actor name (a person's or a unit's name, not a document).
    public static let maximumActorNameLength = 200

    /// The first character that may not stand in `text`, with its position (in characters), or nil.
    public static func firstForbidden(in text: String, multiLine: Bool) -> (position: Int, scalar: Unicode.Scalar)? {
        // Nearly every text is clean: its UTF-8 bytes say so in one pass; scalars are counted only to name one.
        if !Canonical.withUTF8(text, { mayHoldForbidden($0, multiLine: multiLine) }) { return nil }
        var position = 0
        for scalar in text.unicodeScalars {
            if isForbidden(scalar, multiLine: multiLine) { return (position, scalar) }
            position += 1
        }
        return nil
    }

    /// False only if no scalar of these UTF-8 bytes is forbidden; true if one may be. Exact for the
    /// forbidden ranges: a C0 control or DEL is one byte; U+0080–U+009F is C2 80…9F; U+202A–U+202E is
    /// E2 80 AA…AE; U+2066–U+2069 is E2 81 A6…A9.
    ///
    /// Eight bytes at a time while none of them may start one (`ByteWord`): below 0x20, DEL, or a lead byte
    /// C2 or E2; then byte by byte until the next eight are clear again. The last eight overlap those before.
    public static func mayHoldForbidden(_ utf8: UnsafeBufferPointer<UInt8>, multiLine: Bool) -> Bool {
        func clear(at index: Int) -> Bool {
            let word = ByteWord(utf8, at: index)
            return !(word.hasByte(below: 0x20) || word.hasByte(0x7F) || word.hasByte(0xC2) || word.hasByte(0xE2))
        }
        var index = 0
        while index < utf8.count {
            if index + 8 <= utf8.count {
                if clear(at: index) {
                    index += 8
                    continue
                }
            } else if utf8.count >= 8, clear(at: utf8.count - 8) {
                // What is left lies in the last eight: a sequence that began before it was looked at from its lead.
                return false
            }
            let byte = utf8[index]
            switch byte {
            case 0x0A where multiLine: break
            case 0x00...0x1F, 0x7F: return true
            case 0xC2:
                if index + 1 < utf8.count, (0x80...0x9F).contains(utf8[index + 1]) { return true }
            case 0xE2:
                if index + 2 < utf8.count {
                    let second = utf8[index + 1], third = utf8[index + 2]
                    if second == 0x80 && (0xAA...0xAE).contains(third) || second == 0x81 && (0xA6...0xA9).contains(third) { return true }
                }
            default: break
            }
            index += 1
        }
        return false
    }

    public static func isForbidden(_ scalar: Unicode.Scalar, multiLine: Bool) -> Bool {
        switch scalar.value {
        case 0x0A: !multiLine
        case 0x00...0x1F, 0x7F...0x9F: true
        // Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters).
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `U+001B`: how a forbidden character is named in an error.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
