import Foundation
import OutletCore
import OutletHTTP
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

@Suite("A witness as a service (C2SP tlog-witness add-checkpoint), and checkpoint sign --witness collecting its cosignature")
struct WitnessServiceTests {
    static let origin = WitnessTests.origin

    @Test("add-checkpoint answers as the protocol says: 200 and a cosignature, 409 with the size it holds, 422 without a consistency proof, 400, 404, 403, and 409 for another root of the size it cosigned")
    func protocolAnswers() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Array(Sample.registration().prefix(2)))
        let log = try SignedNote.Signer.generate(name: Self.origin)
        let first = try ledger.signCheckpoint(with: log)
        _ = try ledger.append(Array(Sample.registration().suffix(2)))
        let second = try ledger.signCheckpoint(with: log)
        let (a, b) = (Int(genesis) + 2, Int(genesis) + 4)
        let witness = try Witness.generate(name: "witness.heping.example")
        let state = try WitnessState(folder: fixture.file("witness-state"))
        let service = WitnessService(witness: witness, logKeys: [log.verifier], state: state, now: { 1_790_000_000 })
        func add(_ old: Int, _ proof: [[UInt8]], _ note: String) -> (status: Int, type: String, body: String) {
            let answer = service.addCheckpoint(AddCheckpoint(oldSize: old, proof: proof, note: note).body)
            return (answer.status.code, answer.contentType, answer.body)
        }
        let cosigned = add(0, [], first)
        #expect(cosigned.status == 200 && cosigned.body.hasPrefix("— witness.heping.example "))
        #expect(try Witness.cosignatureTime(in: first + cosigned.body, vkey: witness.verifierKey) == 1_790_000_000)
        #expect(add(0, [], first) == (409, "text/x.tlog.size", "\(a)\n"))
        let unproved = add(a, [], second)
        #expect(unproved.status == 422 && unproved.type == "application/problem+json" && unproved.body.contains("not consistent"))
        #expect(add(a, try ledger.consistencyProof(from: Int64(a), to: Int64(b)).hashes, second).status == 200)
        #expect(try state.latest(origin: Self.origin)?.size == b)
        #expect(add(b + 1, [], second).status == 400)
        #expect(service.addCheckpoint("garbage").status.code == 400)
        #expect(add(0, [], try SignedNote.Signer.generate(name: "another.example/log").sign(Checkpoint(origin: "another.example/log", size: 1, root: Array(repeating: 0, count: 32)).text)).status == 404)
        let impostor = try SignedNote.Signer.generate(name: Self.origin)
        #expect(add(b, [], try impostor.sign(Checkpoint(text: try log.verifier.open(second)).text)).status == 403)
        // Another history of the size already cosigned, signed by the log's own key: the split view is refused.
        let forked = try LedgerFixture()
        _ = try forked.ledger.append(Array(Sample.registration().prefix(3)) + [Sample.inclusion(Sample.other)])
        let split = add(b, [], try forked.ledger.signCheckpoint(with: log))
        #expect(split.status == 409 && split.body.contains("two histories"), "\(split.body)")
        #expect(try state.latest(origin: Self.origin)?.size == b)
    }

    @Test("checkpoint sign --witness gets a running witness's cosignature over HTTP and stores the cosigned checkpoint; a witness that saw another history refuses and nothing is stored")
    func signWithWitness() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        let logKey = fixture.file("log.key")
        let vkey = try CLI.run(["key", "generate", "--origin", Self.origin, "--out", logKey]).stdout.trimmingCharacters(in: .newlines)
        let witnessKey = fixture.file("witness.key")
        let witnessVkey = try CLI.run(["witness", "key", "--name", "witness.heping.example", "--out", witnessKey]).stdout.trimmingCharacters(in: .newlines)
        let server = try RunningServer(["witness", "serve", "--key", witnessKey, "--state", fixture.file("witness-state"), "--log-key", vkey])
        let witness = "\(server.url.absoluteString)=\(witnessVkey)"

        let signed = try CLI.run(["checkpoint", "sign", "--key", logKey, "--witness", witness, "--ledger", fixture.path])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try Witness.cosignatureTime(in: signed.stdout, vkey: witnessVkey) > 0)
        #expect(try CLI.run(["checkpoint", "--ledger", fixture.path]).stdout == signed.stdout)
        // A proof bundle now carries the cosigned checkpoint; the log's key alone still checks it, here and in Python.
        let bundle = fixture.file("event.tlog-proof")
        #expect(try CLI.run(["proof", "bundle", "--seq", "3", "--out", bundle, "--ledger", fixture.path]).status == 0)
        #expect(try CLI.run(["proof", "check", bundle, "--vkey", vkey]).status == 0)
        let python = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", Repository.path("tools/verify-proof.py"), bundle, vkey])
        #expect(python.status == 0, "\(python.stdout)\(python.stderr)")

        // The operator shows this witness another history of the same size: refused, nothing stored.
        let forked = try LedgerFixture()
        _ = try forked.ledger.append(Array(Sample.registration().prefix(3)) + [Sample.inclusion(Sample.other)])
        let before = try forked.fingerprint()
        let refused = try CLI.run(["checkpoint", "sign", "--key", logKey, "--witness", witness, "--ledger", forked.path])
        #expect(refused.status == 68 && refused.stderr.contains("witness witness.heping.example (\(server.url.absoluteString)) refused the checkpoint of size \(genesis + 4) (HTTP 409)"),
                "\(refused.stderr)")
        #expect(try forked.fingerprint() == before)
        let unreachable = try CLI.run(["checkpoint", "sign", "--key", logKey, "--witness", "http://127.0.0.1:9=\(witnessVkey)", "--ledger", forked.path])
        #expect(unreachable.status == 74 && unreachable.stderr.contains("cannot be reached"), "\(unreachable.stderr)")
        #expect(server.stop() == 0)
    }
}
