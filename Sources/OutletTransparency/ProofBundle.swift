import Foundation

/// A C2SP tlog-proof: an offline-verifiable proof that an entry is in a log a key signed — the index,
/// the inclusion proof, and the signed checkpoint, in one text. Here `extra` carries the entry itself:
/// the 32 raw bytes of the event's chain hash, the tree's leaf input.
public struct ProofBundle: Sendable, Equatable {
    public static let header = "c2sp.org/tlog-proof@v1"

    public let index: Int
    public let hashes: [[UInt8]]
    /// The checkpoint as a signed note (text, blank line, signatures).
    public let checkpoint: String
    public let extra: [UInt8]?

    public init(index: Int, hashes: [[UInt8]], checkpoint: String, extra: [UInt8]?) {
        self.index = index
        self.hashes = hashes
        self.checkpoint = checkpoint
        self.extra = extra
    }

    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Data(extra).base64EncodedString()) }
        lines.append("index \(index)")
        lines += hashes.map { Data($0).base64EncodedString() }
        return lines.joined(separator: "\n") + "\n\n" + checkpoint
    }

    public init(text: String) throws(SignedNote.KeyError) {
        guard let split = text.range(of: "\n\n") else { throw SignedNote.KeyError(description: "not a tlog-proof (no blank line before the checkpoint)") }
        var lines = text[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.popFirst() == Substring(Self.header) else { throw SignedNote.KeyError(description: "not a tlog-proof (no \(Self.header) line)") }
        var extra: [UInt8]?
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let bytes = Data(base64Encoded: String(line.dropFirst(6))) else { throw SignedNote.KeyError(description: "the extra line is not base64") }
            extra = Array(bytes)
            lines = lines.dropFirst()
        }
        guard let line = lines.popFirst(), line.hasPrefix("index "), let index = Int(line.dropFirst(6)), index >= 0 else {
            throw SignedNote.KeyError(description: "the tlog-proof has no index line")
        }
        var hashes: [[UInt8]] = []
        for line in lines {
            guard let hash = Data(base64Encoded: String(line)), hash.count == MerkleTree.hashSize else {
                throw SignedNote.KeyError(description: "a proof line is not a base64 hash: \(line.prefix(60))")
            }
            hashes.append(Array(hash))
        }
        self.init(index: index, hashes: hashes, checkpoint: String(text[split.upperBound...]), extra: extra)
    }

    /// The checkpoint the bundle is checked against, if `verifier` signed it and the proof leads from the
    /// entry (`leaf`, else the bundle's `extra`) to its root.
    public func check(with verifier: SignedNote.Verifier, leaf: [UInt8]? = nil) throws(SignedNote.KeyError) -> Checkpoint {
        let checkpoint = try Checkpoint(text: try verifier.open(self.checkpoint))
        guard checkpoint.origin == verifier.name else {
            throw SignedNote.KeyError(description: "the checkpoint is of \(checkpoint.origin), the key of \(verifier.name)")
        }
        try checkInclusion(in: checkpoint, leaf: leaf)
        return checkpoint
    }

    /// The checkpoint the proof leads to from the entry, its signatures not checked: for one who holds
    /// the log itself and compares that root with the log's.
    public func unsignedCheckpoint(leaf: [UInt8]? = nil) throws(SignedNote.KeyError) -> Checkpoint {
        let checkpoint = try Checkpoint(text: try SignedNote.split(self.checkpoint).text)
        try checkInclusion(in: checkpoint, leaf: leaf)
        return checkpoint
    }

    private func checkInclusion(in checkpoint: Checkpoint, leaf: [UInt8]?) throws(SignedNote.KeyError) {
        guard let input = leaf ?? extra else { throw SignedNote.KeyError(description: "the bundle names no entry (no extra line) and none was given") }
        guard MerkleProof.verifyInclusion(index: index, size: checkpoint.size, leafHash: MerkleTree.leafHash(input), proof: hashes, root: checkpoint.root) else {
            throw SignedNote.KeyError(description: "the inclusion proof does not lead from entry \(index) to the root of the signed tree of \(checkpoint.size)")
        }
    }

    /// The bundles written out in a text (a notice's appendix): each from its header line through the
    /// signature lines of its checkpoint, with `unescape` (say, of HTML) applied to each.
    public static func embedded(in text: String, unescape: (String) -> String = { $0 }) -> [String] {
        var bundles: [String] = []
        var rest = text[...]
        while let start = rest.range(of: header) {
            var lines: [Substring] = []
            var blanks = 0
            for line in rest[start.lowerBound...].split(separator: "\n", omittingEmptySubsequences: false) {
                if blanks == 2 && !line.hasPrefix("\u{2014} ") { break }
                if line.isEmpty { blanks += 1 }
                lines.append(line)
            }
            bundles.append(unescape(lines.joined(separator: "\n") + "\n"))
            rest = rest[start.upperBound...]
        }
        return bundles
    }
}
