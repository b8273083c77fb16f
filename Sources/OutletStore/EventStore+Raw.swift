import CanonicalJSON
import GRDB
import GRDBSQLite
import OutletCore

/// The append's statements stepped straight on SQLite's handle: GRDB's `Row` builds a table of column names
/// and copies every value, and its arguments box every column and copy every text once more. For the few
/// statements of a single append that was a tenth of its CPU.
extension EventStore {
    /// Steps a cached statement that returns no row, with the arguments `bind` sets.
    static func stepRaw(_ statement: Statement, _ db: Database, bind: (OpaquePointer) -> Int32) throws {
        _ = try firstRow(statement, db, bind: bind) { _ in }
    }

    /// The first row of a cached statement, read by `read` while it lies in SQLite's row (nil: no row), with the
    /// arguments `bind` sets: each bind answers SQLITE_OK (0) or an error code, and `bind` returns them or'ed,
    /// so that any error leaves a bit set. The statement is left reset, as GRDB expects to find it, whatever
    /// the step said; a failure's own message is read before that reset makes another call.
    static func firstRow<Value>(_ statement: Statement, _ db: Database, bind: (OpaquePointer) -> Int32 = { _ in SQLITE_OK },
                              _ read: (OpaquePointer) -> Value) throws -> Value? {
        var value: Value?
        try eachRow(statement, db, bind: bind) { raw in
            value = read(raw)
            return false
        }
        return value
    }

    /// Each row of a cached statement, read by `read` while it lies in SQLite's row, until `read` answers false
    /// or the rows end; bound and left reset as `firstRow` does. A long read (a replay's million rows) steps
    /// SQLite itself, without a cursor's bookkeeping and reference counts per row.
    static func eachRow(_ statement: Statement, _ db: Database, bind: (OpaquePointer) -> Int32 = { _ in SQLITE_OK },
                        _ read: (OpaquePointer) throws -> Bool) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        defer { sqlite3_reset(raw) }
        var code = bind(raw) == SQLITE_OK ? sqlite3_step(raw) : sqlite3_errcode(db.sqliteConnection)
        while code == SQLITE_ROW {
            guard try read(raw) else { return }
            code = sqlite3_step(raw)
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }

    /// Binds a text, which SQLite copies before `bind` returns (SQLITE_TRANSIENT, a macro Swift does not import).
    static func bind(_ text: String, _ raw: OpaquePointer, _ column: Int32) -> Int32 {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        // An empty text may have no storage, and a null pointer would bind NULL.
        return Canonical.withUTF8(text) { bytes in
            bytes.isEmpty ? sqlite3_bind_text(raw, column, "", 0, transient)
                : sqlite3_bind_text(raw, column, bytes.baseAddress, Int32(bytes.count), transient)
        }
    }

    /// The first column of a cached statement's first row as an integer (0 if it has no row or the column is NULL).
    static func integer(_ statement: Statement, _ db: Database, bind: (OpaquePointer) -> Int32) throws -> Int64 {
        try firstRow(statement, db, bind: bind) { raw in sqlite3_column_int64(raw, 0) } ?? 0
    }

    /// A stream's newest version (0: no event yet): one seek in the (stream, stream_version) index.
    static func streamVersion(of stream: String, _ db: Database) throws -> Int64 {
        try integer(db.cachedStatement(sql: "SELECT MAX(stream_version) FROM events WHERE stream = ?"), db) { raw in bind(stream, raw, 1) }
    }

    /// The log's last event: its seq, hash and recording time (the empty head if there is none).
    static func lastEvent(_ db: Database) throws -> LedgerHead {
        try firstRow(db.cachedStatement(sql: "SELECT seq, hash, recorded_at FROM events ORDER BY seq DESC LIMIT 1"), db) { raw in
            func text(_ column: Int32) -> String {
                // sqlite3_column_text before sqlite3_column_bytes: the length is of the text form.
                guard let start = sqlite3_column_text(raw, column) else { return "" }
                return String(decoding: UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(raw, column))), as: UTF8.self)
            }
            return LedgerHead(seq: sqlite3_column_int64(raw, 0), hash: text(1), recordedAt: text(2))
        } ?? .empty
    }
}
