import Crypto
import Foundation

/// A witness: an independent party (a district bureau, an outside auditor) that cosigns a log's
/// checkpoints (C2SP tlog-cosignature v1, Ed25519) only when each is consistent with the largest it has
/// cosigned before — so the operator cannot show two histories to two audiences.
public struct Witness {
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
        guard let signature = try? key.signature(for: Self.message(checkpointText: checkpointText, time: time)) else {
            throw SignedNote.KeyError(description: "cosigning failed")
        }
        return note + SignedNote.line(name: name, keyHash: keyHash, signature: bigEndianBytes(time) + Array(signature))
    }

    /// The time of a valid cosignature by the witness with verifier key `vkey` on `note`, or why there is none.
    public static func cosignatureTime(in note: String, vkey: String) throws(SignedNote.KeyError) -> UInt64 {
        let (name, hash, material) = try SignedNote.parseKey(vkey, isPrivate: false, algorithm: SignedNote.cosignatureV1)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: material),
              SignedNote.keyHash(name: name, publicKey: material, algorithm: SignedNote.cosignatureV1) == hash
        else { throw SignedNote.KeyError(description: "the witness verifier key's hash \(hex8(hash)) is not its name's and key's") }
        guard let split = note.range(of: "\n\n", options: .backwards) else { throw SignedNote.KeyError(description: "not a signed note") }
        let text = String(note[..<split.lowerBound]) + "\n"
        for line in note[split.upperBound...].split(separator: "\n") where line.hasPrefix("— \(name) ") {
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
    /// Whether a witness that last cosigned `previous` of this log may cosign `checkpoint`: no smaller, the
    /// same root at the same size, and a larger one only with a consistency proof from the previous.
    public static func mayCosign(_ checkpoint: Checkpoint, after previous: Checkpoint?, proof: [[UInt8]]?) throws(SignedNote.KeyError) {
        guard let previous else { return }
        guard checkpoint.origin == previous.origin else { throw SignedNote.KeyError(description: "another log's checkpoint") }
        if checkpoint.size < previous.size {
            throw SignedNote.KeyError(description: "the checkpoint of size \(checkpoint.size) is smaller than the \(previous.size) already cosigned: a rewound log")
        }
        if checkpoint.size == previous.size {
            guard checkpoint.root == previous.root else {
                throw SignedNote.KeyError(description: "another root for size \(checkpoint.size) than the one already cosigned: the log shows two histories")
            }
            return
        }
        guard let proof else {
            throw SignedNote.KeyError(description: "a consistency proof from size \(previous.size) to \(checkpoint.size) is needed (outlet-ledger proof consistency --from \(previous.size) --to \(checkpoint.size) --json)")
        }
        guard MerkleProof.verifyConsistency(from: previous.size, to: checkpoint.size, fromRoot: previous.root, toRoot: checkpoint.root, proof: proof) else {
            throw SignedNote.KeyError(description: "the checkpoint of size \(checkpoint.size) is not consistent with the \(previous.size) already cosigned")
        }
    }
}
