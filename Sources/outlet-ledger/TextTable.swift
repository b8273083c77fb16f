import OutletDomain

/// A plain-text table whose columns line up in a terminal, Chinese names included: CJK characters
/// take two columns (East Asian Width W/F), so padding counts display columns, not characters.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func add(_ row: [String]) {
        rows.append(row.map(TerminalText.safe))
    }

    func render(withHeaders: Bool = true) -> [String] {
        let all = (withHeaders ? [headers] : []) + rows
        let widths = headers.indices.map { column in all.map { Self.displayWidth($0[column]) }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - Self.displayWidth(cell))
            }.joined(separator: "  ")
        }
    }

    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in width + columns(scalar.value) }
    }

    /// 2 for wide and fullwidth characters and emoji, 0 for combining marks, joiners and variation selectors.
    private static func columns(_ value: UInt32) -> Int {
        switch value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F, 0x20D0...0x20FF, 0xE0100...0xE01EF: 0
        case 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x2600...0x26FF, 0x2700...0x27BF: 2
        default: isWide(value) ? 2 : 1
        }
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}

/// Text from the ledger on its way to a terminal: control characters (C0, DEL, C1) and bidirectional
/// overrides are shown as `\u{1B}`, never sent, so that text recorded before the append refused them
/// cannot move the cursor, retitle the window or reorder a line.
enum TerminalText {
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// The characters an append refuses in a one-line field, line feed included.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        TextSafety.isForbidden(scalar, multiLine: false)
    }
}
