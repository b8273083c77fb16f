/// The position of the newest event: what a reader, an export or a notice is "as of".
public struct LedgerHead: Sendable, Hashable {
    public let seq: Int64
    public let hash: String
    public let recordedAt: String?

    public init(seq: Int64, hash: String, recordedAt: String?) {
        self.seq = seq
        self.hash = hash
        self.recordedAt = recordedAt
    }

    public static let empty = LedgerHead(seq: 0, hash: HashChain.genesis, recordedAt: nil)
}

/// What happened to one offered event.
public struct AppendResult: Sendable, Hashable {
    public let seq: Int64
    public let eventId: String
    /// True when the event id was already in the ledger with the same content: nothing was written
    /// and `seq` is the original one.
    public let duplicate: Bool
    /// The event's chain hash and its version in its stream: what a caller needs to name it later.
    public let hash: String
    public let streamVersion: Int64

    public init(seq: Int64, eventId: String, duplicate: Bool, hash: String = "", streamVersion: Int64 = 0) {
        self.seq = seq
        self.eventId = eventId
        self.duplicate = duplicate
        self.hash = hash
        self.streamVersion = streamVersion
    }
}

/// A stored event's columns as the fold reads them: its text lent by the log for one visit, as UTF-8.
public struct FoldRow {
    public let seq: Int64
    public let schemaVersion: Int64
    public let stream: UnsafeBufferPointer<UInt8>
    public let type: UnsafeBufferPointer<UInt8>
    public let effectiveOn: UnsafeBufferPointer<UInt8>
    public let payload: UnsafeBufferPointer<UInt8>

    public init(seq: Int64, schemaVersion: Int64, stream: UnsafeBufferPointer<UInt8>, type: UnsafeBufferPointer<UInt8>,
                effectiveOn: UnsafeBufferPointer<UInt8>, payload: UnsafeBufferPointer<UInt8>)
    {
        self.seq = seq
        self.schemaVersion = schemaVersion
        self.stream = stream
        self.type = type
        self.effectiveOn = effectiveOn
        self.payload = payload
    }
}

/// A stored snapshot's row, without its frame.
public struct StoredSnapshot: Sendable, Equatable {
    public let seq: Int64
    /// The chain hash of event `seq` when the snapshot was taken.
    public let hash: String
    public let formatVersion: Int
    public let projectionVersion: Int
    public let createdAt: String
    /// Bytes before and after LZ4 compression.
    public let contentSize: Int
    public let frameSize: Int
    /// For a segment (snapshot format 5): the seq of the whole snapshot it holds the changes since, which it
    /// needs to load; nil for a whole snapshot.
    public let baseSeq: Int64?

    public init(seq: Int64, hash: String, formatVersion: Int, projectionVersion: Int, createdAt: String, contentSize: Int, frameSize: Int,
                baseSeq: Int64? = nil)
    {
        self.seq = seq
        self.baseSeq = baseSeq
        self.hash = hash
        self.formatVersion = formatVersion
        self.projectionVersion = projectionVersion
        self.createdAt = createdAt
        self.contentSize = contentSize
        self.frameSize = frameSize
    }
}

/// The append-only, hash-chained log, wherever it is kept: it knows bytes, order and integrity, and
/// nothing of outlets. Two implementations: `EventStore` (SQLite, the ledger file) and
/// `InMemoryEventLog` (tests, what-ifs); one contract suite runs against both.
///
/// The one write is an append (`append(_:)` of a `PreparedAppend`, or `append(_:expectedHead:)` of
/// envelopes sealed elsewhere): the caller reads the head, decides, seals the events after that head
/// (`PreparedAppend`) and hands them over; the log appends them only if its head is still
/// that one, else it refuses with a `headMoved` conflict and the caller decides again (Equinox's load →
/// decide → sync with the expected version). The chain orders everything, so appends are serialised:
/// by the log's own lock (SQLite's `BEGIN IMMEDIATE`, the in-memory log's mutex), never by a callback.
public protocol EventLog: AnyObject, Sendable {
    /// Where the log lives, for messages: a file's path, or `memory`.
    var location: String { get }
    /// The time `recordedAt` is stamped from.
    var clock: any LedgerClock { get }

    func head() throws(LedgerError) -> LedgerHead
    /// The position after event `seq` (the head if `seq` is beyond it).
    func head(atSeq seq: Int64) throws(LedgerError) -> LedgerHead
    /// The last event recorded at or before `time` (`recordedAt` never decreases: a prefix of the log).
    func head(knownAt time: Timestamp) throws(LedgerError) -> LedgerHead
    /// The head record: the seq and hash the last append sealed, kept apart from the events so that
    /// deleting the newest events does not go unnoticed (nil before the first append).
    func headRecord() throws(LedgerError) -> (seq: Int64, hash: String)?

