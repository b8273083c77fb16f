import Crypto
import Foundation

/// A witness: an independent party (a district bureau, an outside auditor) that cosigns a log's
/// checkpoints (C2SP tlog-cosignature v1, Ed25519) only when each is consistent with the largest it has
/// cosigned before — so the operator cannot show two histories to two audiences. Sendable by hand, as
/// `SignedNote.Signer` is.
public struct Witness: @unchecked Sendable {
    public let name: String
    public let keyHash: UInt32
    let key: Curve25519.Signing.PrivateKey

    public static func generate(name: String) throws(SignedNote.KeyError) -> Witness {
        try SignedNote.checkName(name)
        let key = Curve25519.Signing.PrivateKey()
        return Witness(name: name, key: key)
    }

    init(name: String, key: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.key = key
        self.keyHash = SignedNote.keyHash(name: name, publicKey: Array(key.publicKey.rawRepresentation), algorithm: SignedNote.cosignatureV1)
    }

    /// `PRIVATE+KEY+<name>+<hash>+<base64(0x04 ‖ seed)>`.
    public var encoded: String {
        "PRIVATE+KEY+\(name)+\(hex8(keyHash))+" + Data([SignedNote.cosignatureV1] + Array(key.rawRepresentation)).base64EncodedString()
    }

    public init(encoded text: String) throws(SignedNote.KeyError) {
        let (name, hash, material) = try SignedNote.parseKey(text, isPrivate: true, algorithm: SignedNote.cosignatureV1)
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: material) else {
            throw SignedNote.KeyError(description: "not a witness (cosignature/v1) private key")
        }
        self.init(name: name, key: key)
        guard keyHash == hash else { throw SignedNote.KeyError(description: "the witness key's hash \(hex8(hash)) is not its name's and key's") }
    }

    /// The witness's verifier key: `<name>+<hash>+<base64(0x04 ‖ public key)>`.
    public var verifierKey: String {
        "\(name)+\(hex8(keyHash))+" + Data([SignedNote.cosignatureV1] + Array(key.publicKey.rawRepresentation)).base64EncodedString()
    }

    /// The message a cosignature signs: `cosignature/v1`, `time T`, then the checkpoint's whole note body.
    static func message(checkpointText: String, time: UInt64) -> Data {
        Data("cosignature/v1\ntime \(time)\n\(checkpointText)".utf8)
    }

    /// `note` (a checkpoint signed by the log) with this witness's cosignature line added.
    public func cosign(note: String, checkpointText: String, time: UInt64) throws(SignedNote.KeyError) -> String {
        note + (try cosignature(checkpointText: checkpointText, time: time))
    }

    /// This witness's cosignature line on a checkpoint (its note's text), at `time` (seconds since 1970).
    public func cosignature(checkpointText: String, time: UInt64) throws(SignedNote.KeyError) -> String {
        guard let signature = try? key.signature(for: Self.message(checkpointText: checkpointText, time: time)) else {
            throw SignedNote.KeyError(description: "cosigning failed")
        }
        return SignedNote.line(name: name, keyHash: keyHash, signature: bigEndianBytes(time) + Array(signature))
    }

    /// The name of the witness whose verifier key `vkey` is, if it reads as one.
    public static func name(ofVerifierKey vkey: String) throws(SignedNote.KeyError) -> String {
        try verifier(vkey).name
    }

    private static func verifier(_ vkey: String) throws(SignedNote.KeyError) -> (name: String, hash: UInt32, key: Curve25519.Signing.PublicKey) {
        let (name, hash, material) = try SignedNote.parseKey(vkey, isPrivate: false, algorithm: SignedNote.cosignatureV1)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: material),
              SignedNote.keyHash(name: name, publicKey: material, algorithm: SignedNote.cosignatureV1) == hash
        else { throw SignedNote.KeyError(description: "the witness verifier key's hash \(hex8(hash)) is not its name's and key's") }
        return (name, hash, key)
    }

    /// The time of a valid cosignature by the witness with verifier key `vkey` on `note`, or why there is none.
    public static func cosignatureTime(in note: String, vkey: String) throws(SignedNote.KeyError) -> UInt64 {
        let (name, hash, key) = try verifier(vkey)
        let (text, signatures) = try SignedNote.split(note)
        for line in signatures.split(separator: "\n") where line.hasPrefix("— \(name) ") {
            guard let blob = Data(base64Encoded: String(line.split(separator: " ").last ?? "")), blob.count == 76 else { continue }
            let bytes = Array(blob)
            guard bigEndian(bytes.prefix(4)) as UInt32 == hash else { continue }
            let time: UInt64 = bigEndian(bytes[4..<12])
            guard key.isValidSignature(Data(bytes[12...]), for: message(checkpointText: text, time: time)) else {
                throw SignedNote.KeyError(description: "the cosignature by \(name) does not verify")
            }
            return time
        }
        throw SignedNote.KeyError(description: "the note carries no cosignature by \(name)")
    }
}

extension Witness {
    /// Why a witness does not cosign: each case is one of C2SP tlog-witness's answers.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// 400: the request does not read, or its old size is larger than the checkpoint's.
        case malformed(String)
        /// 404: the witness follows no log of this origin.
        case unknownLog(String)
        /// 403: no signature by a key the witness trusts for the origin.
        case notSignedByLog(String)
        /// 409 (body: the size, `text/x.tlog.size`): the old size is not the size the witness last cosigned.
        case oldSizeMismatch(latest: Int)
        /// 409: another root for the size already cosigned — the log shows two histories.
        case conflictingRoot(size: Int)
        /// 422: the consistency proof does not lead from the cosigned tree to this one.
        case inconsistent(from: Int, to: Int)
        /// A checkpoint smaller than the one cosigned: a rewound log (409 over HTTP).
        case rewound(size: Int, latest: Int)
        /// A larger checkpoint offered without a consistency proof (the command line's `--proof`).
        case proofNeeded(from: Int, to: Int)

