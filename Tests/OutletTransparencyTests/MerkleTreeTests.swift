import Foundation
@testable import OutletTransparency
import Testing

/// RFC 6962's reference leaves (the Certificate Transparency test data): the tree of all eight has the
/// root below, published with them.
let referenceLeaves: [[UInt8]] = [
    [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
    [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57], Array(0x60...0x6f),
]

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// MTH by the RFC's definition, with no levels and no shortcuts: what the tree must agree with.
func naiveRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    if leaves.isEmpty { return MerkleTree.emptyRoot }
    if leaves.count == 1 { return MerkleTree.leafHash(leaves.first!) }
    let split = MerkleTree.largestPowerOfTwo(below: leaves.count)
    return MerkleTree.nodeHash(naiveRoot(leaves.prefix(split)), naiveRoot(leaves.dropFirst(split)))
}

@Suite("The Merkle tree of RFC 6962 / RFC 9162 §2.1: roots, inclusion and consistency proofs")
struct MerkleTreeTests {
    static func tree(_ leaves: [[UInt8]]) -> MerkleTree {
        var tree = MerkleTree()
        for leaf in leaves { tree.append(input: leaf) }
        return tree
    }

    /// 70 leaves of 32 pseudo-random bytes (as chain hashes are).
    static let leaves: [[UInt8]] = {
        var state: UInt64 = 6962
        return (0..<70).map { _ in
            (0..<32).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
        }
    }()

    @Test("the reference leaves give the published roots (size 1 and 8), and the empty tree SHA-256 of nothing")
    func referenceRoots() {
        let tree = Self.tree(referenceLeaves)
        #expect(hex(tree.root(size: 1)) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(hex(tree.root(size: 8)) == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        #expect(hex(MerkleTree().root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("built one leaf at a time, every root of 0…70 leaves is the RFC's MTH")
    func incrementalRoots() {
        var tree = MerkleTree()
        #expect(tree.root() == naiveRoot(Self.leaves[0..<0]))
        for (count, leaf) in Self.leaves.enumerated() {
            tree.append(input: leaf)
            #expect(tree.root() == naiveRoot(Self.leaves[0...count]), "size \(count + 1)")
        }
        for size in 0...Self.leaves.count {
            #expect(tree.root(size: size) == naiveRoot(Self.leaves[0..<size]), "root at size \(size) of 70")
        }
    }

    @Test("every inclusion proof of every leaf in every tree up to 70 leaves verifies; a changed byte, index or root does not")
    func inclusionProofs() {
        let tree = Self.tree(Self.leaves)
        for size in 1...Self.leaves.count {
            let root = tree.root(size: size)
            for index in 0..<size {
                let leafHash = MerkleTree.leafHash(Self.leaves[index])
                let proof = tree.inclusionProof(index: index, size: size)
                #expect(MerkleProof.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: proof, root: root))
                if !proof.isEmpty {
                    var damaged = proof
                    damaged[damaged.count / 2][0] ^= 1
                    #expect(!MerkleProof.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: damaged, root: root))
                }
                if size > 1 {
                    #expect(!MerkleProof.verifyInclusion(index: (index + 1) % size, size: size, leafHash: leafHash, proof: proof, root: root))
                }
                if size < Self.leaves.count {
                    #expect(!MerkleProof.verifyInclusion(index: index, size: size, leafHash: leafHash, proof: proof, root: tree.root(size: size + 1)))
                }
            }
        }
    }

    @Test("every consistency proof between trees up to 70 leaves verifies; against another root it does not")
    func consistencyProofs() {
        let tree = Self.tree(Self.leaves)
        for to in 1...Self.leaves.count {
            for from in 1...to {
                let proof = tree.consistencyProof(from: from, to: to)
                #expect(MerkleProof.verifyConsistency(from: from, to: to, fromRoot: tree.root(size: from), toRoot: tree.root(size: to), proof: proof),
                        "\(from) → \(to)")
                if from < to {
                    let other = MerkleTree.leafHash([0xff])
                    #expect(!MerkleProof.verifyConsistency(from: from, to: to, fromRoot: other, toRoot: tree.root(size: to), proof: proof))
                }
            }
        }
    }

    /// The published vectors (transparency-dev/merkle's testdata, kept beside the project in ../shared).
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata/rfc6962-vectors")

    /// Each vector as a dictionary (Foundation's parser: some vectors hold integers beyond 2^53 on purpose).
    static func cases(_ kind: String) throws -> [(String, [String: Any])] {
        let folder = vectors.appendingPathComponent(kind)
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
        return try files.sorted().map { name in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name)))
            return (name, object as? [String: Any] ?? [:])
        }
    }

    static func bytes(_ value: Any?) -> [UInt8] {
        (value as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? Array("not base64".utf8)
    }

    /// An integer of a vector; one beyond `Int` (a deliberately broken vector) becomes -1, which no proof fits.
    static func int(_ value: Any?) -> Int {
        (value as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } ?? -1
    }

    @Test("the published RFC 6962 inclusion and consistency vectors: every verdict as published",
          .enabled(if: FileManager.default.fileExists(atPath: vectors.path),
                   "the published vectors are read from ../shared/testdata/rfc6962-vectors beside the project, not found here"))
    func publishedVectors() throws {
        let inclusion = try Self.cases("inclusion")
        let consistency = try Self.cases("consistency")
        #expect(inclusion.count + consistency.count > 150)
        for (name, vector) in inclusion {
            let verified = MerkleProof.verifyInclusion(
                index: Self.int(vector["leafIdx"]), size: Self.int(vector["treeSize"]),
                leafHash: Self.bytes(vector["leafHash"]), proof: (vector["proof"] as? [Any] ?? []).map { Self.bytes($0) },
                root: Self.bytes(vector["root"]))
            #expect(verified == ((vector["wantErr"] as? Bool) == false), "inclusion/\(name)")
        }
        for (name, vector) in consistency {
            let verified = MerkleProof.verifyConsistency(
                from: Self.int(vector["size1"]), to: Self.int(vector["size2"]),
                fromRoot: Self.bytes(vector["root1"]), toRoot: Self.bytes(vector["root2"]),
                proof: (vector["proof"] as? [Any] ?? []).map { Self.bytes($0) })
            #expect(verified == ((vector["wantErr"] as? Bool) == false), "consistency/\(name)")
        }
    }
}