    func events(fromSeq from: Int64, toSeq to: Int64) throws(LedgerError) -> [Envelope]
    /// Visits events in seq order without holding them all in memory.
    func forEachEvent(fromSeq from: Int64, toSeq to: Int64, _ body: (Envelope) throws(LedgerError) -> Void) throws(LedgerError)
    /// Visits the columns a fold reads, in seq order, lent rather than copied into strings (a replay's
    /// every event passes here).
    func forEachFoldRow(fromSeq from: Int64, toSeq to: Int64, _ body: (FoldRow) throws(LedgerError) -> Void) throws(LedgerError)
    /// Visits the chain hashes alone, in seq order (what the Merkle tree is built from).
    func forEachHash(fromSeq from: Int64, toSeq to: Int64, _ body: (String) throws(LedgerError) -> Void) throws(LedgerError)
    func events(ofStream stream: String) throws(LedgerError) -> [Envelope]
    /// The seq of a stream's newest event (0: none).
    func lastSeq(ofStream stream: String) throws(LedgerError) -> Int64
    /// The version of a stream's newest event (0: none).
    func streamVersion(of stream: String) throws(LedgerError) -> Int64
    func events(ofType type: String, afterSeq seq: Int64) throws(LedgerError) -> [Envelope]
    func envelope(eventId: String) throws(LedgerError) -> Envelope?
    /// Which of `ids` name stored events: one question for a call's (or an import chunk's) events, where
    /// asking `envelope(eventId:)` for each cost an import a twentieth of its time; almost always none.
    func storedEventIds(among ids: [String]) throws(LedgerError) -> Set<String>

    /// Appends sealed envelopes, all or none, if the head is still `expectedHead`; each must continue the
    /// chain (`checkContinues`: its hash recomputed, its stream's version read).
    func append(_ envelopes: [Envelope], expectedHead: LedgerHead) throws(LedgerError)
    /// Appends what `prepared` sealed, all or none, if the head is still the one it was sealed after. Its
    /// hashes and stream versions were made by `PreparedAppend` from that very head (a log with the same
    /// head hash holds the same events), so only the links are checked (`checkLinks`): recomputing every
    /// hash and reading every stream's version again cost an import an eighth of its deciding thread.
    func append(_ prepared: PreparedAppend) throws(LedgerError)
    /// Runs `body` as one write: its appends (and its reads, which see them) commit together when it
    /// returns, and none does if it throws. Other writers wait meanwhile, so what it read stays the log's
    /// until it commits. An import of any length is one (`long`: it touches much of the file); so is a
    /// single append, from its first read.
    func inOneTransaction<T>(long: Bool, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T

    /// A value written once at creation (the policy and holidays `init` chose).
    func setting(_ key: String) throws(LedgerError) -> String?

    /// Closes the log's files now, rather than when this object goes (after it, nothing more is read or
    /// written through it): what a process that ends without freeing what it holds calls first.
    func close()

    /// Stores a signed checkpoint of the tree of the first `size` events (append-only: one per size).
    func saveCheckpoint(size: Int64, note: String) throws(LedgerError)
    /// Every stored checkpoint, smallest first.
    func checkpoints() throws(LedgerError) -> [(size: Int64, note: String)]

    /// Records a newly issued access token (its hash, never the secret); its id must be new.
    func saveToken(_ token: AccessToken) throws(LedgerError)
    /// Every token ever issued, oldest first.
    func tokens() throws(LedgerError) -> [AccessToken]
    /// The token whose secret has this SHA-256, if any.
    func token(sha256: String) throws(LedgerError) -> AccessToken?
    /// Marks a token revoked at the log clock's now; false if no token has this id or it was revoked already.
    func revokeToken(id: String) throws(LedgerError) -> Bool

    /// Stores (or replaces) the snapshot of `seq`; a segment names its base, which must be stored (else a
    /// `conflict`: a prune took it meanwhile) and is then kept by every prune while the segment is.
    func saveSnapshot(seq: Int64, hash: String, formatVersion: Int, projectionVersion: Int, contentSize: Int, baseSeq: Int64?,
                      frame: [UInt8]) throws(LedgerError)
    /// Newest first.
    func snapshots() throws(LedgerError) -> [StoredSnapshot]
    /// The newest snapshot's seq (0 when there is none): what every append asks, so one seek, not the list.
    func newestSnapshotSeq() throws(LedgerError) -> Int64
    func snapshotFrame(seq: Int64) throws(LedgerError) -> [UInt8]?
    /// The frame of the snapshot of `seq` read in pieces where it lies (nil: there is none): `body` is
    /// given its length and a function that fills a buffer with its bytes from an offset (false if they
    /// cannot be read), so that a load need never hold a copy of the whole frame, tens of MiB.
    func withSnapshotFrame<T>(seq: Int64, _ body: (_ count: Int, _ read: (UnsafeMutableRawBufferPointer, Int) -> Bool) -> T)
        throws(LedgerError) -> T?
    /// Deletes all but the newest `keep` and the bases they need (`StoredSnapshot.prunable`); returns the seqs
    /// deleted.
    func pruneSnapshots(keep: Int) throws(LedgerError) -> [Int64]
}

extension StoredSnapshot {
    /// The seqs a prune that keeps the newest `keep` of `snapshots` deletes: all the others but the whole
    /// snapshots a kept segment is over. Newest first.
    public static func prunable(keeping keep: Int, of snapshots: [(seq: Int64, baseSeq: Int64?)]) -> [Int64] {
        let newest = snapshots.sorted { $0.seq > $1.seq }
        let kept = newest.prefix(max(0, keep))
        let needed = Set(kept.compactMap(\.baseSeq)).union(kept.map(\.seq))
        return newest.map(\.seq).filter { !needed.contains($0) }
    }

