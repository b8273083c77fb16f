import Dispatch
import Foundation
import Synchronization
import Testing
import OutletCore
@testable import OutletStore

@Suite("A read of the ledger file holds up no append: it runs on a connection of its own and sees the log as committed when it began")
struct ReadBesideAppendTests {
    @Test("an append commits while a fold of the log is paused half way, and the fold reads only what was committed before it began")
    func appendBesidePausedRead() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try #require(fixture.store as? EventStore)
        _ = try store.append((0..<20).map { _ in StoreFixture.event() })
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let read = Mutex<Result<[Int64], LedgerError>?>(nil)
        let readDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var seqs: [Int64] = []
            let result = Result { () throws(LedgerError) -> [Int64] in
                try store.forEachFoldRow(fromSeq: 1, toSeq: .max) { row in
                    seqs.append(row.seq)
                    if seqs.count == 1 {
                        inside.signal()
                        release.wait()
                    }
                }
                return seqs
            }
            read.withLock { $0 = result }
            readDone.signal()
        }
        inside.wait()
        // On a thread of its own, so that a store whose reads held up its writes fails this test instead of hanging it.
        let appended = Mutex<Result<[AppendResult], LedgerError>?>(nil)
        let appendDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result { () throws(LedgerError) in try store.append([StoreFixture.event(StoreFixture.streamB)]) }
            appended.withLock { $0 = result }
            appendDone.signal()
        }
        let inTime = appendDone.wait(timeout: .now() + 10) == .success
        release.signal()
        readDone.wait()
        if !inTime { appendDone.wait() }
        #expect(inTime, "the append waited for the read to end")
        #expect(try read.withLock { try $0?.get() } == Array(1...20))
        #expect(try appended.withLock { try $0?.get().map(\.seq) } == [21])
        #expect(try store.head().seq == 21)
    }
}
