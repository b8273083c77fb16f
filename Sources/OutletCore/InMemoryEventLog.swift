import Synchronization

/// The log kept in memory: the same contract as the ledger file (the contract suite runs against both),
/// for tests and for what-if questions that must not touch the file. Appends are serialised by its lock.
public final class InMemoryEventLog: EventLog {
    private struct State {
        var events: [Envelope] = []
        var byStream: [String: [Int]] = [:]
        var byEventId: [String: Int] = [:]
        var headRecord: (seq: Int64, hash: String)?
        var snapshots: [Int64: (row: StoredSnapshot, frame: [UInt8])] = [:]
        var checkpoints: [(size: Int64, note: String)] = []
        var tokens: [AccessToken] = []
    }

    public let location = "memory"
    public let clock: any LedgerClock
    private let settings: [String: String]
    private let state = Mutex(State())

    public init(clock: any LedgerClock = SystemClock(), settings: [String: String] = [:]) {
        self.clock = clock
        self.settings = settings
    }

    /// The log as it was is put back if `body` throws (a copy of its arrays, shared until written). For
    /// tests and what-ifs: a writer on another thread meanwhile would be undone with it.
    public func inOneTransaction<T>(long: Bool, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        let before = state.withLock { $0 }
        do {
            return try body()
        } catch {
            state.withLock { $0 = before }
            throw error
        }
    }

    private func read<T>(_ body: (borrowing State) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try state.withLock { state throws(LedgerError) in try body(state) }
    }

    private static func head(of events: ArraySlice<Envelope>) -> LedgerHead {
        events.last.map { LedgerHead(seq: $0.seq, hash: $0.hash, recordedAt: $0.recordedAt) } ?? .empty
    }

    public func head() throws(LedgerError) -> LedgerHead {
        try read { Self.head(of: $0.events[...]) }
    }

    public func head(atSeq seq: Int64) throws(LedgerError) -> LedgerHead {
        try read { state in Self.head(of: state.events.prefix(Int(max(0, min(seq, Int64(state.events.count)))))) }
    }

    public func head(knownAt time: Timestamp) throws(LedgerError) -> LedgerHead {
        try read { state in
            // recordedAt never decreases: the events known at `time` are a prefix; find its end by bisection.
            var low = 0, high = state.events.count
            while low < high {
                let middle = (low + high) / 2
                if (Timestamp(state.events[middle].recordedAt).map { $0 <= time } ?? false) { low = middle + 1 } else { high = middle }
            }
            return Self.head(of: state.events.prefix(low))
        }
    }

    public func headRecord() throws(LedgerError) -> (seq: Int64, hash: String)? {
        try read { $0.headRecord }
    }

    public func events(fromSeq from: Int64, toSeq to: Int64) throws(LedgerError) -> [Envelope] {
        try read { state in
            let first = Int(max(from, 1)) - 1, last = Int(min(to, Int64(state.events.count)))
            return first < last ? Array(state.events[first..<last]) : []
        }
    }

    public func forEachEvent(fromSeq from: Int64, toSeq to: Int64, _ body: (Envelope) throws(LedgerError) -> Void) throws(LedgerError) {
        // A copy of the range, so that the visitor may read the log again (as SQLite's cursor may not).
        for envelope in try events(fromSeq: from, toSeq: to) { try body(envelope) }
    }

    public func forEachHash(fromSeq from: Int64, toSeq to: Int64, _ body: (String) throws(LedgerError) -> Void) throws(LedgerError) {
        for envelope in try events(fromSeq: from, toSeq: to) { try body(envelope.hash) }
    }

    public func events(ofStream stream: String) throws(LedgerError) -> [Envelope] {
        try read { state in (state.byStream[stream] ?? []).map { state.events[$0] } }
    }

    public func lastSeq(ofStream stream: String) throws(LedgerError) -> Int64 {
        try read { state in state.byStream[stream]?.last.map { state.events[$0].seq } ?? 0 }
    }

    public func streamVersion(of stream: String) throws(LedgerError) -> Int64 {
        try read { state in state.byStream[stream]?.last.map { state.events[$0].streamVersion } ?? 0 }
    }

    public func events(ofType type: String, afterSeq seq: Int64) throws(LedgerError) -> [Envelope] {
        try read { state in state.events.dropFirst(Int(max(0, seq))).filter { $0.type == type } }
    }

    public func envelope(eventId: String) throws(LedgerError) -> Envelope? {
        try read { state in state.byEventId[eventId].map { state.events[$0] } }
    }

    public func storedEventIds(among ids: [String]) throws(LedgerError) -> Set<String> {
        try read { state in Set(ids.filter { state.byEventId[$0] != nil }) }
    }

    public func append(_ envelopes: [Envelope], expectedHead: LedgerHead) throws(LedgerError) {
        try insert(envelopes, expectedHead: expectedHead) { state, head throws(LedgerError) in
            try Self.checkContinues(envelopes, from: head) { stream throws(LedgerError) in
                state.byStream[stream]?.last.map { state.events[$0].streamVersion } ?? 0
            }
        }
    }

    public func append(_ prepared: PreparedAppend) throws(LedgerError) {
        let envelopes = prepared.envelopes
        try insert(envelopes, expectedHead: prepared.head) { _, head throws(LedgerError) in try Self.checkLinks(envelopes, from: head) }
    }

