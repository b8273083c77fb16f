import Foundation
import GRDB
import GRDBSQLite
import OutletCore

// Snapshots are opaque frames here: the store keeps them next to the log, and knows nothing of what
// they hold. A ledger opened read-only from before format 2 has no snapshots table, and so no snapshots.
extension EventStore {
    public func saveSnapshot(seq: Int64, hash: String, formatVersion: Int, projectionVersion: Int,
                             contentSize: Int, baseSeq: Int64?, frame: [UInt8]) throws(LedgerError)
    {
        let createdAt = clock.now().description
        do {
            // A frame is megabytes. It is written through a connection of its own, which then copies the
            // write-ahead log into the file (a passive checkpoint, which takes no lock the appends need):
            // through the log's connection, that copy would run inside the next append's commit.
            let aside = try DatabaseQueue(path: path, configuration: Self.configuration(readonly: false))
            try aside.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            try aside.write { db in
                // In the transaction that stores it: a prune between the segment's making and now took its base.
                if let baseSeq, try Int64.fetchOne(db, sql: "SELECT seq FROM snapshots WHERE seq = ?", arguments: [baseSeq]) == nil {
                    throw StoredSnapshot.baseGone(baseSeq, of: seq)
                }
                try db.execute(sql: """
                    INSERT OR REPLACE INTO snapshots (seq, hash, format_version, projection_version, created_at, content_size, base_seq, frame)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [seq, hash, formatVersion, projectionVersion, createdAt, contentSize, baseSeq, Data(frame)])
            }
            try aside.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            try aside.close()
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    public func newestSnapshotSeq() throws(LedgerError) -> Int64 {
        try read { db in
            guard try db.tableExists("snapshots") else { return 0 }
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM snapshots")) ?? 0
        }
    }

    /// Every stored snapshot, newest first.
    public func snapshots() throws(LedgerError) -> [StoredSnapshot] {
        try read { db in
            guard try db.tableExists("snapshots") else { return [] }
            // A ledger of format 6 or older opened read-only has no segments, and no column for their bases.
            let base = try db.columns(in: "snapshots").contains { $0.name == "base_seq" } ? "base_seq" : "NULL"
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, hash, format_version, projection_version, created_at, content_size, length(frame), \(base)
                FROM snapshots ORDER BY seq DESC
                """)).map { row in
                StoredSnapshot(seq: row[0], hash: row[1], formatVersion: row[2], projectionVersion: row[3],
                               createdAt: row[4], contentSize: row[5], frameSize: row[6], baseSeq: row[7])
            }
        }
    }

    /// The frame of the snapshot of `seq`, if there is one.
    public func snapshotFrame(seq: Int64) throws(LedgerError) -> [UInt8]? {
        try read { db in
            guard try db.tableExists("snapshots") else { return nil }
            // Copied once, from SQLite's own buffer: through a `Data` first, tens of megabytes were copied twice.
            let rows = try Row.fetchCursor(db, sql: "SELECT frame FROM snapshots WHERE seq = ?", arguments: [seq])
            guard let row = try rows.next() else { return nil }
            return try row.withUnsafeData(atIndex: 0) { data in data.map { [UInt8]($0) } }
        }
    }

    /// The frame read through SQLite's incremental blob I/O, straight from the database pages into the
    /// reader's buffer: no statement result holding the whole blob, no copy of it.
    public func withSnapshotFrame<T>(seq: Int64, _ body: (Int, (UnsafeMutableRawBufferPointer, Int) -> Bool) -> T) throws(LedgerError) -> T? {
        try read { db in
            guard try db.tableExists("snapshots") else { return nil }
            var blob: OpaquePointer?
            // A row that is not there is an error of the open (the rowid is the seq); so is a missing table.
            guard sqlite3_blob_open(db.sqliteConnection, "main", "snapshots", "frame", seq, 0, &blob) == SQLITE_OK, let blob else {
                sqlite3_blob_close(blob)
                return nil
            }
            defer { sqlite3_blob_close(blob) }
            let count = Int(sqlite3_blob_bytes(blob))
            return body(count) { piece, offset in
                guard offset >= 0, piece.count <= Int(Int32.max), offset <= Int(Int32.max) - piece.count else { return false }
                return sqlite3_blob_read(blob, piece.baseAddress, Int32(piece.count), Int32(offset)) == SQLITE_OK
            }
        }
    }

    public func pruneSnapshots(keep: Int) throws(LedgerError) -> [Int64] {
        do {
            return try write { db in
                let stored = try Row.fetchAll(db, sql: "SELECT seq, base_seq FROM snapshots").map { row in (seq: row[0] as Int64, baseSeq: row[1] as Int64?) }
                let doomed = StoredSnapshot.prunable(keeping: keep, of: stored)
                for seq in doomed { try db.execute(sql: "DELETE FROM snapshots WHERE seq = ?", arguments: [seq]) }
                return doomed
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }
}

extension EventStore {
    public func saveCheckpoint(size: Int64, note: String) throws(LedgerError) {
        let createdAt = clock.now().description
        do {
            try write { db in
                try db.execute(sql: "INSERT INTO checkpoints (size, note, created_at) VALUES (?, ?, ?)", arguments: [size, note, createdAt])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw LedgerError(.conflict, "a checkpoint of size \(size) is already stored").underlying(error)
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    public func checkpoints() throws(LedgerError) -> [(size: Int64, note: String)] {
        try read { db in
            guard try db.tableExists("checkpoints") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT size, note FROM checkpoints ORDER BY size").map { ($0[0], $0[1]) }
        }
    }
}

extension EventStore {
    public func saveToken(_ token: AccessToken) throws(LedgerError) {
        do {
            try write { db in
                try db.execute(sql: """
                    INSERT INTO access_tokens (id, sha256, role, unit, name, issued_at, expires_on, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
                    """, arguments: [token.id, token.sha256, token.role, token.unit, token.name, token.issuedAt, token.expiresOn])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw LedgerError(.conflict, "a token with id \(token.id) is already stored").underlying(error)
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    public func tokens() throws(LedgerError) -> [AccessToken] {
        try read { db in
            guard try db.tableExists("access_tokens") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM access_tokens ORDER BY issued_at, id").map(Self.token(row:))
        }
    }

    public func token(sha256: String) throws(LedgerError) -> AccessToken? {
        try read { db in
            guard try db.tableExists("access_tokens") else { return nil }
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM access_tokens WHERE sha256 = ?"), arguments: [sha256]).map(Self.token(row:))
        }
    }

    public func revokeToken(id: String) throws(LedgerError) -> Bool {
        let now = clock.now().description
        do {
            return try write { db in
                try db.execute(sql: "UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [now, id])
                return db.changesCount == 1
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    private static func token(row: Row) -> AccessToken {
        AccessToken(id: row["id"], sha256: row["sha256"], role: row["role"], unit: row["unit"], name: row["name"],
                    issuedAt: row["issued_at"], expiresOn: row["expires_on"], revokedAt: row["revoked_at"])
    }
}
