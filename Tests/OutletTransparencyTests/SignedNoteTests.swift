import Foundation
@testable import OutletTransparency
import Testing

@Suite("Signed notes and checkpoints as C2SP signed-note and tlog-checkpoint have them")
struct SignedNoteTests {
    /// The example of Go's golang.org/x/mod/sumdb/note (ExampleSign, ExampleOpen): code we did not write.
    static let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let note = text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test("Go's example key signs Go's example text into Go's example note, byte for byte; its verifier key is Go's")
    func goExample() throws {
        let signer = try SignedNote.Signer(encoded: Self.skey)
        #expect(try signer.sign(Self.text) == Self.note)
        #expect(signer.verifier.encoded == Self.vkey)
        #expect(signer.encoded == Self.skey)
        #expect(try SignedNote.Verifier(encoded: Self.vkey).open(Self.note) == Self.text)
    }

    @Test("a changed text, a changed signature or another key's verifier is refused")
    func tampering() throws {
        let verifier = try SignedNote.Verifier(encoded: Self.vkey)
        #expect(throws: SignedNote.KeyError.self) { try verifier.open(Self.note.replacingOccurrences(of: "answer", with: "Answer")) }
        #expect(throws: SignedNote.KeyError.self) { try verifier.open(Self.note.replacingOccurrences(of: "x08go", with: "x08gp")) }
        let other = try SignedNote.Signer.generate(name: "PeterNeumann").verifier
        #expect(throws: SignedNote.KeyError.self) { try other.open(Self.note) }
        #expect(throws: SignedNote.KeyError.self) { try SignedNote.Verifier(encoded: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
    }

    @Test("a checkpoint is origin, size and base64 root, one per line; it reads back")
    func checkpoint() throws {
        var tree = MerkleTree()
        for byte in 0..<5 as Range<UInt8> { tree.append(input: [byte]) }
        let checkpoint = Checkpoint(origin: "outlets.shenyang.example/registry", size: 5, root: tree.root())
        #expect(checkpoint.text == "outlets.shenyang.example/registry\n5\n\(Data(tree.root()).base64EncodedString())\n")
        #expect(try Checkpoint(text: checkpoint.text) == checkpoint)
        let signer = try SignedNote.Signer.generate(name: checkpoint.origin)
        let note = try signer.sign(checkpoint.text)
        #expect(try Checkpoint(text: try signer.verifier.open(note)) == checkpoint)
    }
}
