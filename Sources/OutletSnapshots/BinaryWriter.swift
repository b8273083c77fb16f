import CanonicalJSON

/// Little-endian, varint-based bytes: the snapshot body (FORMAT.md "Encoding").
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []
    /// Every string once, in order of first use; the body refers to them by index.
    private var stringIndex: [StoredString: Int] = [:]
    private(set) var strings: [String] = []

    init(reservingCapacity capacity: Int = 0) {
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
        if let index = stringIndex[StoredString(value)] { return index }
        stringIndex[StoredString(value)] = strings.count
        strings.append(value)
        return strings.count - 1
    }

    /// A string stored in place, not through the table (the table itself, the header).
    mutating func inlineString(_ value: String) {
        let utf8 = Array(value.utf8)
        count(utf8.count)
        raw(utf8)
    }
}

/// A string as a snapshot stores it: its UTF-8 bytes. Swift's strings are equal under canonical equivalence (a
/// precomposed "é" equals "e" and a combining accent), so a table keyed by `String` gave the second the first's
/// bytes; hashing the bytes also skips the normalization a `String`'s hash goes through.
struct StoredString: Hashable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (left: StoredString, right: StoredString) -> Bool {
        Canonical.sameBytes(left.string, right.string)
    }

    func hash(into hasher: inout Hasher) {
        // A native string's bytes where they lie, no copy of the string made to reach them.
        guard string.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil else { return }
        var string = string  // bridged: made native once
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The same strings, in order, as bytes. Two arrays of one storage are (the versions of a timeline share
    /// their service items until they change), which is asked first, without reading the storage.
    static func sameBytes(_ left: [String], _ right: [String]) -> Bool {
        left.withUnsafeBufferPointer { $0.baseAddress } == right.withUnsafeBufferPointer { $0.baseAddress }
            || left.count == right.count && zip(left, right).allSatisfy { Canonical.sameBytes($0, $1) }
    }
}