        public var description: String {
            switch self {
            case .malformed(let why): "malformed add-checkpoint request: \(why)"
            case .unknownLog(let origin): "this witness follows no log of origin \(origin)"
            case .notSignedByLog(let why): "the checkpoint is not signed by the log's key: \(why)"
            case .oldSizeMismatch(let latest): "the witness last cosigned size \(latest): a consistency proof from size \(latest) is needed"
            case .conflictingRoot(let size): "another root for size \(size) than the one already cosigned: the log shows two histories"
            case .inconsistent(let from, let to): "the checkpoint of size \(to) is not consistent with the \(from) already cosigned"
            case .rewound(let size, let latest): "the checkpoint of size \(size) is smaller than the \(latest) already cosigned: a rewound log"
            case .proofNeeded(let from, let to):
                "a consistency proof from size \(from) to \(to) is needed (outlet-ledger proof consistency --from \(from) --to \(to) --json)"
            }
        }
    }

    /// Whether a witness that last cosigned `previous` of this log may cosign `checkpoint`: no smaller, the
    /// same root at the same size, and a larger one only with a consistency proof from the previous.
    public static func mayCosign(_ checkpoint: Checkpoint, after previous: Checkpoint?, proof: [[UInt8]]?) throws(Refusal) {
        guard let previous else { return }
        guard checkpoint.origin == previous.origin else { throw .unknownLog(checkpoint.origin) }
        guard checkpoint.size >= previous.size else { throw .rewound(size: checkpoint.size, latest: previous.size) }
        if checkpoint.size == previous.size {
            guard checkpoint.root == previous.root else { throw .conflictingRoot(size: checkpoint.size) }
            return
        }
        guard let proof else { throw .proofNeeded(from: previous.size, to: checkpoint.size) }
        guard MerkleProof.verifyConsistency(from: previous.size, to: checkpoint.size, fromRoot: previous.root, toRoot: checkpoint.root, proof: proof) else {
            throw .inconsistent(from: previous.size, to: checkpoint.size)
        }
    }

    /// C2SP tlog-witness add-checkpoint as this witness decides it, given the checkpoint it last cosigned
    /// for the request's origin: the cosignature line to answer with, and the checkpoint to record — which
    /// the caller persists, atomically with reading `latest`, before it answers.
    public func add(_ request: AddCheckpoint, logKeys: [SignedNote.Verifier], latest: Checkpoint?, time: UInt64) throws(Refusal) -> (cosignature: String, record: Checkpoint) {
        let body: String
        let offered: Checkpoint
        do {
            body = try SignedNote.split(request.note).text
            offered = try Checkpoint(text: body)
        } catch {
            throw .malformed("the checkpoint does not read: \(error)")
        }
        let keys = logKeys.filter { $0.name == offered.origin }
        guard !keys.isEmpty else { throw .unknownLog(offered.origin) }
        var why = ""
        guard keys.contains(where: { key in
            do throws(SignedNote.KeyError) { return try key.open(request.note) == body } catch { why = error.description; return false }
        }) else { throw .notSignedByLog(why) }
        guard request.oldSize <= offered.size else { throw .malformed("old size \(request.oldSize) is larger than the checkpoint's \(offered.size)") }
        guard request.oldSize == latest?.size ?? 0 else { throw .oldSizeMismatch(latest: latest?.size ?? 0) }
        if latest == nil {
            guard request.proof.isEmpty else { throw .malformed("a consistency proof from size 0 must be empty") }
        } else {
            try Self.mayCosign(offered, after: latest, proof: request.proof)
        }
        do {
            return (try cosignature(checkpointText: body, time: time), offered)
        } catch {
            throw .malformed("\(error)")
        }
    }
}

/// The body of a C2SP tlog-witness add-checkpoint request: `old N`, the consistency proof (base64 lines),
/// a blank line, the signed checkpoint.
public struct AddCheckpoint: Sendable, Equatable {
    public let oldSize: Int
    public let proof: [[UInt8]]
    public let note: String

    public init(oldSize: Int, proof: [[UInt8]], note: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    public var body: String {
        (["old \(oldSize)"] + proof.map { Data($0).base64EncodedString() }).joined(separator: "\n") + "\n\n" + note
    }

    public init(body: String) throws(Witness.Refusal) {
        guard let blank = body.range(of: "\n\n") else { throw .malformed("no blank line before the checkpoint") }
        var lines = body[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix("old "), let old = Int(first.dropFirst(4)), old >= 0, String(old) == first.dropFirst(4) else {
            throw .malformed("the first line is not \"old <size>\" (a decimal without leading zeros)")
        }
        guard lines.count <= 63 else { throw .malformed("more than 63 consistency proof lines") }
        var proof: [[UInt8]] = []
        for line in lines {
            guard let hash = Data(base64Encoded: String(line)), hash.count == MerkleTree.hashSize else {
                throw .malformed("a consistency proof line is not a base64 hash: \(line.prefix(60))")
            }
            proof.append(Array(hash))
        }
        self.init(oldSize: old, proof: proof, note: String(body[blank.upperBound...]))
    }
}
