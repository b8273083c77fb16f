/// 统一社会信用代码: the institution's Unified Social Credit Code (GB 32100-2015), which is also its
/// event stream id (DOMAIN.md §2).
public struct USCC: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 18 ASCII characters big-endian, 8 + 8 + 2: a registry keys everything by its institutions'
    /// codes, and packed they hash and compare as three integers (in the order of the text), where a
    /// string would be hashed byte by byte from a heap object of its own.
    private let head: UInt64
    private let middle: UInt64
    private let tail: UInt16

    /// The packed words, for a table of codes of its own (`InstitutionNumbering`).
    package var words: (head: UInt64, middle: UInt64, tail: UInt16) { (head, middle, tail) }

    public var code: String {
        String(unsafeUninitializedCapacity: 18) { buffer in
            for offset in 0..<8 {
                buffer[offset] = UInt8(truncatingIfNeeded: head >> (56 - 8 * offset))
                buffer[8 + offset] = UInt8(truncatingIfNeeded: middle >> (56 - 8 * offset))
            }
            buffer[16] = UInt8(truncatingIfNeeded: tail >> 8)
            buffer[17] = UInt8(truncatingIfNeeded: tail)
            return 18
        }
    }

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    /// Each byte's value in the alphabet, or -1.
    static let values: [Int] = (0..<256).map { byte in alphabet.firstIndex(of: UInt8(byte)) ?? -1 }

    /// Why a text is not a USCC, in words an applicant can act on.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case length(Int)
        case character(position: Int, character: Character)
        case checkCharacter(expected: Character, found: Character)

        public var description: String {
            switch self {
            case .length(let count): "18 characters expected, found \(count)"
            case .character(let position, let character):
                "character \(position) '\(character)' is not one of 0-9 and A-Y less I, O, S, V, Z"
            case .checkCharacter(let expected, let found):
                "check character '\(found)' does not match the first 17 characters, which require '\(expected)'"
            }
        }
    }

    public init(validating code: String) throws(Problem) {
        guard code.utf8.count == 18 else { throw .length(code.count) }
        try self.init(checking: code.utf8)
    }

    /// A code read from UTF-8 bytes (a stored event's stream), without making a string of it.
    public init(validating bytes: UnsafeBufferPointer<UInt8>) throws(Problem) {
        guard bytes.count == 18 else { throw .length(String(decoding: bytes, as: UTF8.self).count) }
        try self.init(checking: bytes)
    }

    /// 18 bytes, checked character by character and by the check character, then packed.
    private init(checking bytes: some Collection<UInt8>) throws(Problem) {
        var sum = 0
        var offset = 0
        var found = 0
        var head: UInt64 = 0, middle: UInt64 = 0, tail: UInt16 = 0
        // The tables once, not a lazy global's guard per character: the fold checks a code per event.
        let values = Self.values, weights = Self.weights
        for byte in bytes {
            let value = values[Int(byte)]
            guard value >= 0 else {
                throw .character(position: offset + 1, character: Character(UnicodeScalar(byte)))
            }
            if offset < 17 { sum += value * weights[offset] } else { found = value }
            switch offset {
            case 0..<8: head = head << 8 | UInt64(byte)
            case 8..<16: middle = middle << 8 | UInt64(byte)
            default: tail = tail << 8 | UInt16(byte)
            }
            offset += 1
        }
        let check = Self.checkValue(sum: sum)
        guard found == check else {
            throw .checkCharacter(expected: Character(UnicodeScalar(Self.alphabet[check])),
                                  found: Character(UnicodeScalar(Self.alphabet[found])))
        }
        self.head = head
        self.middle = middle
        self.tail = tail
    }

    public init?(_ code: String) {
        guard let valid = try? USCC(validating: code) else { return nil }
        self = valid
    }

    /// check = 31 − (Σ v·w mod 31), where 31 maps to 0.
    static func checkValue(_ values: ArraySlice<Int>) -> Int {
        checkValue(sum: zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 })
    }

    static func checkValue(sum: Int) -> Int {
        let check = 31 - sum % 31
        return check == 31 ? 0 : check
    }

    /// Completes a 17-character body with its check character (for generators and tests).
    public static func completing(_ body: String) -> USCC? {
        let bytes = Array(body.utf8)
        guard bytes.count == 17 else { return nil }
        var values: [Int] = []
        for byte in bytes {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(value)
        }
        let check = alphabet[checkValue(values[...])]
        return USCC(body + String(UnicodeScalar(check)))
    }

    public var description: String { code }

    /// The order of the codes' text: big-endian words compare as their bytes do.
    public static func < (lhs: USCC, rhs: USCC) -> Bool { (lhs.head, lhs.middle, lhs.tail) < (rhs.head, rhs.middle, rhs.tail) }
}

extension USCC: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try USCC(validating: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "USCC '\(text)': \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
