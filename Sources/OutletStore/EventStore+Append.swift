import Foundation
import GRDB
import GRDBSQLite
import OutletCore

extension EventStore {
    /// Appends sealed envelopes in one `BEGIN IMMEDIATE` transaction (a savepoint, inside
    /// `inOneTransaction`), all or none, if the head is still `expectedHead`: one writer at a time, so seq
    /// order is commit order, and a writer that decided on an older head is told so (a `headMoved`
    /// conflict) instead of forking the chain.
    public func append(_ envelopes: [Envelope], expectedHead: LedgerHead) throws(LedgerError) {
        try insert(envelopes, expectedHead: expectedHead) { db throws(LedgerError) in
            try Self.checkContinues(envelopes, from: expectedHead) { stream throws(LedgerError) in
                do {
                    return try Self.streamVersion(of: stream, db)
                } catch {
                    throw Self.storageError(error, path: self.path)
                }
            }
        }
    }

    public func append(_ prepared: PreparedAppend) throws(LedgerError) {
        let envelopes = prepared.envelopes
        try insert(envelopes, expectedHead: prepared.head) { _ throws(LedgerError) in try Self.checkLinks(envelopes, from: prepared.head) }
    }

    /// The write both appends share: the head compared, `check` run, the envelopes and the head record written.
    private func insert(_ envelopes: [Envelope], expectedHead: LedgerHead, check: (Database) throws(LedgerError) -> Void) throws(LedgerError) {
        guard !envelopes.isEmpty else { return }
        do {
            try write { db in
                let head = try Self.lastEvent(db)
                guard head.seq == expectedHead.seq, head.hash == expectedHead.hash else {
                    var error = LedgerError(.conflict, "the log moved from seq \(expectedHead.seq) to seq \(head.seq) while this append was decided")
                    error.conflict = .init(kind: .headMoved, expected: expectedHead.seq, actual: head.seq)
                    throw error
                }
                try check(db)
                try Self.insertRows(envelopes, db)
                let last = envelopes[envelopes.count - 1]
                let record = try db.cachedStatement(sql: """
                    INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                    """)
                try Self.stepRaw(record, db) { raw in sqlite3_bind_int64(raw, 1, last.seq) | Self.bind(last.hash, raw, 2) }
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    /// The events' rows, bound straight to SQLite's statement: GRDB's arguments box every column and copy
    /// every text once more, a tenth of an import's deciding thread; read through the array's storage, an
    /// envelope is not copied out whole (a dozen reference counts) for its fields to be read.
    private static func insertRows(_ envelopes: [Envelope], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO events (seq, event_id, stream, stream_version, type, schema_version, effective_on,
                recorded_at, actor_role, actor_unit, actor_name, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try envelopes.withUnsafeBufferPointer { envelopes in
            for place in envelopes.indices {
                let envelope = envelopes.baseAddress! + place
                try stepRaw(statement, db) { raw in
                    sqlite3_bind_int64(raw, 1, envelope.pointee.seq) | bind(envelope.pointee.eventId, raw, 2)
                        | bind(envelope.pointee.stream, raw, 3) | sqlite3_bind_int64(raw, 4, envelope.pointee.streamVersion)
                        | bind(envelope.pointee.type, raw, 5) | sqlite3_bind_int64(raw, 6, envelope.pointee.schemaVersion)
                        | bind(envelope.pointee.effectiveOn, raw, 7) | bind(envelope.pointee.recordedAt, raw, 8)
                        | bind(envelope.pointee.actor.role, raw, 9) | bind(envelope.pointee.actor.unit, raw, 10)
                        | bind(envelope.pointee.actor.name, raw, 11) | bind(envelope.pointee.payload, raw, 12)
                        | bind(envelope.pointee.prevHash, raw, 13) | bind(envelope.pointee.hash, raw, 14)
                }
            }
        }
    }

    /// A write in a `BEGIN IMMEDIATE` transaction of its own, or, inside `inOneTransaction`, in a
    /// savepoint of that one (undone alone if it fails, the rest kept for the outer commit or rollback).
    /// The statements that open and close them are prepared once per connection: GRDB's `inTransaction` and
    /// `inSavepoint` parse four of them anew for every single append (3% of its CPU).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try queue.unsafeReentrantWrite { db in
            try Self.$writing.withValue(true) {
                let nested = db.isInsideTransaction
                try db.cachedStatement(sql: nested ? "SAVEPOINT write" : "BEGIN IMMEDIATE TRANSACTION").execute()
                let result: T
                do {
                    result = try body(db)
                    try db.cachedStatement(sql: nested ? "RELEASE SAVEPOINT write" : "COMMIT TRANSACTION").execute()
                } catch {
                    // The first error is the one told. Some errors (a full disk, an I/O error) have already rolled
                    // the whole transaction back; then there is nothing left to undo.
                    if db.isInsideTransaction {
                        if nested {
                            try? db.execute(sql: "ROLLBACK TO SAVEPOINT write; RELEASE SAVEPOINT write")
                        } else {
                            try? db.rollback()
                        }
                    }
                    throw error
                }
                return result
            }
        }
    }

    /// Whether this thread is inside a write: the store's reads then go to the writer's connection, which
    /// holds what the write has added so far.
    @TaskLocal static var writing = false

    public func inOneTransaction<T>(long: Bool, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        var outcome: Result<T, LedgerError>?
        do {
            // A long write touches index pages all over the file: a larger page cache for it keeps them
            // in memory instead of spilling and re-reading them (SQLite's default is 2 MiB). Each of its
            // writes is a savepoint, whose journal of the pages it changes is kept in memory too (a chunk's is
            // a few MiB), not written to a temporary file page by page.
            var cacheSize: Int?
            if long {
                cacheSize = try queue.unsafeReentrantWrite { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000 }
                try queue.unsafeReentrantWrite { db in
                    try db.execute(sql: "PRAGMA cache_size = -\(Self.transactionCacheKiB); PRAGMA temp_store = MEMORY")
                }
            }
            defer {
                if let cacheSize {
                    try? queue.unsafeReentrantWrite { db in try db.execute(sql: "PRAGMA cache_size = \(cacheSize); PRAGMA temp_store = DEFAULT") }
                }
            }
            try write { _ in
                outcome = Result { () throws(LedgerError) in try body() }
                // A failure rolls the whole transaction back: thrown out of it, then told as it was.
                if case .failure = outcome { throw Rollback() }
            }
        } catch is Rollback {
        } catch {
            throw Self.storageError(error, path: path)
        }
        guard let outcome else { preconditionFailure("the transaction ran its body") }
        return try outcome.get()
    }

    private struct Rollback: Error {}

    /// The page cache of an `inOneTransaction` write, in KiB.
    static let transactionCacheKiB = 65_536
}
