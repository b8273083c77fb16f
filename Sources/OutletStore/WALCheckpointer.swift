import Dispatch
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the ledger file on a connection and a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the log past a thousand pages: one
/// single append in about 160 then also copies those pages into the file and waits for them to reach the
/// disk (5–8 ms), and those appends made the p99. Here every commit that leaves a few dozen pages of the
/// log uncopied hands the copy to this thread instead: a passive checkpoint takes no lock a writer needs, so
/// the appends go on beside it, and a flush of a few dozen pages is short (one of a thousand, beside the
/// appends, held their own flushes up for 4–5 ms). SQLite starts the log afresh only after a copy that
/// reaches its end, which one beside back-to-back appends seldom does; so once the log is a thousand pages
/// long, the writer copies the few pages left after its next commit itself (a log that only grew would make
/// every read of a page search more of it). When appends come far apart, as a registry's do, the copy
/// beside reaches the end and the writer copies nothing. What is durable does not change: a commit is
/// durable in the log, and a copy cut short by a crash is redone from the log at the next open.
final class WALCheckpointer: Sendable {
    /// Pages of the log not yet in the file that make a copy beside the writer due.
    static let batch: Int32 = 64
    /// The log's length in pages from which the writer copies the last pages itself: SQLite's own default.
    static let threshold: Int32 = 1_000
    /// Pages the copy beside the writer may leave behind, for the writer's own.
    static let tail: Int32 = 32
    /// How many times in a row the copy beside the writer goes again for what was appended meanwhile.
    static let passes = 8
    /// Pages of the log at which the writer copies all of it itself, once the copies beside it fail.
    static let ceiling: Int32 = 16 * threshold

    private let path: String
    /// Where the copies beside the writer run, one at a time (a test holds them back with `suspend()`).
    let work = DispatchQueue(label: "outlet-ledger.checkpoint", qos: .utility)
    /// A copy is queued or under way beside the writer.
    private let due = Atomic<Bool>(false)
    /// The pages at the start of the log that the last copy put in the file.
    private let copied = Atomic<Int32>(0)
    /// The last copy beside the writer failed: the writer copies a log past the ceiling itself.
    private let failing = Atomic<Bool>(false)
    /// Opened by the first copy, used only on `work`.
    private let connection = Mutex<DatabaseQueue?>(nil)

    init(path: String) {
        self.path = path
    }

    /// Takes over the checkpoints of the writer's connection `db` (its automatic ones stop: SQLite runs
    /// them from the same hook). This object must outlive the hook: `uninstall` it first.
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, db, _, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: pages, on: db)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    func uninstall(from db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, nil, nil)
    }

    /// Waits for a copy under way, and closes this connection: the writer's, closed last, then copies
    /// whatever is left and removes the log, as SQLite does when a ledger's last connection closes.
    func finish() {
        work.sync { connection.withLock { $0 = nil } }
    }

    /// After each commit of the writer, with the log's length in pages (its write lock already released).
    private func committed(pages: Int32, on writer: OpaquePointer?) {
        guard !due.load(ordering: .acquiring) else { return }
        var copied = copied.load(ordering: .relaxed)
        if copied > pages {
            // The writer has started the log afresh since (its transaction began with all of it in the file).
            copied = 0
            self.copied.store(0, ordering: .relaxed)
        }
        let behind = pages - copied
        // A log past the ceiling in one commit (a long import's) is copied beside the writer too, while the
        // importer goes on to its snapshot: copied here, it held a million-event import up for two seconds.
        if (pages >= Self.threshold && copied > 0 && behind <= 4 * Self.tail) || (pages >= Self.ceiling && failing.load(ordering: .relaxed)) {
            if Self.checkpoint(writer) != nil { self.copied.store(0, ordering: .relaxed) }
        } else if behind >= Self.batch {
            due.store(true, ordering: .relaxed)
            work.async { self.copyBeside() }
        }
    }

    private func copyBeside() {
        connection.withLock { connection in
            do {
                if connection == nil {
                    connection = try DatabaseQueue(path: path, configuration: EventStore.configuration(readonly: false))
                }
                connection?.writeWithoutTransaction { db in
                    var flushed = false
                    for _ in 0..<Self.passes {
                        guard let (pages, copied) = Self.checkpoint(db.sqliteConnection) else { break }
                        self.copied.store(copied, ordering: .relaxed)
                        flushed = copied == pages
                        if pages - copied <= Self.tail { break }
                    }
                    // SQLite flushes the file only after a copy that reaches the log's end, which one beside
                    // appends seldom does: the writer's last copy would then flush all of them. Flushed here.
                    if !flushed { Self.flush(db.sqliteConnection) }
                }
                failing.store(false, ordering: .relaxed)
            } catch {
                // Housekeeping, not a write of the ledger's: the next commit tries again.
                connection = nil
                failing.store(true, ordering: .relaxed)
            }
        }
        due.store(false, ordering: .releasing)
    }

    /// Writes the file's pages the copies changed to the disk, through this connection's own handle of the
    /// file: a descriptor of our own would, once closed, drop every lock this process holds on the file (POSIX
    /// locks are per process), and another process would then take the ledger for unused and remove its log.
    private static func flush(_ connection: OpaquePointer?) {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(connection, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK,
              let file, let sync = file.pointee.pMethods?.pointee.xSync else { return }
        _ = sync(file, SQLITE_SYNC_FULL | SQLITE_SYNC_DATAONLY)
    }

    /// A passive checkpoint: the log's pages and how many of them are now in the file, or nil if it could
    /// not run (another copy under way, or an error, which the next one meets again).
    private static func checkpoint(_ connection: OpaquePointer?) -> (pages: Int32, copied: Int32)? {
        var pages: Int32 = 0, copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &pages, &copied)
        return code == SQLITE_OK ? (pages, copied) : nil
    }
}
