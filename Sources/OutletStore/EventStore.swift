import Foundation
import GRDB
import OutletCore
import Synchronization

/// The append-only, hash-chained event log in one SQLite file: the ledger file. The only module that
/// knows SQLite (GRDB).
///
/// One writer at a time (`BEGIN IMMEDIATE`), so sequence order is commit order and two processes
/// appending at once queue up instead of forking the chain.
public final class EventStore: EventLog {
    /// The newest ledger format this program reads and writes.
    public static var formatVersion: Int { LedgerSchema.formatVersion }

    public let path: String
    public var location: String { path }
    /// The writer's connection (a read-only ledger's only one).
    let queue: DatabaseQueue
    /// Where the reads outside a write go (none for a reader: its one connection holds up no writer).
    let readers: ReaderConnections?
    public let clock: any LedgerClock
    /// Copies the write-ahead log into the file off the append path (none for a reader).
    let checkpointer: WALCheckpointer?
    private let closed = Atomic<Bool>(false)

    private init(path: String, queue: DatabaseQueue, clock: any LedgerClock, writable: Bool) throws {
        self.path = path
        self.queue = queue
        self.clock = clock
        if writable {
            let checkpointer = WALCheckpointer(path: path)
            queue.writeWithoutTransaction { db in checkpointer.install(on: db) }
            self.checkpointer = checkpointer
            readers = ReaderConnections(path: path, configuration: Self.configuration(readonly: true))
        } else {
            checkpointer = nil
            readers = nil
        }
    }

    deinit {
        close()
    }

