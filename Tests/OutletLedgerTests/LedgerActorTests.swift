import Foundation
import OutletCore
import OutletDomain
import OutletLedger
import OutletTestSupport
import Testing

@Suite("The async door: one writer per ledger, reads concurrent and never waiting for it")
struct LedgerActorTests {
    /// Included outlets whose addresses are then changed, many at once from concurrent tasks.
    static let streams = ["91350100M000100Y43", "91110000802100433B"]

    @Test("forty appends from concurrent tasks: all recorded, gap-free, the chain verifies; reads run alongside")
    func concurrentAppends() async throws {
        let fixture = try LedgerFixture()
        let ledger = LedgerActor(try fixture.ledger)
        _ = try await ledger.append(Self.streams.map(Sample.inclusion))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let stream = Self.streams[index % 2]
                group.addTask {
                    let change = Sample.candidate("info-changed", stream: stream, on: "2025-09-02",
                                                  payload: ["changes": ["address": .string("沈阳市沈河区文化路\(index)号")]])
                    _ = try await ledger.append([change])
                }
                if index % 10 == 0 {
                    group.addTask {
                        let view = try await ledger.read { ledger throws(LedgerError) in try ledger.projections(at: try ledger.store.head()) }
                        #expect(view.projection.roster(on: day("2025-09-02")).count == 2)
                    }
                }
            }
            try await group.waitForAll()
        }
        let report = try await ledger.read { ledger throws(LedgerError) in try ledger.audit() }
        #expect(report.chain.count == genesis + 42 && report.eventsDecided == genesis + 42)
        let events = try await ledger.read { ledger throws(LedgerError) in try ledger.store.events() }
        #expect(events.map(\.seq) == Array(1...genesis + 42))
        for stream in Self.streams {
            #expect(events.filter { $0.stream == stream }.map(\.streamVersion) == Array(1...21))
        }
    }

    @Test("a refusal crosses the door as the same typed error, nothing written")
    func refusal() async throws {
        let fixture = try LedgerFixture()
        let ledger = LedgerActor(try fixture.ledger)
        await #expect(throws: LedgerError.self) {
            _ = try await ledger.append([Sample.registration()[3]])
        }
        let head = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head() }
        #expect(head.seq == 0)
    }
}
