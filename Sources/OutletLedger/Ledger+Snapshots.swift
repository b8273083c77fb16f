import CanonicalJSON
import Foundation
import OutletDomain
import OutletProjections
import OutletSnapshots
import OutletCore
import Synchronization

/// What `snapshot verify` found for one snapshot.
public struct SnapshotCheck: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Loads, matches the log, and equals a replay of the log to its seq.
        case sound
        /// Cannot be used (damaged, wrong version, not of this log): queries skip it.
        case unusable(SnapshotError)
        /// Loads but differs from the replay: a bug in the fold or the codec, never silently used again.
        case differs(String)
    }

    public let snapshot: StoredSnapshot
    public let verdict: Verdict
    /// SHA-256 of the restored state's encoding, and of the replayed one's.
    public let stateDigest: String?
    public let replayDigest: String?
}

extension SnapshotCheck {
    /// The snapshot's row with `verdict`, `reason`, `stateDigest` and `replayDigest`.
    public var jsonValue: JSONValue {
        var members = snapshot.jsonValue.objectValue ?? [:]
        switch verdict {
        case .sound: members["verdict"] = "sound"
        case .unusable(let reason): members["verdict"] = "unusable"; members["reason"] = .string("\(reason)")
        case .differs(let reason): members["verdict"] = "differs"; members["reason"] = .string(reason)
        }
        members["stateDigest"] = stateDigest.map(JSONValue.string) ?? .null
        members["replayDigest"] = replayDigest.map(JSONValue.string) ?? .null
        return .object(members)
    }
}

extension Ledger {
    /// Takes a snapshot of the projections after the newest event (or after `atSeq`).
    @discardableResult
    public func createSnapshot(atSeq seq: Int64? = nil) throws(LedgerError) -> StoredSnapshot {
        let head = try store.head()
        if let seq, !(1...max(head.seq, 1)).contains(seq) || head.seq == 0 {
            throw LedgerError(.invalidInput, head.seq == 0 ? "the ledger has no events to snapshot"
                : "--seq \(seq) is outside the log (seq 1 to \(head.seq))")
        }
        let position = try position(atSeq: seq)
        guard position.seq > 0 else { throw LedgerError(.invalidInput, "the ledger has no events to snapshot") }
        let view = try projections(at: position, exact: true)
        return try save(encode(view.projection, at: position, onEveryCore: true, asSegment: false), of: view.projection, at: position)
    }

    /// Waits for the automatic snapshots still being taken in the background; returns what they could
    /// not do (one line each). A process calls it before it exits.
    @discardableResult
    public func finishBackgroundWork() -> [String] {
        background.sync {}
        return backgroundWarnings.withLock { warnings in defer { warnings.removeAll() }; return warnings }
    }

    /// Waits for the background work, then closes the ledger's file: what a process that ends without freeing
    /// this object calls first (`EventLog.close`).
    public func close() {
        background.sync {}
        store.close()
    }

