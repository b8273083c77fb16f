import Crypto

/// The RFC 6962 / RFC 9162 §2.1 Merkle tree over the log: leaf i (0-based) is event seq i + 1, its input
/// the 32 raw bytes of that event's chain hash (the envelope, with its personal data, stays out of the
/// tree). Leaf hash `SHA-256(0x00 ‖ input)`, node `SHA-256(0x01 ‖ left ‖ right)`.
///
/// Kept as the hashes of every complete subtree, level by level (level 0 the leaves), each level one flat
/// byte array: appending a leaf adds O(log n) node hashes, and any root or proof reads O(log n) of them
/// plus the few nodes of the ragged right edge. Derived data: rebuilt from the log's hashes, never authority.
public struct MerkleTree: Sendable {
    public static let hashSize = 32
    private var levels: [[UInt8]] = [[]]

    public init() {}

    public var size: Int { levels[0].count / Self.hashSize }

    /// `SHA-256(0x00 ‖ input)`.
    public static func leafHash(_ input: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0])
        hasher.update(data: Array(input))
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: some Sequence<UInt8>, _ right: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [1])
        hasher.update(data: Array(left))
        hasher.update(data: Array(right))
        return Array(hasher.finalize())
    }

    /// The root of the empty tree: `SHA-256()` of nothing.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// Appends one leaf by its input (an event's chain hash, raw).
    public mutating func append(input: some Sequence<UInt8>) {
        append(leafHash: Self.leafHash(input))
    }

    public mutating func append(leafHash: [UInt8]) {
        precondition(leafHash.count == Self.hashSize, "a leaf hash is 32 bytes")
        levels[0].append(contentsOf: leafHash)
        var level = 0
        // Each pair completed at one level completes a node at the next.
        while (levels[level].count / Self.hashSize).isMultiple(of: 2) {
            let count = levels[level].count / Self.hashSize
            let left = node(level, count - 2), right = node(level, count - 1)
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(contentsOf: Self.nodeHash(left, right))
            level += 1
        }
    }

    private func node(_ level: Int, _ index: Int) -> ArraySlice<UInt8> {
        levels[level][index * Self.hashSize..<(index + 1) * Self.hashSize]
    }

    /// The root of the tree of the first `size` leaves (RFC 9162's MTH(D[0:size])).
    public func root(size: Int? = nil) -> [UInt8] {
        let size = size ?? self.size
        precondition(size >= 0 && size <= self.size, "a tree of \(size) leaves from one of \(self.size)")
        return size == 0 ? Self.emptyRoot : hash(0, size)
    }

    /// MTH(D[start:end]): a complete, aligned subtree is read from its level; a ragged one is split at
    /// the largest power of two below its size, as RFC 6962 defines it.
    func hash(_ start: Int, _ end: Int) -> [UInt8] {
        let count = end - start
        if count & (count - 1) == 0 {
            let level = count.trailingZeroBitCount
            if start.isMultiple(of: count), level < levels.count, (start / count + 1) * Self.hashSize <= levels[level].count {
                return Array(node(level, start / count))
            }
        }
        let split = Self.largestPowerOfTwo(below: count)
        return Self.nodeHash(hash(start, start + split), hash(start + split, end))
    }

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        1 << (Int.bitWidth - (n - 1).leadingZeroBitCount - 1)
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves (RFC 6962 §2.1.1 PATH).
    public func inclusionProof(index: Int, size: Int) -> [[UInt8]] {
        precondition(index >= 0 && index < size && size <= self.size, "leaf \(index) of a tree of \(size)")
        var proof: [[UInt8]] = []
        func path(_ index: Int, _ start: Int, _ end: Int) {
            guard end - start > 1 else { return }
            let split = Self.largestPowerOfTwo(below: end - start)
            if index < split {
                path(index, start, start + split)
                proof.append(hash(start + split, end))
            } else {
                path(index - split, start + split, end)
                proof.append(hash(start, start + split))
            }
        }
        path(index, 0, size)
        return proof
    }

    /// The proof that the tree of `from` leaves is a prefix of the tree of `to` (RFC 6962 §2.1.2).
    public func consistencyProof(from: Int, to: Int) -> [[UInt8]] {
        precondition(from >= 0 && from <= to && to <= self.size, "from \(from) to \(to) in a tree of \(self.size)")
        guard from > 0, from < to else { return [] }
        var proof: [[UInt8]] = []
        func subproof(_ m: Int, _ start: Int, _ end: Int, _ complete: Bool) {
            let n = end - start
            if m == n {
                if !complete { proof.append(hash(start, end)) }
                return
            }
            let split = Self.largestPowerOfTwo(below: n)
            if m <= split {
                subproof(m, start, start + split, complete)
                proof.append(hash(start + split, end))
            } else {
                subproof(m - split, start + split, end, false)
                proof.append(hash(start, start + split))
            }
        }
        subproof(from, 0, to, true)
        return proof
    }
}
