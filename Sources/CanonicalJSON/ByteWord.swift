/// Eight bytes of a text read as one word, to ask whether any of them is a given byte or below a bound in a
/// few instructions rather than eight comparisons (SWAR). Exact as to whether there is one, not which.
public struct ByteWord {
    public let bits: UInt64

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `index` (at least eight must be left).
    @inline(__always)
    public init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
        bits = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
    }

    @inline(__always)
    init(bits: UInt64) {
        self.bits = bits
    }

    /// Some byte is below `bound` (at most 0x80): a byte's high bit set by the subtraction, and not by the byte.
    @inline(__always)
    public func hasByte(below bound: UInt8) -> Bool {
        (bits &- Self.ones &* UInt64(bound)) & ~bits & Self.highs != 0
    }

    /// Some byte is `byte`: that byte is zero in the word xor'ed with it.
    @inline(__always)
    public func hasByte(_ byte: UInt8) -> Bool {
        ByteWord(bits: bits ^ (Self.ones &* UInt64(byte))).hasByte(below: 1)
    }
}