    /// Takes a snapshot if the newest one is `snapshotSpacing` or more events behind the head: of the
    /// kept head projection when there is one (else of the last snapshot's, folded on, or of the newest
    /// snapshot and the log, restored in the background), encoded and written in the background, never
    /// inside an append's latency.
    /// - Parameter written: the head this process's append just committed (else the store's is read).
    /// - Parameter onEveryCore: encoded on every core, for a caller that waits for it (a CLI import).
    func snapshotIfDue(after written: LedgerHead? = nil, onEveryCore: Bool = false) throws(LedgerError) {
        let head: LedgerHead
        if let written { head = written } else { head = try store.head() }
        guard let spacing = Self.snapshotSpacing(interval: policy.snapshotEvery, head: head.seq) else { return }
        let newest: Int64
        if let known = newestSnapshot.withLock({ $0 }) {
            newest = known
        } else {
            let stored = try store.newestSnapshotSeq()
            newest = newestSnapshot.withLock { known in known = max(known ?? 0, stored); return known! }
        }
        guard head.seq - newest >= spacing else { return }
        // Encoded at the lowest priority, snapshots of a busy service may come due faster than they are
        // written: beyond two waiting, the next is skipped (each holds a version of the whole state).
        guard snapshotsInFlight.withLock({ $0 }) < Self.snapshotsInFlightLimit else { return }
        // The state at the head: the kept head projection, or the last snapshot's folded on (a tail of one
        // spacing at most); without either, it is restored from the newest snapshot in the background
        // (a second or more at a million events, which no append should wait for).
        var projection: RegistryProjection?
        if let held = live.withLock({ $0 }), held.foldedThrough == head.seq {
            projection = held
        } else if let held = lastSnapshot.withLock({ $0?.projection }), held.foldedThrough == newest, newest > 0 {
            var folded = held
            _ = try fold(into: &folded, through: head.seq)
            projection = folded
        }
        // From now on the appends of this process extend it: the next snapshot folds nothing.
        if let projection { keepLive(projection) }
        newestSnapshot.withLock { $0 = max($0 ?? 0, head.seq) }
        snapshotsInFlight.withLock { $0 += 1 }
        let atHand = projection
        background.async {
            defer { self.snapshotsInFlight.withLock { $0 -= 1 } }
            do {
                // Restoring (the appends go on beside it: it reads on a connection of its own) and encoding are
                // the long part, and a cache for later readers: at the lowest priority. The write holds
                // SQLite's one write lock, so it runs at the appends' own priority, briefly.
                let (taken, encoded) = try Self.atLowestPriority {
                    Result { () throws(LedgerError) in
                        let taken: RegistryProjection
                        if let atHand {
                            taken = atHand
                        } else {
                            taken = try self.projections(at: head, exact: true).projection
                            self.keepLive(taken)
                        }
                        return (taken, self.encode(taken, at: head, onEveryCore: onEveryCore, asSegment: true))
                    }
                }.get()
                _ = try self.save(encoded, of: taken, at: head)
            } catch {
                self.backgroundWarnings.withLock { $0.append("no automatic snapshot was written at seq \(head.seq): \(error)") }
            }
        }
    }

    static let snapshotsInFlightLimit = 2

    /// How many events the newest automatic snapshot may lie behind a head at `head` (nil: none are taken):
    /// the policy's interval, or a twentieth of the log once that is more. A snapshot costs the whole state
    /// (encoded, compressed, written while the appends wait for the write lock), and the state grows with
    /// the log: spaced in proportion, snapshots cost each event the same at any size (every 50,000 events at
    /// a million, not every 10,000), while a query still folds at most a twentieth of the log after the
    /// snapshot it starts from (about a tenth of what restoring that snapshot costs).
    public static func snapshotSpacing(interval: Int, head: Int64) -> Int64? {
        guard interval > 0 else { return nil }
        return max(Int64(interval), head / snapshotShareOfLog)
    }

    /// The spacing's share of the log: one in this many events.
    public static let snapshotShareOfLog: Int64 = 20

    /// Runs `work` on a thread of its own at the lowest priority (nice 19), so that on a busy machine it
    /// takes idle CPU only and never delays an append or a read. A thread of its own, because a thread's
    /// priority cannot be raised back without privilege: a pool thread lowered once would stay low for
    /// whatever ran on it next.
    static func atLowestPriority<Value: Sendable>(_ work: @escaping @Sendable () -> Value) -> Value {
        let result = Mutex<Value?>(nil)
        let worker = WorkerThread(name: "outlet-ledger.snapshot") {
            #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)  // On Linux: this thread only.
            #endif
            let value = work()
            result.withLock { $0 = value }
        }
        worker.join()
        return result.withLock { $0! }
    }

    /// A snapshot's frame, and the timeline cache the next one starts from.
    struct EncodedSnapshot: Sendable {
        let frame: [UInt8]
        let contentSize: Int
        let cache: TimelineCache
        /// A segment's base (nil: a whole snapshot).
        let baseSeq: Int64?
    }

