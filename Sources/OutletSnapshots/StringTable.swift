import CanonicalJSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A timeline's strings, each distinct byte sequence once, in order of first use: its string table
/// (FORMAT.md, part 4.2), which its versions refer to by place.
///
/// Keyed by the UTF-8 bytes, not by `String`: Swift's strings are equal under canonical equivalence (a
/// precomposed "é" equals "e" and a combining accent), so a table keyed by `String` would give the second
/// the first's bytes. Looked up in an open-addressed table of its own, hashed eight bytes at a time: a
/// timeline has a few dozen strings, and a `Dictionary` of them (SipHash, grown from empty for each of
/// 78,000 timelines) was a third of encoding a snapshot. The hash takes no key: a timeline's strings are
/// its own institution's, so strings made to collide slow that timeline's encoding alone, by its own size.
struct StringTable {
    /// The table as a snapshot stores it: each string as `varint byteLength` + UTF-8, in order.
    private(set) var encoded: [UInt8] = []
    /// Where each string's bytes start in `encoded`, and how many there are.
    private var spans: [(start: Int32, count: Int32)] = []
    /// Per slot: 0 when empty, else the hash's upper 32 bits over the string's place + 1.
    private var slots = [UInt64](repeating: 0, count: 64)

    var count: Int { spans.count }

    init() {}

    /// The string's place, where it is put if it is not there yet. Its bytes are copied then: the table holds
    /// no `String` (each one kept was a reference count to move, a cache miss, twice).
    mutating func index(of string: String) -> Int {
        Canonical.withUTF8(string) { index(ofBytes: $0) }
    }

    /// The place of the string whose UTF-8 bytes these are, where they are put if they are not there yet.
    mutating func index(ofBytes bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let hash = Self.hash(bytes)
        let (slot, found) = place(of: bytes, hash: hash)
        if let found { return found }
        let index = spans.count
        BinaryWriter.append(varint: UInt64(bytes.count), to: &encoded)
        spans.append((Int32(encoded.count), Int32(bytes.count)))
        encoded.append(contentsOf: bytes)
        slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
        // At most half full, so that a probe ends soon at an empty slot.
        if 2 * spans.count > slots.count { grow() }
        return index
    }

    /// The table of `count` strings whose bytes as it stores them (`encoded`) are these: the table a
    /// timeline's encoding was made with, to go on with (`ProjectionCodec.extend`).
    init(encoded table: UnsafeBufferPointer<UInt8>, count: Int) throws(SnapshotError) {
        encoded.reserveCapacity(table.count + 256)
        spans.reserveCapacity(count + 8)
        // Room for them and a few more at most half full, as `grow` would leave it.
        while 2 * (count + 8) > slots.count { slots = [UInt64](repeating: 0, count: 2 * slots.count) }
        var reader = BinaryReader(UnsafeRawBufferPointer(table))
        while !reader.isAtEnd {
            _ = index(ofBytes: try reader.raw(reader.count()).assumingMemoryBound(to: UInt8.self))
        }
        guard spans.count == count, encoded.count == table.count else { throw reader.corrupt("not a string table of \(count)") }
    }

    /// The slot holding these bytes and their place, or the empty slot where they would go.
    private func place(of bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (slot: Int, index: Int?) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return (slot, nil) }
            if entry & 0xFFFF_FFFF_0000_0000 == hash & 0xFFFF_FFFF_0000_0000 {
                let index = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if stored(index, isSameAs: bytes) { return (slot, index) }
            }
            slot = (slot + 1) & mask
        }
    }

    private func stored(_ index: Int, isSameAs bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let span = spans[index]
        guard Int(span.count) == bytes.count else { return false }
        return bytes.isEmpty || encoded.withUnsafeBufferPointer { memcmp($0.baseAddress! + Int(span.start), bytes.baseAddress!, bytes.count) == 0 }
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: 2 * slots.count)
        for index in spans.indices {
            let span = spans[index]
            encoded.withUnsafeBufferPointer { table in
                let bytes = UnsafeBufferPointer(rebasing: table[Int(span.start)..<Int(span.start + span.count)])
                let hash = Self.hash(bytes)
                slots[place(of: bytes, hash: hash).slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
            }
        }
    }

    /// The bytes mixed a word at a time by multiplication, the length first: the lower bits pick the slot,
    /// the upper 32 tell most strings in the same slot apart without reading them.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var at = 0
        while at + 8 <= bytes.count {
            hash = (hash ^ ByteWord(bytes, at: at).bits) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            at += 8
        }
        var tail: UInt64 = 0
        while at < bytes.count {
            tail = tail << 8 | UInt64(bytes[at])
            at += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 29)
    }

    /// The same strings, in order, as bytes. Two arrays of one storage are (the versions of a timeline share
    /// their service items until they change), which is asked first, without reading the storage.
    static func sameBytes(_ left: [String], _ right: [String]) -> Bool {
        left.withUnsafeBufferPointer { $0.baseAddress } == right.withUnsafeBufferPointer { $0.baseAddress }
            || left.count == right.count && zip(left, right).allSatisfy { Canonical.sameBytes($0, $1) }
    }
}
