import Foundation
import OutletCore
import OutletTransparency

/// A proof that event `seq` is in the log of `treeSize` events: RFC 9162's inclusion proof over the
/// events' chain hashes.
public struct InclusionProof: Sendable {
    public let leafIndex: Int
    public let treeSize: Int
    /// The leaf input: the 32 raw bytes of the event's chain hash.
    public let entry: [UInt8]
    public let leafHash: [UInt8]
    public let hashes: [[UInt8]]
    /// The root the proof leads to (not part of the proof: the checkpoint signs it).
    public let root: [UInt8]
}

/// A proof that the log of `from` events is a prefix of the log of `to` events.
public struct ConsistencyProof: Sendable {
    public let from: Int
    public let to: Int
    public let hashes: [[UInt8]]
    public let fromRoot: [UInt8]
    public let toRoot: [UInt8]
}

extension Ledger {
    /// The Merkle tree of the whole log: kept by this process, extended by leaves appended since (its
    /// own appends or other writers'), built from the events' hashes the first time. Derived data.
    public func merkleTree() throws(LedgerError) -> MerkleTree {
        let head = try store.head()
        var tree = merkle.withLock { $0 } ?? MerkleTree()
        guard tree.size < head.seq else { return tree }
        try store.forEachHash(fromSeq: Int64(tree.size) + 1, toSeq: head.seq) { hash throws(LedgerError) in
            guard let raw = HashChain.bytes(ofHex: hash) else {
                let seq = Int64(tree.size) + 1
                throw LedgerError(.integrityFailure, "seq \(seq): hash \(hash) is not 64 hex digits", seq: seq)
            }
            tree.append(input: raw)
        }
        let grown = tree
        merkle.withLock { kept in if (kept?.size ?? -1) < grown.size { kept = grown } }
        return tree
    }

    /// The inclusion proof of event `seq` in the log of `size` events (default: the whole log).
    public func inclusionProof(seq: Int64, size: Int64? = nil) throws(LedgerError) -> InclusionProof {
        try inclusionProof(seq: seq, size: size, in: try merkleTree())
    }

    /// The same in a tree the caller holds (one read of the log's head for many proofs).
    func inclusionProof(seq: Int64, size: Int64?, in tree: MerkleTree) throws(LedgerError) -> InclusionProof {
        let treeSize = Int(size ?? Int64(tree.size))
        guard treeSize >= 1, treeSize <= tree.size else {
            throw LedgerError(.invalidInput, "--size \(treeSize) is outside the log (1 to \(tree.size))")
        }
        guard seq >= 1, seq <= Int64(treeSize) else {
            throw LedgerError(.invalidInput, "--seq \(seq) is not in a log of \(treeSize) events")
        }
        let envelope = try store.events(fromSeq: seq, toSeq: seq)[0]
        let entry = HashChain.bytes(ofHex: envelope.hash) ?? []
        return InclusionProof(leafIndex: Int(seq - 1), treeSize: treeSize, entry: entry, leafHash: MerkleTree.leafHash(entry),
                              hashes: tree.inclusionProof(index: Int(seq - 1), size: treeSize), root: tree.root(size: treeSize))
    }

    /// The consistency proof from the log of `from` events to the log of `to` (default: the whole log).
    public func consistencyProof(from: Int64, to: Int64? = nil) throws(LedgerError) -> ConsistencyProof {
        let tree = try merkleTree()
        let to = Int(to ?? Int64(tree.size))
        guard from >= 1, Int(from) <= to, to <= tree.size else {
            throw LedgerError(.invalidInput, "--from \(from) --to \(to) must satisfy 1 ≤ from ≤ to ≤ \(tree.size), the log's size")
        }
        return ConsistencyProof(from: Int(from), to: to, hashes: tree.consistencyProof(from: Int(from), to: to),
                                fromRoot: tree.root(size: Int(from)), toRoot: tree.root(size: to))
    }
}

extension Ledger {
    /// Signs a C2SP tlog-checkpoint of the whole log with `signer` (whose name is the log's origin) and
    /// stores it. Refused unless it is consistent with the newest stored checkpoint: same origin, no
    /// smaller, and that checkpoint's root still the root of the log's first events — a log rewritten or
    /// rewound since is an integrity failure, not a new checkpoint.
    public func signCheckpoint(with signer: SignedNote.Signer) throws(LedgerError) -> String {
        let signed = try prepareCheckpoint(with: signer)
        return signed.stored ? signed.note : try publishCheckpoint(signed.note)
    }

    /// A checkpoint of the whole log signed by `signer`, not stored yet (witnesses cosign it first), with
    /// the size of the newest stored one; `stored` if the log has not grown since it (its note returned).
    public func prepareCheckpoint(with signer: SignedNote.Signer) throws(LedgerError) -> (note: String, previousSize: Int, stored: Bool) {
        let tree = try merkleTree()
        guard tree.size > 0 else { throw LedgerError(.invalidInput, "the log is empty: there is nothing to sign") }
        if let origin = policy.origin, origin != signer.name {
            throw LedgerError(.invalidInput, "this log's origin is \(origin) (its policy says so); the key is for \(signer.name)")
        }
        let previous = try newestCheckpoint(consistentWith: tree)
        if let previous {
            guard previous.checkpoint.origin == signer.name else {
                throw LedgerError(.invalidInput, "this log's origin is \(previous.checkpoint.origin) (its checkpoints say so); the key is for \(signer.name)")
            }
            if previous.checkpoint.size == tree.size { return (previous.note, tree.size, true) }
        }
        do {
            return (try signer.sign(Checkpoint(origin: signer.name, size: tree.size, root: tree.root()).text), previous?.checkpoint.size ?? 0, false)
        } catch {
            throw LedgerError(.invalidInput, "\(error)")
        }
    }