    /// `onEveryCore`: for a snapshot someone waits for (`snapshot create`, the end of a CLI import); an
    /// automatic one behind a service's appends is encoded on one core, at the lowest priority. `asSegment`: a
    /// segment over the whole snapshot this process made last, if one is due (`Snapshot.makeSegment`), so that
    /// an automatic snapshot writes what changed, not the whole state again; `snapshot create` writes a whole
    /// one, which later segments are made over.
    private func encode(_ projection: RegistryProjection, at position: LedgerHead, onEveryCore: Bool, asSegment: Bool) -> EncodedSnapshot {
        var cache = lastSnapshot.withLock { $0?.cache } ?? TimelineCache()
        let createdAt = store.clock.now().millisecondsSinceEpoch
        if asSegment, let segment = Snapshot.makeSegment(projection, hash: position.hash, createdAt: createdAt, onEveryCore: onEveryCore,
                                                         cache: &cache) {
            return EncodedSnapshot(frame: segment.frame, contentSize: segment.contentSize, cache: cache, baseSeq: segment.baseSeq)
        }
        let (frame, contentSize) = Snapshot.make(projection, hash: position.hash, createdAt: createdAt, onEveryCore: onEveryCore, cache: &cache)
        return EncodedSnapshot(frame: frame, contentSize: contentSize, cache: cache, baseSeq: nil)
    }

    private func save(_ encoded: EncodedSnapshot, of projection: RegistryProjection, at position: LedgerHead) throws(LedgerError) -> StoredSnapshot {
        do {
            let format = encoded.baseSeq == nil ? SnapshotHeader.currentFormatVersion : SnapshotHeader.segmentFormatVersion
            try store.saveSnapshot(seq: position.seq, hash: position.hash, formatVersion: Int(format),
                                   projectionVersion: Int(RegistryProjection.projectionVersion), contentSize: encoded.contentSize,
                                   baseSeq: encoded.baseSeq, frame: encoded.frame)
        } catch where encoded.baseSeq != nil {
            // Its base was pruned meanwhile: the next snapshot is whole.
            lastSnapshot.withLock { $0 = nil }
            throw error
        }
        lastSnapshot.withLock { $0 = (projection, encoded.cache) }
        newestSnapshot.withLock { known in known = known.map { max($0, position.seq) } }
        guard let stored = try store.snapshots().first(where: { $0.seq == position.seq }) else {
            throw LedgerError(.storage, "\(store.location): the snapshot of seq \(position.seq) was not stored")
        }
        return stored
    }

    /// The sound snapshot a query at `seq` starts from, and its seq: the one at `seq`; else, `laterToo`, the
    /// oldest after it that stores its version index (format 3 on), to be read as known at `seq` with no
    /// event folded — restored without decoding its timelines, a later one costs about what one at `seq`
    /// would; else the newest before it, the events after it to fold. A snapshot that does not load, is of
    /// other versions or does not match the log is skipped with a warning, and the next tried.
    func soundSnapshot(for seq: Int64, laterToo: Bool, warnings: inout [String]) throws(LedgerError) -> (RegistryProjection, Int64)? {
        let stored = try store.snapshots()  // newest first
        let indexed = Int(SnapshotHeader.indexedFormatVersion)
        let later = laterToo ? stored.filter { $0.seq > seq && $0.formatVersion >= indexed }.reversed() : []
        for snapshot in stored.filter({ $0.seq == seq }) + later + stored.filter({ $0.seq < seq }) {
            switch try load(snapshot, deferred: true) {
            case .success(let projection): return (projection, snapshot.seq)
            case .failure(let error): warnings.append("snapshot at seq \(snapshot.seq) skipped (\(error)); using another one or the log")
            }
        }
        return nil
    }

