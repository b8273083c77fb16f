import Crypto
import Foundation

/// Ed25519 keys and signed notes as C2SP signed-note has them (the encoding Go's
/// `golang.org/x/mod/sumdb/note` reads): a key is named, identified by a 32-bit hash of its name and
/// public key, and a note is text followed by a blank line and one `— name base64(keyhash ‖ signature)`
/// line per signature.
public enum SignedNote {
    public struct KeyError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The algorithm byte of Ed25519 signatures on notes, and of Ed25519 cosignatures (C2SP tlog-cosignature).
    static let ed25519: UInt8 = 0x01
    static let cosignatureV1: UInt8 = 0x04

    /// A signer: the private key, with its name and key hash. Sendable by hand: swift-crypto 3's keys
    /// are immutable values it has not marked so.
    public struct Signer: @unchecked Sendable {
        public let name: String
        public let keyHash: UInt32
        let key: Curve25519.Signing.PrivateKey

        /// A new key for `name` (a log's origin: printable ASCII, no spaces or `+`).
        public static func generate(name: String) throws(KeyError) -> Signer {
            try checkName(name)
            let key = Curve25519.Signing.PrivateKey()
            return Signer(name: name, keyHash: SignedNote.keyHash(name: name, publicKey: Array(key.publicKey.rawRepresentation)), key: key)
        }

        /// `PRIVATE+KEY+<name>+<hash>+<base64(0x01 ‖ seed)>`.
        public var encoded: String {
            "PRIVATE+KEY+\(name)+\(hex8(keyHash))+" + Data([ed25519] + Array(key.rawRepresentation)).base64EncodedString()
        }

        /// Reads the private key encoding; the key hash must be the one its name and public key give.
        public init(encoded text: String) throws(KeyError) {
            let (name, hash, material) = try SignedNote.parseKey(text, isPrivate: true, algorithm: SignedNote.ed25519)
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: material),
                  SignedNote.keyHash(name: name, publicKey: Array(key.publicKey.rawRepresentation)) == hash
            else { throw KeyError(description: "the private key's hash \(hex8(hash)) is not its name's and key's") }
            self.init(name: name, keyHash: hash, key: key)
        }

        init(name: String, keyHash: UInt32, key: Curve25519.Signing.PrivateKey) {
            self.name = name
            self.keyHash = keyHash
            self.key = key
        }

        /// The verifier key anyone checks notes with: `<name>+<hash>+<base64(0x01 ‖ public key)>`.
        public var verifier: Verifier {
            Verifier(name: name, keyHash: keyHash, key: key.publicKey)
        }

