import CanonicalJSON

/// Little-endian, varint-based bytes: the snapshot body (FORMAT.md "Encoding").
struct BinaryWriter {
    /// Set only by a timeline's encoding, which writes its institutions' bytes apart with the same table.
    var bytes: [UInt8] = []
    /// Every string once, in order of first use; the body refers to them by index.
    private(set) var table = StringTable()

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// A writer whose strings go on from `table`'s.
    init(continuing table: StringTable, reservingCapacity capacity: Int = 0) {
        self.table = table
        bytes.reserveCapacity(capacity)
    }

    /// Empty again, its capacity kept (a writer used for one block after another).
    mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Replaces bytes already written, from `offset` on (a header's field known only after the body).
    mutating func overwrite(at offset: Int, with values: [UInt8]) {
        bytes.replaceSubrange(offset..<(offset + values.count), with: values)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func fixed<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ values: some Sequence<UInt8>) {
        bytes.append(contentsOf: values)
    }

    /// LEB128.
    mutating func varint(_ value: UInt64) {
        Self.append(varint: value, to: &bytes)
    }

    static func append(varint value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func count(_ value: Int) {
        varint(UInt64(value))
    }

    /// Zigzag, so that small negatives stay short.
    mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func string(_ value: String) {
        count(index(of: value))
    }

    /// The string's place in the table, where it is put if it is not there yet.
    mutating func index(of value: String) -> Int {
        table.index(of: value)
    }

    /// A string stored in place, not through the table (the table itself, the header).
    mutating func inlineString(_ value: String) {
        let utf8 = Array(value.utf8)
        count(utf8.count)
        raw(utf8)
    }
}