    /// Why a segment was not stored: its base is not (pruned while the segment was being made).
    public static func baseGone(_ baseSeq: Int64, of seq: Int64) -> LedgerError {
        LedgerError(.conflict, "the segment of seq \(seq) is over the snapshot of seq \(baseSeq), which is no longer stored")
    }
}

extension EventLog {
    public func events(fromSeq from: Int64 = 1, toSeq to: Int64 = .max) throws(LedgerError) -> [Envelope] {
        try events(fromSeq: from, toSeq: to)
    }

    public func forEachEvent(fromSeq from: Int64 = 1, toSeq to: Int64 = .max, _ body: (Envelope) throws(LedgerError) -> Void) throws(LedgerError) {
        try forEachEvent(fromSeq: from, toSeq: to, body)
    }

    /// The fold's columns of each envelope: for logs that keep envelopes rather than bytes.
    public func forEachFoldRow(fromSeq from: Int64, toSeq to: Int64, _ body: (FoldRow) throws(LedgerError) -> Void) throws(LedgerError) {
        try forEachEvent(fromSeq: from, toSeq: to) { envelope throws(LedgerError) in
            var stream = envelope.stream, type = envelope.type, effectiveOn = envelope.effectiveOn, payload = envelope.payload
            var failure: LedgerError?
            stream.withUTF8 { stream in
                type.withUTF8 { type in
                    effectiveOn.withUTF8 { effectiveOn in
                        payload.withUTF8 { payload in
                            do throws(LedgerError) {
                                try body(FoldRow(seq: envelope.seq, schemaVersion: envelope.schemaVersion, stream: stream, type: type,
                                                 effectiveOn: effectiveOn, payload: payload))
                            } catch {
                                failure = error
                            }
                        }
                    }
                }
            }
            if let failure { throw failure }
        }
    }

    /// What every append of sealed envelopes checks: each takes the next seq and names the previous hash.
    public static func checkLinks(_ envelopes: [Envelope], from head: LedgerHead) throws(LedgerError) {
        var seq = head.seq
        var prevHash = head.hash
        // By place: a loop over the envelopes copies each out whole (a dozen reference counts) to read three fields.
        for place in envelopes.indices {
            guard envelopes[place].seq == seq + 1, envelopes[place].prevHash == prevHash else { throw brokenChain(at: envelopes[place], after: seq) }
            seq = envelopes[place].seq
            prevHash = envelopes[place].hash
        }
    }

    /// The check an append makes of envelopes it did not see sealed, the same for every log: they
    /// continue the chain from `head` (seq, prevHash, recomputed hash), each stream's versions follow on;
    /// the first envelope that does not is named.
    public static func checkContinues(_ envelopes: [Envelope], from head: LedgerHead,
                               streamVersion: (String) throws(LedgerError) -> Int64) throws(LedgerError)
    {
        var seq = head.seq
        var prevHash = head.hash
        var versions: [String: Int64] = [:]
        for envelope in envelopes {
            let expected: Int64
            if let known = versions[envelope.stream] { expected = known } else { expected = try streamVersion(envelope.stream) }
            guard envelope.seq == seq + 1, envelope.prevHash == prevHash, envelope.streamVersion == expected + 1,
                  HashChain.hash(of: envelope) == envelope.hash
            else { throw brokenChain(at: envelope, after: seq) }
            versions[envelope.stream] = envelope.streamVersion
            seq = envelope.seq
            prevHash = envelope.hash
        }
    }

    private static func brokenChain(at envelope: Envelope, after seq: Int64) -> LedgerError {
        LedgerError(.integrityFailure, "seq \(envelope.seq): the envelope handed to the log does not continue the chain from seq \(seq)",
                    stream: envelope.stream, seq: envelope.seq)
    }
}