    /// The write both appends share: the head compared, `check` run, the envelopes and the head record kept.
    private func insert(_ envelopes: [Envelope], expectedHead: LedgerHead, check: (State, LedgerHead) throws(LedgerError) -> Void) throws(LedgerError) {
        try state.withLock { state throws(LedgerError) in
            let head = Self.head(of: state.events[...])
            guard head.seq == expectedHead.seq, head.hash == expectedHead.hash else {
                var error = LedgerError(.conflict, "the log moved from seq \(expectedHead.seq) to seq \(head.seq) while this append was decided")
                error.conflict = .init(kind: .headMoved, expected: expectedHead.seq, actual: head.seq)
                throw error
            }
            try check(state, head)
            var ids = Set<String>()
            for envelope in envelopes where state.byEventId[envelope.eventId] != nil || !ids.insert(envelope.eventId).inserted {
                throw LedgerError(.conflict, "eventId \(envelope.eventId) is already in the log", stream: envelope.stream, seq: envelope.seq)
            }
            for envelope in envelopes {
                let index = state.events.count
                state.events.append(envelope)
                state.byStream[envelope.stream, default: []].append(index)
                state.byEventId[envelope.eventId] = index
            }
            if let last = envelopes.last { state.headRecord = (last.seq, last.hash) }
        }
    }

    /// Nothing to close: the log is this object's memory.
    public func close() {}

    public func setting(_ key: String) throws(LedgerError) -> String? {
        settings[key]
    }

    public func saveCheckpoint(size: Int64, note: String) throws(LedgerError) {
        try state.withLock { state throws(LedgerError) in
            guard !state.checkpoints.contains(where: { $0.size == size }) else {
                throw LedgerError(.conflict, "a checkpoint of size \(size) is already stored")
            }
            state.checkpoints.append((size, note))
            state.checkpoints.sort { $0.size < $1.size }
        }
    }

    public func checkpoints() throws(LedgerError) -> [(size: Int64, note: String)] {
        try read { $0.checkpoints }
    }

    public func saveToken(_ token: AccessToken) throws(LedgerError) {
        try state.withLock { state throws(LedgerError) in
            guard !state.tokens.contains(where: { $0.id == token.id || $0.sha256 == token.sha256 }) else {
                throw LedgerError(.conflict, "a token with id \(token.id) is already stored")
            }
            state.tokens.append(token)
        }
    }

    public func tokens() throws(LedgerError) -> [AccessToken] {
        try read { $0.tokens }
    }

    public func token(sha256: String) throws(LedgerError) -> AccessToken? {
        try read { $0.tokens.first { $0.sha256 == sha256 } }
    }

    public func revokeToken(id: String) throws(LedgerError) -> Bool {
        let now = clock.now().description
        return state.withLock { state in
            guard let index = state.tokens.firstIndex(where: { $0.id == id && $0.revokedAt == nil }) else { return false }
            let token = state.tokens[index]
            state.tokens[index] = AccessToken(id: token.id, sha256: token.sha256, role: token.role, unit: token.unit, name: token.name,
                                              issuedAt: token.issuedAt, expiresOn: token.expiresOn, revokedAt: now)
            return true
        }
    }

    public func saveSnapshot(seq: Int64, hash: String, formatVersion: Int, projectionVersion: Int, contentSize: Int, baseSeq: Int64?,
                             frame: [UInt8]) throws(LedgerError)
    {
        let row = StoredSnapshot(seq: seq, hash: hash, formatVersion: formatVersion, projectionVersion: projectionVersion,
                                 createdAt: clock.now().description, contentSize: contentSize, frameSize: frame.count, baseSeq: baseSeq)
        try state.withLock { (state) throws(LedgerError) in
            if let baseSeq, state.snapshots[baseSeq] == nil { throw StoredSnapshot.baseGone(baseSeq, of: seq) }
            state.snapshots[seq] = (row, frame)
        }
    }

    public func snapshots() throws(LedgerError) -> [StoredSnapshot] {
        try read { $0.snapshots.values.map(\.row).sorted { $0.seq > $1.seq } }
    }

    public func newestSnapshotSeq() throws(LedgerError) -> Int64 {
        try read { $0.snapshots.keys.max() ?? 0 }
    }

    public func snapshotFrame(seq: Int64) throws(LedgerError) -> [UInt8]? {
        try read { $0.snapshots[seq]?.frame }
    }

    public func withSnapshotFrame<T>(seq: Int64, _ body: (Int, (UnsafeMutableRawBufferPointer, Int) -> Bool) -> T) throws(LedgerError) -> T? {
        guard let frame = try snapshotFrame(seq: seq) else { return nil }
        return frame.withUnsafeBytes { frame in
            body(frame.count) { piece, offset in
                guard offset >= 0, offset <= frame.count - piece.count else { return false }
                piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<offset + piece.count]))
                return true
            }
        }
    }

    public func pruneSnapshots(keep: Int) throws(LedgerError) -> [Int64] {
        state.withLock { state in
            let doomed = StoredSnapshot.prunable(keeping: keep, of: state.snapshots.values.map { ($0.row.seq, $0.row.baseSeq) })
            for seq in doomed { state.snapshots[seq] = nil }
            return doomed
        }
    }
}