    /// Stores a signed checkpoint (with any cosignatures collected for it): it must be the log's — its root
    /// the root of the log's first events — and no smaller than, and consistent with, the newest stored.
    public func publishCheckpoint(_ note: String) throws(LedgerError) -> String {
        let checkpoint = try Self.checkpoint(ofNote: note)
        let tree = try merkleTree()
        guard checkpoint.size >= 1, checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.root else {
            throw LedgerError(.integrityFailure, "the checkpoint of size \(checkpoint.size) is not of this log")
        }
        if let previous = try newestCheckpoint(consistentWith: tree) {
            guard previous.checkpoint.origin == checkpoint.origin, previous.checkpoint.size < checkpoint.size else {
                throw LedgerError(.conflict, "a checkpoint of size \(previous.checkpoint.size) was stored meanwhile; sign again")
            }
        }
        try store.saveCheckpoint(size: Int64(checkpoint.size), note: note)
        return note
    }

    /// The newest stored checkpoint, which the log must still extend.
    private func newestCheckpoint(consistentWith tree: MerkleTree) throws(LedgerError) -> (note: String, checkpoint: Checkpoint)? {
        guard let previous = try store.checkpoints().last else { return nil }
        let checkpoint = try Self.checkpoint(ofNote: previous.note)
        guard checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.root else {
            throw LedgerError(.integrityFailure, "the log is not consistent with its checkpoint of size \(checkpoint.size): it was rewritten or rewound since",
                              seq: Int64(min(checkpoint.size, tree.size)))
        }
        return (previous.note, checkpoint)
    }

    /// The tree sizes of the stored checkpoints, smallest first.
    public func checkpointSizes() throws(LedgerError) -> [Int64] {
        try store.checkpoints().map(\.size)
    }

    /// The stored signed checkpoint of `size` (default: the newest).
    public func checkpoint(size: Int64? = nil) throws(LedgerError) -> String {
        let stored = try store.checkpoints()
        guard let found = size.map({ size in stored.first { $0.size == size } }) ?? stored.last else {
            let sizes = stored.map { String($0.size) }
            throw LedgerError(.invalidInput, size.map { "no checkpoint of size \($0) (there are: \(sizes.isEmpty ? "none" : sizes.joined(separator: ", ")))" }
                ?? "no checkpoint has been signed yet (outlet-ledger checkpoint sign --key FILE)")
        }
        return found.note
    }

    /// The checkpoint a stored note carries (its text, before the signatures).
    public static func checkpoint(ofNote note: String) throws(LedgerError) -> Checkpoint {
        do {
            return try Checkpoint(text: try SignedNote.split(note).text)
        } catch {
            throw LedgerError(.integrityFailure, "a stored checkpoint does not read: \(error)")
        }
    }

    /// Every stored checkpoint against the tree the log gives now: `verify`'s part of it.
    func checkCheckpoints() throws(LedgerError) -> Int {
        let stored = try store.checkpoints()
        guard !stored.isEmpty else { return 0 }
        let tree = try merkleTree()
        for (size, note) in stored {
            let checkpoint = try Self.checkpoint(ofNote: note)
            guard checkpoint.size == Int(size), checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.root else {
                let seq = min(size, Int64(tree.size))
                throw LedgerError(.integrityFailure,
                    "seq \(seq): the checkpoint of size \(size) does not match the log: its root is not the root of the first \(size) events (rewritten, rewound or damaged)",
                    seq: seq)
            }
        }
        return stored.count
    }
}

extension Ledger {
    /// The offline proof that event `seq` is in the log the oldest checkpoint covering it was signed for.
    public func proofBundle(seq: Int64) throws(LedgerError) -> ProofBundle {
        let stored = try store.checkpoints()
        guard let (size, note) = stored.first(where: { $0.size >= seq }) else {
            throw LedgerError(.invalidInput, "no signed checkpoint covers seq \(seq) yet (outlet-ledger checkpoint sign --key FILE)")
        }
        return try proofBundle(seq: seq, checkpoint: note, size: size)
    }

    /// The offline proof that event `seq` is in the log of `size` events that the signed `note` is for
    /// (computed in `tree` when the caller holds it).
    func proofBundle(seq: Int64, checkpoint note: String, size: Int64, in tree: MerkleTree? = nil) throws(LedgerError) -> ProofBundle {
        let proof = try inclusionProof(seq: seq, size: size, in: try tree.or { () throws(LedgerError) in try merkleTree() })
        return ProofBundle(index: proof.leafIndex, hashes: proof.hashes, checkpoint: note, extra: proof.entry)
    }
}

extension Ledger {
    /// The signed log as C2SP tlog-tiles files (`checkpoint`, `tile/…`, `tile/entries/…`) for the stored
    /// checkpoint of `size` (default: the newest): what any web server can publish for clients to check.
    public func tiles(size: Int64? = nil) throws(LedgerError) -> [(path: String, bytes: [UInt8])] {
        let note = try checkpoint(size: size)
        let checkpoint = try Self.checkpoint(ofNote: note)
        let tree = try merkleTree()
        guard checkpoint.size <= tree.size, tree.root(size: checkpoint.size) == checkpoint.root else {
            throw LedgerError(.integrityFailure, "the log is not the one the checkpoint of size \(checkpoint.size) was signed for")
        }
        var inputs: [[UInt8]] = []
        inputs.reserveCapacity(checkpoint.size)
        try store.forEachHash(fromSeq: 1, toSeq: Int64(checkpoint.size)) { hash throws(LedgerError) in inputs.append(HashChain.bytes(ofHex: hash) ?? []) }
        return [("checkpoint", Array(note.utf8))] + Tiles.files(of: tree, size: checkpoint.size, inputs: inputs)
    }
}
