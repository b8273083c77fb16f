import ArgumentParser
import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import OutletTransparency

struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Merkle proofs over the log (RFC 9162 §2.1): that an event is in it, that an older log is a prefix of a newer one.",
        subcommands: [InclusionProofCommand.self, ConsistencyProofCommand.self, BundleProofCommand.self, CheckProofCommand.self])
}

enum ProofText {
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

struct InclusionProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inclusion", abstract: "The proof that event N is leaf N−1 of the tree of the first M events.")
    @OptionGroup var options: LedgerOptions
    @Option(parsing: .unconditional, help: "The event's seq.") var seq: Int64
    @Option(parsing: .unconditional, help: "The tree size (default: the whole log).") var size: Int64?
    @Flag(help: "Print {leafIndex, treeSize, leafHash, hashes} as JSON (hashes in base64).") var json = false

    func run() throws {
        let proof = try options.open(readonly: true).inclusionProof(seq: seq, size: size)
        if json {
            print(JSONValue.object([
                "leafIndex": .integer(Int64(proof.leafIndex)), "treeSize": .integer(Int64(proof.treeSize)),
                "leafHash": .string(ProofText.base64(proof.leafHash)), "hashes": .array(proof.hashes.map { .string(ProofText.base64($0)) }),
            ]).canonicalString)
            return
        }
        print("event \(seq) is leaf \(proof.leafIndex) of the tree of \(proof.treeSize) events, root \(ProofText.base64(proof.root))")
        print("leaf hash \(ProofText.base64(proof.leafHash))")
        for hash in proof.hashes { print(ProofText.base64(hash)) }
    }
}

struct ConsistencyProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "The proof that the log of A events is a prefix of the log of B events.")
    @OptionGroup var options: LedgerOptions
    @Option(parsing: .unconditional, help: "The older tree size.") var from: Int64
    @Option(parsing: .unconditional, help: "The newer tree size (default: the whole log).") var to: Int64?
    @Flag(help: "Print {from, to, hashes} as JSON (hashes in base64).") var json = false

    func run() throws {
        let proof = try options.open(readonly: true).consistencyProof(from: from, to: to)
        if json {
            print(JSONValue.object([
                "from": .integer(Int64(proof.from)), "to": .integer(Int64(proof.to)),
                "hashes": .array(proof.hashes.map { .string(ProofText.base64($0)) }),
            ]).canonicalString)
            return
        }
        print("the tree of \(proof.from) events (root \(ProofText.base64(proof.fromRoot))) is a prefix of the tree of \(proof.to) (root \(ProofText.base64(proof.toRoot)))")
        for hash in proof.hashes { print(ProofText.base64(hash)) }
    }
}

struct BundleProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write the offline proof (C2SP tlog-proof) that event N is in the log a stored checkpoint was signed for.")
    @OptionGroup var options: LedgerOptions
    @Option(parsing: .unconditional, help: "The event's seq.") var seq: Int64
    @Option(help: "The file to write (.tlog-proof).") var out: String

    func run() throws {
        let bundle = try options.open(readonly: true).proofBundle(seq: seq)
        var output = try Output(path: out)
        output.write(Array(bundle.text.utf8))
        output.flush()
        print("wrote \(out): event \(seq), its inclusion proof and the signed checkpoint it leads to")
    }
}

struct CheckProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check an offline proof against a verifier key, with no ledger: exit 68 if it does not hold.")
    @Argument(help: "The .tlog-proof file.") var file: String
    @Option(help: "The log's verifier key (name+keyid+base64), as the bureau publishes it.") var vkey: String

    func run() throws {
        let text = String(decoding: try InputFile.read(file), as: UTF8.self)
        do {
            let verifier = try SignedNote.Verifier(encoded: vkey)
            let bundle = try ProofBundle(text: text)
            let checkpoint = try bundle.check(with: verifier)
            let hash = bundle.extra.map { $0.map { String(format: "%02x", $0) }.joined() } ?? ""
            print("ok: event \(bundle.index + 1) (chain hash \(hash)) is in the log of \(checkpoint.size) events that \(checkpoint.origin) signed")
        } catch {
            throw LedgerError(.integrityFailure, "\(file): \(error)")
        }
    }
}
