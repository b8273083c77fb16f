import Foundation
import OutletCore
import OutletLedger
import OutletTransparency
import Testing

@Suite("Witnesses (C2SP tlog-cosignature v1): cosign only what is consistent with the largest already cosigned")
struct WitnessTests {
    static let origin = "outlets.shenyang.example/registry"

    @Test("a witness cosigns the first checkpoint, a larger one with a consistency proof, never a smaller one nor another root of a size it cosigned")
    func cosigning() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Array(Sample.registration().prefix(2)))
        let log = try SignedNote.Signer.generate(name: Self.origin)
        let first = try ledger.signCheckpoint(with: log)
        _ = try ledger.append(Array(Sample.registration().suffix(2)))
        let second = try ledger.signCheckpoint(with: log)
        _ = try fixture.fingerprint()

        let witnessKey = fixture.file("witness.key")
        let vkey = try CLI.run(["witness", "key", "--name", "witness.heping.example", "--out", witnessKey]).stdout
        let state = fixture.file("witness-state")
        func cosign(_ note: String, proof: String? = nil) throws -> CLI.Result {
            let file = fixture.file("checkpoint-\(UUID().uuidString)")
            try Data(note.utf8).write(to: URL(fileURLWithPath: file))
            return try CLI.run(["witness", "cosign", "--key", witnessKey, "--state", state, "--log-key", log.verifier.encoded, file]
                               + (proof.map { ["--proof", $0] } ?? []))
        }
        let cosignedFirst = try cosign(first)
        #expect(cosignedFirst.status == 0, "\(cosignedFirst.stderr)")
        #expect(cosignedFirst.stdout.hasPrefix(first) && cosignedFirst.stdout.contains("\n— witness.heping.example "))
        #expect(try Witness.cosignatureTime(in: cosignedFirst.stdout, vkey: vkey) > 0)
        #expect(try log.verifier.open(cosignedFirst.stdout) == Checkpoint(text: try log.verifier.open(first)).text)

        let withoutProof = try cosign(second)
        #expect(withoutProof.status == 68 && withoutProof.stderr.contains("a consistency proof from size \(genesis + 2) to \(genesis + 4) is needed"))
        let proofFile = fixture.file("consistency.json")
        let proof = try CLI.run(["proof", "consistency", "--from", "\(genesis + 2)", "--to", "\(genesis + 4)", "--json", "--ledger", fixture.path])
        try Data(proof.stdout.utf8).write(to: URL(fileURLWithPath: proofFile))
        #expect(try cosign(second, proof: proofFile).status == 0)
        let rewound = try cosign(first)
        #expect(rewound.status == 68 && rewound.stderr.contains("smaller than the \(genesis + 4) already cosigned"), "\(rewound.stderr)")

        // The operator shows another history of the same size to this witness: refused.
        let forked = try LedgerFixture()
        _ = try forked.ledger.append(Array(Sample.registration().prefix(3)) + [Sample.inclusion(Sample.other)])
        let other = try forked.ledger.signCheckpoint(with: log)
        let split = try cosign(other)
        #expect(split.status == 68 && split.stderr.contains("another root for size \(genesis + 4)"), "\(split.stderr)")
    }
}
