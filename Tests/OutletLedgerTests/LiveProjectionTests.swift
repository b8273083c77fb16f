import Foundation
import OutletCore
import OutletDomain
import OutletLedger
import OutletTestSupport
import Testing

@Suite("A long-lived ledger keeps one head projection: any (date, known-at) from memory, extended by appends")
struct LiveProjectionTests {
    @Test("after the first query of the whole log, every position is read from the kept projection, equal to a fold of the log to it")
    func anyPositionFromMemory() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        #expect(try !ledger.projections(at: head).fromLiveProjection)
        for seq in stride(from: Int64(1), through: head.seq, by: 30) {
            let position = try ledger.position(atSeq: seq)
            let live = try ledger.projections(at: position)
            #expect(live.fromLiveProjection && live.tailEvents == 0 && live.snapshotSeq == nil, "seq \(seq)")
            let folded = try ledger.projections(at: position, useSnapshots: false)
            for date in ["2024-06-30", "2025-12-31", "2026-11-25"] {
                #expect(live.digest(asOf: day(date)) == folded.digest(asOf: day(date)), "seq \(seq), \(date)")
            }
        }
    }

    @Test("this process's appends extend it; another writer's are folded in when read")
    func appendsExtendIt() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Array(Sample.registration().prefix(2)))
        _ = try ledger.projections(at: try ledger.store.head())
        _ = try ledger.append([Sample.registration()[2]])
        let own = try ledger.projections(at: try ledger.store.head())
        #expect(own.fromLiveProjection && own.tailEvents == 0 && own.position.seq == genesis + 3)
        let other = try Ledger.open(at: fixture.path, clock: fixture.clock)
        _ = try other.append([Sample.registration()[3]])
        let caughtUp = try ledger.projections(at: try ledger.store.head())
        #expect(caughtUp.fromLiveProjection && caughtUp.tailEvents == 1)
        #expect(caughtUp.projection.status(of: USCC(Sample.university)!, on: day("2025-10-10")).status == .active)
        #expect(caughtUp.digest(asOf: day("2026-01-01")) == (try ledger.projections(at: caughtUp.position, useSnapshots: false).digest(asOf: day("2026-01-01"))))
    }
}
