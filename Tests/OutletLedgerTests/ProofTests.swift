import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import OutletTransparency
import Testing

@Suite("Merkle proofs over the ledger: each event in the log, each older log a prefix of the newer (RFC 9162)")
struct ProofTests {
    @Test("every event's inclusion proof in the demo log verifies against the root, at the head and at an older size")
    func inclusion() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        for seq in stride(from: Int64(1), through: DemoTests.head, by: 7) {
            for size in [DemoTests.head, max(seq, 150)] {
                let proof = try ledger.inclusionProof(seq: seq, size: size)
                #expect(MerkleProof.verifyInclusion(index: proof.leafIndex, size: proof.treeSize, leafHash: proof.leafHash,
                                                    proof: proof.hashes, root: proof.root), "seq \(seq) in \(size)")
            }
        }
        #expect(throws: LedgerError.self) { try ledger.inclusionProof(seq: DemoTests.head + 1) }
    }

    @Test("consistency proofs between sizes verify; the tree the ledger keeps grows with its appends as a rebuild would")
    func consistencyAndGrowth() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Array(Sample.registration().prefix(2)))
        let before = try ledger.merkleTree()
        _ = try ledger.append(Array(Sample.registration().suffix(2)))
        let grown = try ledger.merkleTree()
        let rebuilt = try Ledger.open(at: fixture.path, clock: fixture.clock).merkleTree()
        #expect(grown.size == Int(genesis) + 4 && grown.root() == rebuilt.root())
        let proof = try ledger.consistencyProof(from: Int64(before.size))
        #expect(proof.fromRoot == before.root() && proof.toRoot == grown.root())
        #expect(MerkleProof.verifyConsistency(from: proof.from, to: proof.to, fromRoot: proof.fromRoot, toRoot: proof.toRoot, proof: proof.hashes))
    }

    @Test("proof inclusion --json gives {leafIndex, treeSize, leafHash, hashes}: a leaf hash anyone computes from the export")
    func cliJSON() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        let result = try CLI.run(["proof", "inclusion", "--seq", "\(genesis + 2)", "--json", "--ledger", fixture.path])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONParser.parse(result.stdout)
        #expect(json["leafIndex"] == .integer(genesis + 1) && json["treeSize"] == .integer(genesis + 4))
        let hash = try #require(try fixture.ledger.store.events(fromSeq: genesis + 2, toSeq: genesis + 2).first?.hash)
        let raw = stride(from: 0, to: 64, by: 2).map { UInt8(hash.dropFirst($0).prefix(2), radix: 16)! }
        #expect(json["leafHash"]?.stringValue == Data(MerkleTree.leafHash(raw)).base64EncodedString())
        #expect(json["hashes"]?.arrayValue?.count == 3)
    }
}
