import CanonicalJSON
import GRDB
import GRDBSQLite
import OutletCore

extension EventStore {
    static let selectColumns = """
        SELECT seq, event_id, stream, stream_version, type, schema_version, effective_on, recorded_at,
               actor_role, actor_unit, actor_name, payload, prev_hash, hash FROM events
        """

    static func envelope(_ row: Row) -> Envelope {
        Envelope(
            seq: row[0], eventId: row[1], stream: row[2], streamVersion: row[3], type: row[4],
            schemaVersion: row[5], effectiveOn: row[6], recordedAt: row[7],
            actor: EnvelopeActor(role: row[8], unit: row[9], name: row[10]),
            payload: row[11], prevHash: row[12], hash: row[13])
    }

    /// A service asks the same few questions thousands of times a second: each is compiled once per
    /// connection (SQLite's parse and GRDB's authorizer are most of a small query's cost), then reused.
    static func fetchEnvelopes(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Envelope] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(envelope)
    }

    /// Runs a read, turning SQLite's failures into ledger errors. Each of the store's reads is one
    /// statement (or, like `snapshots()`, tolerates a commit between its two), so it runs as SQLite's own
    /// autocommit read: GRDB's `read` would wrap it in four more statements (a transaction and the
    /// `query_only` switch) — compiled anew each time, more than the question itself costs a service.
    /// Inside a write (on the writer's thread) it reads that write's own events; anywhere else, in a ledger
    /// opened to write, it reads on a connection of its own and holds up no write however long it takes.
    func read<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            if let readers, !Self.writing { return try readers.read(body) }
            return try queue.unsafeReentrantRead { db in try body(db) }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    /// A setting written at `init` (nil if this ledger has none of that name).
    public func setting(_ key: String) throws(LedgerError) -> String? {
        try read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM ledger_settings WHERE key = ?"), arguments: [key]) }
    }

    public func head() throws(LedgerError) -> LedgerHead {
        try read { db in try Self.lastEvent(db) }
    }

    /// The position "as known at" `time`: the last event recorded at or before it (recordedAt never
    /// decreases, so the events known then are a prefix of the log).
    public func head(knownAt time: Timestamp) throws(LedgerError) -> LedgerHead {
        try read { db in
            // recordedAt never decreases along seq, so the newest event recorded by `time` is the greatest
            // (recorded_at, seq) at or below it: one seek in the recorded_at index (which carries the seq),
            // not a walk down the log from its head.
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT seq, hash, recorded_at FROM events INDEXED BY events_by_recorded_at
                WHERE recorded_at <= ? ORDER BY recorded_at DESC, seq DESC LIMIT 1
                """), arguments: [time.description])
            else { return .empty }
            return LedgerHead(seq: row[0], hash: row[1], recordedAt: row[2])
        }
    }

    /// The position after event `seq` (its chain hash); the head if `seq` is beyond it.
    public func head(atSeq seq: Int64) throws(LedgerError) -> LedgerHead {
        try read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash, recorded_at FROM events WHERE seq <= ? ORDER BY seq DESC LIMIT 1"),
                                             arguments: [seq])
            else { return .empty }
            return LedgerHead(seq: row[0], hash: row[1], recordedAt: row[2])
        }
    }

    /// Events with `from ≤ seq ≤ to`, in order.
    public func events(fromSeq from: Int64 = 1, toSeq to: Int64 = .max) throws(LedgerError) -> [Envelope] {
        try read { db in
            try Self.fetchEnvelopes(db, sql: "\(Self.selectColumns) WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                    arguments: [from, to])
        }
    }

    /// The seq of a stream's newest event (0: none).
    public func lastSeq(ofStream stream: String) throws(LedgerError) -> Int64 {
        // A stream's versions rise with its seqs, so its newest event is one seek in the (stream, stream_version)
        // index; `MAX(seq)` read every entry of the stream (157 µs at 2,600 events, 4 µs this way).
        try read { db in
            try Self.integer(db.cachedStatement(sql: "SELECT seq FROM events WHERE stream = ? ORDER BY stream_version DESC LIMIT 1"), db) { raw in
                Self.bind(stream, raw, 1)
            }
        }
    }

    /// One stream's events, in order.
    public func events(ofStream stream: String) throws(LedgerError) -> [Envelope] {
        try read { db in try Self.fetchEnvelopes(db, sql: "\(Self.selectColumns) WHERE stream = ? ORDER BY seq", arguments: [stream]) }
    }

    public func streamVersion(of stream: String) throws(LedgerError) -> Int64 {
        try read { db in try Self.streamVersion(of: stream, db) }
    }

    public func events(ofType type: String, afterSeq seq: Int64) throws(LedgerError) -> [Envelope] {
        let query = Self.typeQuery(type, afterSeq: seq)
        return try read { db in try Self.fetchEnvelopes(db, sql: query.sql, arguments: query.arguments) }
    }

    /// Fast for `LedgerSchema.indexedType`, whose events have an index of their own: SQLite uses a partial
    /// index only where the query names its condition, so that type is written into the query, not bound.
    /// Any other type is read by a scan of the events after `seq`.
    static func typeQuery(_ type: String, afterSeq seq: Int64) -> (sql: String, arguments: StatementArguments) {
        guard type == LedgerSchema.indexedType else { return ("\(selectColumns) WHERE type = ? AND seq > ? ORDER BY seq", [type, seq]) }
        return ("\(selectColumns) WHERE type = '\(LedgerSchema.indexedType)' AND seq > ? ORDER BY seq", [seq])
    }

    public func envelope(eventId: String) throws(LedgerError) -> Envelope? {
        try read { db in try Self.fetchEnvelopes(db, sql: "\(Self.selectColumns) WHERE event_id = ?", arguments: [eventId]).first }
    }

    public func storedEventIds(among ids: [String]) throws(LedgerError) -> Set<String> {
        guard !ids.isEmpty else { return [] }
        // The ids as one JSON array, looked up in the event_id index by SQLite's own loop: one statement.
        let list = JSONValue.array(ids.map(JSONValue.string)).canonicalString
        return try read { db in
            try Set(String.fetchAll(db.cachedStatement(sql: "SELECT event_id FROM events WHERE event_id IN (SELECT value FROM json_each(?))"),
                                    arguments: [list]))
        }
    }

    public func headRecord() throws(LedgerError) -> (seq: Int64, hash: String)? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM chain_head WHERE id = 1")).map { ($0["seq"], $0["hash"]) }
        }
    }

    public func forEachHash(fromSeq from: Int64, toSeq to: Int64, _ body: (String) throws(LedgerError) -> Void) throws(LedgerError) {
        try read { db in
            let hashes = try String.fetchCursor(db, sql: "SELECT hash FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: [from, to])
            while let hash = try hashes.next() { try body(hash) }
        }
    }

    /// Reads the columns straight from SQLite's row (GRDB steps the statement): no `Row`, no `String`.
    public func forEachFoldRow(fromSeq from: Int64, toSeq to: Int64, _ body: (FoldRow) throws(LedgerError) -> Void) throws(LedgerError) {
        try read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT seq, schema_version, stream, type, effective_on, payload FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq
                """)
            try Self.eachRow(statement, db, bind: { raw in sqlite3_bind_int64(raw, 1, from) | sqlite3_bind_int64(raw, 2, to) }) { raw in
                func text(_ column: Int32) -> UnsafeBufferPointer<UInt8> {
                    // sqlite3_column_text before sqlite3_column_bytes: the length is of the text form.
                    guard let start = sqlite3_column_text(raw, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
                    return UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(raw, column)))
                }
                try body(FoldRow(seq: sqlite3_column_int64(raw, 0), schemaVersion: sqlite3_column_int64(raw, 1), stream: text(2),
                                 type: text(3), effectiveOn: text(4), payload: text(5)))
                return true
            }
        }
    }

    /// Visits every event with `from ≤ seq ≤ to` in seq order without holding the log in memory. The
    /// visitor may not read the store again (a cursor is open): read in pages if it must.
    public func forEachEvent(fromSeq from: Int64, toSeq to: Int64, _ body: (Envelope) throws(LedgerError) -> Void) throws(LedgerError) {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "\(Self.selectColumns) WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: [from, to])
            while let row = try rows.next() {
                try body(Self.envelope(row))
            }
        }
    }
}