    /// The readers first, then the copy beside the writer is waited for, then the writer: closed last, it
    /// copies the rest of the log into the file and removes it. Closing twice does nothing more.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        readers?.close()
        if let checkpointer {
            queue.unsafeReentrantWrite { db in checkpointer.uninstall(from: db) }
            checkpointer.finish()
        }
        try? queue.close()
    }

    /// Waits for the copy of the write-ahead log into the file under way, if there is one: after it, the
    /// files change only by a write.
    package func finishCheckpoint() {
        checkpointer?.finish()
    }

    static func configuration(readonly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readonly
        // Another process holding the write lock is waited for, not reported as an error.
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // An acknowledged append survives power loss, not just a crash of this process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    /// Creates a new, empty ledger with its write-once settings; refuses to touch an existing file.
    public static func create(at path: String, clock: any LedgerClock = SystemClock(),
                              settings: [String: String] = [:]) throws(LedgerError) -> EventStore
    {
        if FileManager.default.fileExists(atPath: path) {
            throw LedgerError(.ledgerUnusable, "\(path) already exists; init never overwrites a ledger")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(readonly: false))
            // WAL: readers never block the one writer. Set once here; it persists in the file.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try LedgerSchema.migrator.migrate(queue)
            try queue.write { db in
                for (key, value) in settings {
                    try db.execute(sql: "INSERT INTO ledger_settings (key, value) VALUES (?, ?)", arguments: [key, value])
                }
            }
            return try EventStore(path: path, queue: queue, clock: clock, writable: true)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw storageError(error, path: path)
        }
    }

    /// Opens an existing ledger, refusing anything that is not one (or is of a newer format).
    public static func open(at path: String, clock: any LedgerClock = SystemClock(),
                            readonly: Bool = false) throws(LedgerError) -> EventStore
    {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LedgerError(.ledgerUnusable, "no ledger at \(path) (create one with `outlet-ledger init`)")
        }
        guard !isDirectory.boolValue else { throw LedgerError(.ledgerUnusable, "\(path) is a directory, not a ledger") }
        do {
            let target = readonly ? try readerTarget(path) : path
            let queue = try DatabaseQueue(path: target, configuration: configuration(readonly: readonly))
            let current = try queue.read { db in
                try checkIdentity(db, path: path)
                return try LedgerSchema.migrator.hasCompletedMigrations(db)
            }
            // Only a ledger of an older format is written to on open; a current one is left byte-for-byte.
            if !current && !readonly {
                try LedgerSchema.migrator.migrate(queue)
            }
            return try EventStore(path: path, queue: queue, clock: clock, writable: !readonly)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw storageError(error, path: path)
        }
    }

    /// How a reader opens the file without leaving anything behind. SQLite reads a WAL ledger through
    /// its `-wal` and `-shm` files and creates them if they are missing: impossible in a read-only
    /// folder, and in a shared folder files created by another user lock the owner out. So where no
    /// writer has them open and this user is not the one who may write, the reader opens the file
    /// `immutable` (no locks, no side files); where a writer has them, it reads through them.
    static func readerTarget(_ path: String) throws -> String {
        let manager = FileManager.default
        let wal = path + "-wal", shm = path + "-shm"
        if manager.fileExists(atPath: wal) && manager.fileExists(atPath: shm) { return path }
        let folder = (path as NSString).deletingLastPathComponent
        var status = stat()
        let ownFile = stat(path, &status) == 0 && status.st_uid == geteuid()
        let folderWritable = access(folder.isEmpty ? "." : folder, W_OK) == 0 && filesystemCondition(of: path) == nil
        if ownFile && folderWritable { return path }
        if let size = (try? manager.attributesOfItem(atPath: wal))?[.size] as? Int, size > 0 {
            throw LedgerError(.storage, "\(path) has a write-ahead log (\(wal)) not yet merged into it, and this user cannot create its shared-memory file; open it once as its owner, or read a copy")
        }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let absolute = path.hasPrefix("/") ? path : manager.currentDirectoryPath + "/" + path
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    private static func checkIdentity(_ db: Database, path: String) throws {
        guard try db.tableExists("ledger_meta"), try db.tableExists("events") else {
            throw LedgerError(.ledgerUnusable, "\(path) is an SQLite database but not an outlet ledger (no ledger_meta/events tables)")
        }
        let application = try String.fetchOne(db, sql: "SELECT value FROM ledger_meta WHERE key = 'application'")
        guard application == LedgerSchema.applicationId else {
            throw LedgerError(.ledgerUnusable, "\(path) is an SQLite database but not an outlet ledger")
        }
        let version = try String.fetchOne(db, sql: "SELECT value FROM ledger_meta WHERE key = 'formatVersion'")
            .flatMap(Int.init) ?? 0
        if version > LedgerSchema.formatVersion {
            throw LedgerError(.ledgerUnusable,
                "\(path) has ledger format version \(version), newer than this program's \(LedgerSchema.formatVersion); use a newer outlet-ledger")
        }
        if try LedgerSchema.migrator.hasBeenSuperseded(db) {
            let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let unknown = applied.filter { !LedgerSchema.knownMigrations.contains($0) }
            throw LedgerError(.ledgerUnusable,
                "\(path) records migrations this program does not know (\(unknown.joined(separator: ", "))): it was changed by a newer outlet-ledger; use that one")
        }
    }

    /// "the disk is full" or "the filesystem is read-only", if the folder holding `path` is so.
    static func filesystemCondition(of path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        var stats = statvfs()
        guard statvfs(folder.isEmpty ? "." : folder, &stats) == 0 else { return nil }
        if stats.f_flag & UInt(ST_RDONLY) != 0 { return "the filesystem is read-only" }
        let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        if free < 256 * 1024 { return "the disk is full (\(free / 1024) KiB free)" }
        return nil
    }

    /// SQLite's and the system's failures in the ledger's words.
    public static func storageError(_ error: any Error, path: String) -> LedgerError {
        let described = describe(error, path: path)
        return error is LedgerError ? described : described.underlying(error)
    }

    private static func describe(_ error: any Error, path: String) -> LedgerError {
        if let error = error as? LedgerError { return error }
        guard let error = error as? DatabaseError else {
            return LedgerError(.storage, "\(path): \(error)")
        }
        // SQLite reports a full or read-only filesystem in several ways (an I/O error mapping the shared
        // memory file, a file it cannot open): ask the filesystem itself.
        if [.SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_FULL, .SQLITE_READONLY].contains(error.resultCode),
           let condition = filesystemCondition(of: path)
        {
            return LedgerError(.storage, "\(path): \(condition); nothing was written")
        }
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return LedgerError(.ledgerUnusable, "\(path) is not a ledger (not an SQLite database)")
        case .SQLITE_FULL:
            return LedgerError(.storage, "\(path): the disk is full; nothing was written")
        case .SQLITE_READONLY:
            return LedgerError(.storage, "\(path) is read-only; nothing was written")
        case .SQLITE_CANTOPEN:
            return LedgerError(.storage, "\(path) cannot be opened (\(error.message ?? "no reason given"))")
        case .SQLITE_BUSY:
            return LedgerError(.conflict, "\(path) stayed locked by another writer for 30 s; nothing was written")
        case .SQLITE_CORRUPT:
            return LedgerError(.integrityFailure, "\(path) is a corrupt SQLite file: \(error.message ?? "")")
        default:
            return LedgerError(.storage, "\(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
