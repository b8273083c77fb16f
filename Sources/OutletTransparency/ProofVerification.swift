/// Checking proofs as RFC 9162 §2.1.3.2 and §2.1.4.2 say, with nothing but the hashes: what an auditor
/// (or a citizen's verifier) does offline.
public enum MerkleProof {
    /// Whether `proof` shows the leaf with `leafHash` at `index` in the tree of `size` leaves with `root`.
    public static func verifyInclusion(index: Int, size: Int, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size, isHash(leafHash), isHash(root), proof.allSatisfy(isHash) else { return false }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = MerkleTree.nodeHash(p, r)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                r = MerkleTree.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// Whether `proof` shows that the tree of `from` leaves with `fromRoot` is a prefix of the tree of
    /// `to` leaves with `toRoot`.
    /// A proof from the empty tree proves nothing and is refused, as the published vectors have it.
    public static func verifyConsistency(from: Int, to: Int, fromRoot: [UInt8], toRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard from > 0, to >= from else { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        guard isHash(fromRoot), isHash(toRoot), proof.allSatisfy(isHash) else { return false }
        guard !proof.isEmpty else { return false }
        var path = proof
        if from & (from - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = from - 1, sn = to - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleTree.nodeHash(c, fr)
                sr = MerkleTree.nodeHash(c, sr)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == fromRoot && sr == toRoot
    }

    static func isHash(_ bytes: [UInt8]) -> Bool {
        bytes.count == MerkleTree.hashSize
    }
}