        /// The signed note of `text` (which ends with a newline).
        public func sign(_ text: String) throws(KeyError) -> String {
            guard text.hasSuffix("\n"), !text.contains("\n\n") else { throw KeyError(description: "a note's text ends with one newline and has no blank line") }
            guard let signature = try? key.signature(for: Data(text.utf8)) else { throw KeyError(description: "signing failed") }
            return text + "\n" + SignedNote.line(name: name, keyHash: keyHash, signature: Array(signature))
        }
    }

    /// A verifier key.
    public struct Verifier: @unchecked Sendable {
        public let name: String
        public let keyHash: UInt32
        let key: Curve25519.Signing.PublicKey

        public var encoded: String {
            "\(name)+\(hex8(keyHash))+" + Data([ed25519] + Array(key.rawRepresentation)).base64EncodedString()
        }

        public init(encoded text: String) throws(KeyError) {
            let (name, hash, material) = try SignedNote.parseKey(text, isPrivate: false, algorithm: SignedNote.ed25519)
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: material),
                  SignedNote.keyHash(name: name, publicKey: material) == hash
            else { throw KeyError(description: "the verifier key's hash \(hex8(hash)) is not its name's and key's") }
            self.init(name: name, keyHash: hash, key: key)
        }

        init(name: String, keyHash: UInt32, key: Curve25519.Signing.PublicKey) {
            self.name = name
            self.keyHash = keyHash
            self.key = key
        }

        /// The note's text if it carries a valid signature by this key; else why not.
        public func open(_ note: String) throws(KeyError) -> String {
            let (text, signatures) = try SignedNote.split(note)
            let lines = signatures.split(separator: "\n")
            for line in lines {
                guard line.hasPrefix("— ") else { throw KeyError(description: "a signature line does not begin with \"— \"") }
                let fields = line.dropFirst(2).split(separator: " ")
                guard fields.count == 2, fields[0] == name, let raw = Data(base64Encoded: String(fields[1])), raw.count == 68 else { continue }
                let bytes = Array(raw)
                guard bigEndian(bytes.prefix(4)) as UInt32 == keyHash else { continue }
                guard key.isValidSignature(Data(bytes.dropFirst(4)), for: Data(text.utf8)) else {
                    throw KeyError(description: "the signature by \(name) does not verify: the note was changed")
                }
                return text
            }
            throw KeyError(description: "the note carries no signature by \(name)+\(hex8(keyHash))")
        }
    }

    /// A note's text (what its signatures sign, ending with a newline) and its signature lines, split at
    /// the last blank line as Go's `note.Open` does: the text itself has none.
    public static func split(_ note: String) throws(KeyError) -> (text: String, signatures: Substring) {
        guard let blank = note.range(of: "\n\n", options: .backwards) else {
            throw KeyError(description: "not a signed note (no blank line before the signatures)")
        }
        return (String(note[..<blank.lowerBound]) + "\n", note[blank.upperBound...])
    }

    /// `[PRIVATE+KEY+]<name>+<8 hex digits>+<base64(algorithm ‖ 32 bytes)>`: the name, the key hash and the
    /// key material. The key data is base64, which may itself hold "+": only the fields before it are split off.
    static func parseKey(_ text: String, isPrivate: Bool, algorithm: UInt8) throws(KeyError) -> (name: String, hash: UInt32, material: [UInt8]) {
        var parts = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "+", maxSplits: isPrivate ? 4 : 2, omittingEmptySubsequences: false)[...]
        let kind = isPrivate ? "private key (PRIVATE+KEY+name+hash+base64)" : "verifier key (name+hash+base64)"
        if isPrivate {
            guard parts.count == 5, parts.popFirst() == "PRIVATE", parts.popFirst() == "KEY" else {
                throw KeyError(description: "not a signed-note \(kind)")
            }
        }
        guard parts.count == 3, let hash = UInt32(parts[parts.startIndex + 1], radix: 16), parts[parts.startIndex + 1].count == 8,
              let raw = Data(base64Encoded: String(parts[parts.startIndex + 2])), raw.count == 33
        else { throw KeyError(description: "not a signed-note \(kind)") }
        guard raw.first == algorithm else {
            throw KeyError(description: "the key is of algorithm \(raw.first ?? 0), not \(algorithm) (\(algorithm == cosignatureV1 ? "a witness's cosignature/v1" : "Ed25519 notes"))")
        }
        let name = String(parts[parts.startIndex])
        try checkName(name)
        return (name, hash, Array(raw.dropFirst()))
    }

    /// The first four bytes of SHA-256(name ‖ "\n" ‖ algorithm ‖ public key), big-endian.
    static func keyHash(name: String, publicKey: [UInt8], algorithm: UInt8 = ed25519) -> UInt32 {
        let digest = Array(SHA256.hash(data: Array(name.utf8) + [0x0A, algorithm] + publicKey))
        return bigEndian(digest.prefix(4))
    }

    /// `— name base64(key hash ‖ signature)` (a cosignature's signature begins with its time).
    static func line(name: String, keyHash: UInt32, signature: [UInt8]) -> String {
        "— \(name) " + Data(bigEndianBytes(keyHash) + signature).base64EncodedString() + "\n"
    }

    static func checkName(_ name: String) throws(KeyError) {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "+" }) else {
            throw KeyError(description: "a key name (the log's origin) is printable ASCII without spaces or \"+\", not \"\(name)\"")
        }
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}

/// A C2SP tlog-checkpoint: the log's origin, its size and root hash, as the text of a signed note.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: Int
    public let root: [UInt8]

    public init(origin: String, size: Int, root: [UInt8]) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// `<origin>\n<size>\n<base64 root>\n`.
    public var text: String {
        "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n"
    }

    public init(text: String) throws(SignedNote.KeyError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, let size = Int(lines[1]), size >= 0, String(size) == lines[1],
              let root = Data(base64Encoded: String(lines[2])), root.count == MerkleTree.hashSize, !lines[0].isEmpty
        else { throw SignedNote.KeyError(description: "not a checkpoint (origin, size, base64 root hash)") }
        self.init(origin: String(lines[0]), size: size, root: Array(root))
    }
}

/// A key hash's or a timestamp's bytes in a signature line: big-endian.
func bigEndianBytes<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
    (0..<Value.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> (Value.bitWidth - 8 - 8 * $0)) }
}

/// The integer big-endian `bytes` spell.
func bigEndian<Value: FixedWidthInteger>(_ bytes: some Sequence<UInt8>) -> Value {
    bytes.reduce(Value.zero) { $0 << 8 | Value($1) }
}
