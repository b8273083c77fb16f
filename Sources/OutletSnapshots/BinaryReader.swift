/// Reads what `BinaryWriter` wrote, checking every length and index against the bytes there are: a
/// damaged snapshot is an error naming the byte, never a trap or a huge allocation.
struct BinaryReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    /// The string table of the timeline being read (`readStringTable`): each string once made, and where
    /// the bytes of each not yet made are.
    private var strings: [String?] = []
    private var stringSpans: [Range<Int>] = []

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    func corrupt(_ what: String) -> SnapshotError {
        .corrupt("\(what) at byte \(offset)")
    }

    mutating func byte() throws(SnapshotError) -> UInt8 {
        guard offset < bytes.count else { throw corrupt("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(SnapshotError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw corrupt("unexpected end") }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])) }
        offset += size
        return T(littleEndian: value)
    }

    mutating func raw(_ count: Int) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard count >= 0, remaining >= count else { throw corrupt("unexpected end") }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    @inline(__always)
    mutating func varint() throws(SnapshotError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw corrupt("unexpected end in a number") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw corrupt("number too long") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A count of items that each take at least `minimumSize` bytes: more than the bytes left is damage.
    mutating func count(minimumSize: Int = 1) throws(SnapshotError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(remaining / max(minimumSize, 1)) else {
            throw SnapshotError.corrupt("count \(value) exceeds the bytes left at byte \(start)")
        }
        return Int(value)
    }

    mutating func signed() throws(SnapshotError) -> Int64 {
        let value = try varint()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// Reads a string table: `eagerly`, every string made (and checked) now, as a whole timeline's reader
    /// wants; else only where each lies, a string made when first read, as a state read alone wants (most
    /// of a timeline's strings are of versions and institutions it passes over).
    mutating func readStringTable(eagerly: Bool) throws(SnapshotError) {
        let count = try count()
        strings.removeAll(keepingCapacity: true)
        stringSpans.removeAll(keepingCapacity: true)
        // Room made once (a timeline's table is tens of strings); no more than a few hundred before they are read.
        strings.reserveCapacity(min(count, 256))
        if !eagerly { stringSpans.reserveCapacity(min(count, 256)) }
        for _ in 0..<count {
            if eagerly {
                strings.append(try inlineString())
            } else {
                let length = try self.count()
                let start = offset
                _ = try raw(length)
                stringSpans.append(start..<(start + length))
                strings.append(nil)
            }
        }
    }

    mutating func string() throws(SnapshotError) -> String {
        try tableString(stringIndex())
    }

    /// The string at `index` of the table, made now if it was not.
    mutating func tableString(_ index: Int) throws(SnapshotError) -> String {
        if let made = strings[index] { return made }
        let span = stringSpans[index]
        let made = try Self.string(UnsafeRawBufferPointer(rebasing: bytes[span]).assumingMemoryBound(to: UInt8.self), at: span.lowerBound)
        strings[index] = made
        return made
    }

    /// A string's place in the table: what a reader that remembers what a string stands for looks up.
    mutating func stringIndex() throws(SnapshotError) -> Int {
        let start = offset
        let index = try varint()
        guard index < UInt64(strings.count) else {
            throw SnapshotError.corrupt("string \(index) of \(strings.count) at byte \(start)")
        }
        return Int(index)
    }

    /// The bytes of `range`, wherever the reader is (a segment's composition copies them).
    func bytes(_ range: Range<Int>) throws(SnapshotError) -> UnsafeRawBufferPointer {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { throw corrupt("bytes \(range) past the end") }
        return UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Continues at `offset` (within the bytes).
    mutating func move(to offset: Int) {
        precondition((0...bytes.count).contains(offset), "a reader moves within its bytes")
        self.offset = offset
    }

    mutating func inlineString() throws(SnapshotError) -> String {
        let length = try count()
        let start = offset
        return try Self.string(try raw(length).assumingMemoryBound(to: UInt8.self), at: start)
    }

    /// The string whose UTF-8 bytes, at byte `start`, are `utf8`; damage if they are not UTF-8. Validated once by
    /// `UTF8Span`, not by the generic `String(validating:as:)`, which looks its types up at each call: a snapshot
    /// has millions.
    private static func string(_ utf8: UnsafeBufferPointer<UInt8>, at start: Int) throws(SnapshotError) -> String {
        guard let span = try? UTF8Span(validating: utf8.span) else { throw SnapshotError.corrupt("invalid UTF-8 at byte \(start)") }
        return String(copying: span)
    }
}
