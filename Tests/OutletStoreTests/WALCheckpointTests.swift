import CanonicalJSON
import Foundation
import GRDB
import Testing
import OutletCore
@testable import OutletStore

@Suite("The write-ahead log is copied into the ledger file beside the writer: the log stays short, nothing is lost, closing waits")
struct WALCheckpointTests {
    /// An event of about 24 KB: several pages of the log each.
    static func bulky(_ index: Int) -> PendingEvent {
        StoreFixture.event(index.isMultiple(of: 2) ? StoreFixture.streamA : StoreFixture.streamB,
                           payload: ["opinion": .string(String(repeating: "意", count: 8_000)), "head": .string("\(index)")])
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("back-to-back single appends write many logs' worth, and the copies beside the writer and the writer's own keep the log a few thousand pages long: it starts afresh")
    func logStaysShort() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try #require(fixture.store as? EventStore)
        let raw = try fixture.raw()
        let (pageSize, pagesBefore) = try raw.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size")!, try Int.fetchOne(db, sql: "PRAGMA page_count")!)
        }
        var longest = 0
        for index in 0..<1_500 {
            _ = try store.append([Self.bulky(index)])
            longest = max(longest, Self.fileSize(fixture.path + "-wal"))
        }
        store.finishCheckpoint()
        let pagesAfter = try raw.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
        // SQLite starts the log afresh only once a copy has reached its end: without copies that do, the log
        // would hold every page appended.
        let threshold = Int(WALCheckpointer.threshold)
        #expect(pagesAfter - pagesBefore > 8 * threshold)
        #expect(longest <= 32 + 4 * threshold * (pageSize + 24), "the log reached \(longest) bytes")
        #expect(try store.verify().count == 1_500)
    }

    @Test("a commit that takes the log past a thousand pages copies nothing into the file itself (SQLite's own checkpoint would, inside it): the copy runs beside the writer")
    func commitCopiesNothing() throws {
        try Self.commitWithCopiesHeld(200)
    }

    /// Appends `count` bulky events in one commit with the copies beside the writer held: the file must not grow
    /// until they run, and then hold every event. The log's size in bytes just after the commit.
    @discardableResult
    static func commitWithCopiesHeld(_ count: Int) throws -> Int {
        let fixture = try StoreFixture(.sqlite)
        let store = try #require(fixture.store as? EventStore)
        let checkpointer = try #require(store.checkpointer)
        let before = Self.fileSize(fixture.path)
        checkpointer.work.suspend()
        _ = try store.append((0..<count).map(Self.bulky))
        let log = Self.fileSize(fixture.path + "-wal")
        #expect(Self.fileSize(fixture.path) == before)
        checkpointer.work.resume()
        store.finishCheckpoint()
        #expect(Self.fileSize(fixture.path) > before + count * 20_000)
        #expect(try store.verify().count == count)
        return log
    }

    @Test("once the log is a thousand pages long and the copy beside the writer has left a few behind, the writer copies them after its next commit, and its next transaction starts the log afresh")
    func writerCopiesTheRest() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try #require(fixture.store as? EventStore)
        let checkpointer = try #require(store.checkpointer)
        let reader = try DatabaseQueue(path: fixture.path, configuration: { var c = Configuration(); c.allowsUnsafeTransactions = true; return c }())
        checkpointer.work.suspend()
        _ = try store.append((0..<200).map(Self.bulky))
        // A read under way holds the log as it is now: the copy beside the writer stops there.
        try reader.inDatabase { db in
            try db.execute(sql: "BEGIN")
            _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events")
        }
        _ = try store.append([Self.bulky(200)])
        checkpointer.work.resume()
        store.finishCheckpoint()
        try reader.inDatabase { db in try db.execute(sql: "COMMIT") }
        // Too few pages behind for another copy beside the writer: only the writer's own reaches the end.
        _ = try store.append([Self.bulky(201)])
        _ = try store.append([Self.bulky(202)])
        let log = try reader.inDatabase { db in try db.checkpoint(.passive).walFrameCount }
        #expect(log < Int(WALCheckpointer.batch), "the log holds \(log) pages")
        #expect(try store.verify().count == 203)
    }

    @Test("appends beside the copies lose nothing; closing the ledger waits for the copy under way, so the writer closes last, copies the rest and removes the log")
    func closingWaitsForTheCopy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        do {
            let store = try EventStore.create(at: path, clock: ManualClock(Timestamp("2025-10-10T01:00:00.000Z")!))
            for index in 0..<300 { _ = try store.append([Self.bulky(index)]) }
            // Some 1,800 pages in one commit, short of the ceiling: a copy is queued or under way as the ledger closes.
            _ = try store.append((300..<600).map(Self.bulky))
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let reopened = try EventStore.open(at: path, readonly: true)
        #expect(try reopened.verify().count == 600)
    }

    @Test("a commit that takes the log past the ceiling at once (a long import's) copies nothing itself either: the copy runs beside the writer while the importer goes on")
    func longCommitCopiesNothing() throws {
        // Some 18,000 pages of the log in the one commit.
        #expect(try Self.commitWithCopiesHeld(3_000) > Int(WALCheckpointer.ceiling) * 4_096)
    }

    @Test("closing the store closes its file at once: the log is copied in and removed; closing again does nothing")
    func closeClosesTheFile() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try #require(fixture.store as? EventStore)
        _ = try store.append((0..<20).map(Self.bulky))
        #expect(FileManager.default.fileExists(atPath: fixture.path + "-wal"))
        store.close()
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "-wal"))
        store.close()
        #expect(try EventStore.open(at: fixture.path, readonly: true).verify().count == 20)
    }

    @Test("a ledger opened read-only hands no copy to a thread: it writes nothing")
    func readerCopiesNothing() throws {
        let fixture = try StoreFixture(.sqlite)
        _ = try fixture.store.append([Self.bulky(0)])
        let reader = try EventStore.open(at: fixture.path, readonly: true)
        #expect(reader.checkpointer == nil)
        #expect(try #require(fixture.store as? EventStore).checkpointer != nil)
    }
}
