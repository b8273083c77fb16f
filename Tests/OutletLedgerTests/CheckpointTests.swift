import Foundation
import OutletCore
import OutletLedger
import OutletTransparency
import Testing

@Suite("Signed checkpoints (C2SP tlog-checkpoint): what the bureau publishes, consistent from one to the next")
struct CheckpointTests {
    static let origin = "outlets.shenyang.example/registry"

    @Test("key generate writes a 0600 key and prints its verifier; checkpoint sign stores notes the verifier opens, each root the tree's")
    func lifecycle() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(2)))
        _ = try fixture.fingerprint()
        let key = fixture.file("bureau.key")
        let generated = try CLI.run(["key", "generate", "--origin", Self.origin, "--out", key])
        #expect(generated.status == 0, "\(generated.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let verifier = try SignedNote.Verifier(encoded: generated.stdout)
        #expect(try CLI.run(["key", "generate", "--origin", Self.origin, "--out", key]).status == 65)

        let first = try CLI.run(["checkpoint", "sign", "--key", key, "--ledger", fixture.path])
        #expect(first.status == 0, "\(first.stderr)")
        let checkpoint = try Checkpoint(text: try verifier.open(first.stdout))
        #expect(checkpoint.origin == Self.origin && checkpoint.size == Int(genesis) + 2)
        #expect(checkpoint.root == (try fixture.ledger.merkleTree().root()))

        _ = try fixture.ledger.append(Array(Sample.registration().suffix(2)))
        _ = try fixture.fingerprint()
        let second = try CLI.run(["checkpoint", "sign", "--key", key, "--ledger", fixture.path])
        #expect(try Checkpoint(text: try verifier.open(second.stdout)).size == Int(genesis) + 4)
        #expect(try CLI.run(["checkpoint", "--size", "\(genesis + 2)", "--ledger", fixture.path]).stdout == first.stdout)
        #expect(try CLI.run(["checkpoint", "--ledger", fixture.path]).stdout == second.stdout)
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 0 && verify.stdout.contains("2 signed checkpoints matching the tree"), "\(verify.stdout)")
    }

    @Test("a log rewritten after a checkpoint (every hash recomputed, the head record too) passes the chain check but not the checkpoint; no new checkpoint is signed")
    func rewrittenLog() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        let signer = try SignedNote.Signer.generate(name: Self.origin)
        _ = try fixture.ledger.signCheckpoint(with: signer)
        _ = try fixture.fingerprint()
        // The operator rewrites history from seq genesis+2 on, re-chaining every hash after it.
        let ledger = try Ledger.open(at: fixture.path, readonly: true)
        var prevHash = try ledger.store.head(atSeq: genesis + 1).hash
        var rewritten: [Envelope] = []
        for var envelope in try ledger.store.events(fromSeq: genesis + 2) {
            if envelope.seq == genesis + 2 { envelope.actor.name = "王弱" }
            envelope.prevHash = prevHash
            envelope.hash = HashChain.hash(of: envelope)
            prevHash = envelope.hash
            rewritten.append(envelope)
        }
        try tamper(fixture, "DROP TRIGGER events_no_update")
        for envelope in rewritten {
            try tamper(fixture, "UPDATE events SET actor_name = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                       [envelope.actor.name, envelope.prevHash, envelope.hash, envelope.seq])
        }
        try tamper(fixture, "UPDATE chain_head SET hash = ?", [prevHash])
        let chainOnly = try CLI.run(["verify", "--chain-only", "--ledger", fixture.path])
        #expect(chainOnly.status == 68 && chainOnly.stderr.contains("the checkpoint of size \(genesis + 4) does not match the log"), "\(chainOnly.stderr)")
        let reopened = try Ledger.open(at: fixture.path, clock: fixture.clock)
        #expect { try reopened.signCheckpoint(with: signer) } throws: { ($0 as? LedgerError)?.code == .integrityFailure }
    }

    @Test("an origin fixed by the policy (init --origin) is the only name a checkpoint key may have")
    func originInThePolicy() throws {
        let fixture = try LedgerFixture(create: false)
        #expect(try CLI.run(["init", "--origin", Self.origin, "--ledger", fixture.path]).status == 0)
        #expect(try CLI.run(["init", "--origin", "has space", "--ledger", fixture.file("other.sqlite")]).status == 65)
        let ledger = try Ledger.open(at: fixture.path, clock: fixture.clock)
        _ = try ledger.append([Sample.registration()[0]])
        #expect(ledger.reference.policy?.origin == Self.origin)
        #expect { try ledger.signCheckpoint(with: try SignedNote.Signer.generate(name: "another.example/log")) } throws: { error in
            (error as? LedgerError)?.message.contains("this log's origin is \(Self.origin) (its policy says so)") == true
        }
        #expect(try !ledger.signCheckpoint(with: try SignedNote.Signer.generate(name: Self.origin)).isEmpty)
    }

    @Test("a notice generated under a signed checkpoint names it in its provenance, and notice verify holds the log to it")
    func noticeNamesItsCheckpoint() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        let size = try fixture.ledger.signCheckpoint(with: try SignedNote.Signer.generate(name: Self.origin))
        #expect(!size.isEmpty)
        _ = try fixture.fingerprint()
        let file = fixture.file("roster.md")
        #expect(try CLI.run(["notice", "roster", "--as-of", "2025-11-01", "--out", file, "--ledger", fixture.path]).status == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains(" checkpoint=\(genesis + 4)"), "\(text.suffix(400))")
        #expect(try CLI.run(["notice", "verify", file, "--ledger", fixture.path]).status == 0)
        // An auditor's copy made from the export holds no checkpoints: the notice still verifies there.
        let copy = try LedgerFixture(create: false)
        let export = fixture.file("export.jsonl")
        #expect(try CLI.run(["export", "--out", export, "--ledger", fixture.path]).status == 0)
        #expect(try CLI.run(["init", "--ledger", copy.path]).status == 0)
        #expect(try CLI.run(["import", export, "--ledger", copy.path]).status == 0)
        // … its proof of inclusion carries the signed checkpoint, which the copy's log is held to.
        let verified = try CLI.run(["notice", "verify", file, "--ledger", copy.path])
        #expect(verified.status == 0 && verified.stdout.contains("its 1 proofs of inclusion lead to the log's checkpoint of size \(genesis + 4)"),
                "\(verified.stdout)\(verified.stderr)")
    }
}