    /// A stored snapshot restored and checked against the log as it is now; `deferred`, its timelines
    /// decoded as a query reads them (`Snapshot.load`), else all of them now, the body proven whole.
    func load(_ snapshot: StoredSnapshot, deferred: Bool = false) throws(LedgerError) -> Result<RegistryProjection, SnapshotError> {
        let logHead = try store.head(atSeq: snapshot.seq)
        guard logHead.seq == snapshot.seq else {
            return .failure(.mismatch("the log has no event \(snapshot.seq)"))
        }
        let periods = decisionPeriods(atSeq: snapshot.seq)
        let deferral: Deferral? = deferred ? (keepsRestoredTimelines ? .keepingTimelines : .readingStatesAlone) : nil
        if let baseSeq = snapshot.baseSeq {
            let baseHead = try store.head(atSeq: baseSeq)
            guard baseHead.seq == baseSeq else { return .failure(.mismatch("the log has no event \(baseSeq), its base's seq")) }
            let contents = try [baseSeq, snapshot.seq].map { (seq) throws(LedgerError) in
                try store.withSnapshotFrame(seq: seq) { count, read in Result { () throws(SnapshotError) in try Snapshot.content(frameOf: count, reading: read) } }
            }
            guard let base = contents[0] else { return .failure(.mismatch("its base, the snapshot of seq \(baseSeq), is not stored")) }
            guard let segment = contents[1] else { return .failure(.corrupt("deleted while reading")) }
            return Result { () throws(SnapshotError) in
                let baseContent: [UInt8]
                do throws(SnapshotError) { baseContent = try base.get() } catch { throw error.within("its base") }
                return try Snapshot.load(segment: segment.get(), over: baseContent, periods: periods, expected: (logHead.seq, logHead.hash),
                                  expectedBase: (baseHead.seq, baseHead.hash), deferred: deferral).projection
            }
        }
        let loaded = try store.withSnapshotFrame(seq: snapshot.seq) { count, read in
            Result { () throws(SnapshotError) in
                try Snapshot.load(frameOf: count, reading: read, periods: periods, expected: (logHead.seq, logHead.hash), deferred: deferral)
                    .projection
            }
        }
        return loaded ?? .failure(.corrupt("deleted while reading"))
    }

    /// Every snapshot, restored and compared with a replay of the log to its seq.
    public func verifySnapshots() throws(LedgerError) -> [SnapshotCheck] {
        var checks: [SnapshotCheck] = []
        // Oldest first, so one replay runs forward through every snapshot's seq.
        var replay = RegistryProjection(periods: decisionPeriods(atSeq: 0))
        for snapshot in try store.snapshots().reversed() {
            _ = try fold(into: &replay, through: snapshot.seq)
            guard replay.foldedThrough == snapshot.seq else {
                checks.append(SnapshotCheck(snapshot: snapshot, verdict: .unusable(.mismatch("the log has no event \(snapshot.seq)")),
                                            stateDigest: nil, replayDigest: nil))
                continue
            }
            checks.append(try compare(snapshot, with: replay))
        }
        return checks.reversed()
    }

    /// The stored frame of the snapshot at `seq`, byte for byte: a standard LZ4 frame.
    public func snapshotFrame(seq: Int64) throws(LedgerError) -> [UInt8] {
        guard let frame = try store.snapshotFrame(seq: seq) else {
            let seqs = try store.snapshots().map { String($0.seq) }
            throw LedgerError(.invalidInput, "no snapshot at seq \(seq) (there are: \(seqs.isEmpty ? "none" : seqs.joined(separator: ", ")))")
        }
        return frame
    }

    /// Deletes all but the newest `keep` snapshots.
    public func pruneSnapshots(keep: Int) throws(LedgerError) -> [Int64] {
        guard keep >= 0 else { throw LedgerError(.invalidInput, "--keep must not be negative") }
        defer { newestSnapshot.withLock { $0 = nil } }
        let deleted = try store.pruneSnapshots(keep: keep)
        // The whole snapshot this process's next segment would be over is gone: the next is whole.
        lastSnapshot.withLock { last in
            if let base = last?.cache.baseSeq, deleted.contains(base) { last = nil }
        }
        return deleted
    }
}
