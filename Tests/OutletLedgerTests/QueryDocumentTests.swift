import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
@testable import OutletLedger
import Synchronization
import Testing

@Suite("Query documents: one JSON shape for every door, its basis the projection's own")
struct QueryDocumentTests {
    @Test("the roster's document names the digest a replay gives, though it reuses the roster it already holds", arguments: ["2024-06-30", "2025-12-31", "2026-11-25"])
    func rosterDigest(asOf: String) throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let date = LocalDate(asOf)!
        let view = try ledger.projections(at: try ledger.store.head())
        let document = QueryDocument.roster(view, asOf: date)
        let replayed = try ledger.projections(at: try ledger.store.head(), useSnapshots: false, useLive: false)
        #expect(document["digest"]?.stringValue == replayed.digest(asOf: date))
        #expect(document["outlets"]?.arrayValue?.isEmpty == false)
    }

    @Test("the roster's pages, read in turn, are the whole roster in its order; each names the whole roster's basis and digest", arguments: [1, 7, 1000])
    func rosterPages(limit: Int) throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let date = LocalDate("2026-06-30")!
        let view = try ledger.projections(at: try ledger.store.head())
        let whole = QueryDocument.roster(view, asOf: date)
        let outlets = whole["outlets"]?.arrayValue ?? []
        #expect(outlets.count > 7)
        var paged: [JSONValue] = []
        var offset = 0
        while true {
            let (page, total) = QueryDocument.roster(view, asOf: date, offset: offset, limit: limit)
            #expect(total == outlets.count)
            #expect(page["page"] == .object(["offset": .integer(Int64(offset)), "limit": .integer(Int64(limit)), "total": .integer(Int64(total))]))
            #expect(page["digest"] == whole["digest"] && page["seq"] == whole["seq"])
            let entries = page["outlets"]?.arrayValue ?? []
            #expect(entries.count == min(limit, max(0, total - offset)))
            paged += entries
            offset += limit
            if offset >= total { break }
        }
        #expect(paged == outlets)
        #expect(QueryDocument.roster(view, asOf: date, offset: outlets.count + 5, limit: limit).document["outlets"] == .array([]))
    }

    @Test("readers asking at once for a basis not yet known compute its digest once; the others wait for it, and a later reader looks it up")
    func digestOfOneBasisComputedOnce() {
        let memo = DigestMemo()
        let basis = DigestMemo.Basis(seq: 7, asOf: LocalDate("2026-06-30")!)
        let computed = Mutex(0)
        let answers = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let digest = memo.digest(of: basis) {
                computed.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.3)
                return "digest"
            }
            answers.withLock { $0.append(digest) }
        }
        #expect(memo.digest(of: basis) { "recomputed" } == "digest")
        #expect(computed.withLock { $0 } == 1 && answers.withLock { $0 } == Array(repeating: "digest", count: 8))
    }
}
