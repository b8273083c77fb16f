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

    @Test("readers asking at once for a basis not yet known compute its value once; the others wait for it, and a later reader looks it up")
    func basisComputedOnce() {
        let memo = BasisMemo<String>(capacity: 16) { _ in 1 }
        let basis = BasisMemo<String>.Basis(seq: 7, asOf: LocalDate("2026-06-30")!)
        let computed = Mutex(0)
        let answers = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let digest = memo.value(of: basis) {
                computed.withLock { $0 += 1 }
                Thread.sleep(forTimeInterval: 0.3)
                return "digest"
            }
            answers.withLock { $0.append(digest) }
        }
        #expect(memo.value(of: basis) { "recomputed" } == "digest")
        #expect(computed.withLock { $0 } == 1 && answers.withLock { $0 } == Array(repeating: "digest", count: 8))
    }

    @Test("a memo past its capacity forgets its oldest bases first, by weight, and keeps the newest even when it alone is over")
    func memoForgetsOldestByWeight() {
        let memo = BasisMemo<[Int]>(capacity: 10) { $0.count }
        func basis(_ seq: Int64) -> BasisMemo<[Int]>.Basis { .init(seq: seq, asOf: LocalDate("2026-06-30")!) }
        for seq: Int64 in 1...3 { _ = memo.value(of: basis(seq)) { Array(repeating: Int(seq), count: 4) } }
        // 12 > 10: the first went; the second and third stay.
        #expect(memo.value(of: basis(1)) { [0] } == [0])
        #expect(memo.value(of: basis(2)) { [0] } == [2, 2, 2, 2])
        #expect(memo.value(of: basis(3)) { [0] } == [3, 3, 3, 3])
        _ = memo.value(of: basis(4)) { Array(repeating: 4, count: 20) }
        #expect(memo.value(of: basis(4)) { [0] }.count == 20)
        #expect(memo.value(of: basis(3)) { [0] } == [0])
    }

    @Test("a roster order kept for one basis is read at no other: pages at two seqs of one day are each their own replay's")
    func ordersKeptByBasis() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        let date = LocalDate("2026-06-30")!
        var pages: [Int64: JSONValue] = [:]
        for seq in [head.seq / 2, head.seq, head.seq / 2] {
            let position = try ledger.position(atSeq: seq)
            let page = QueryDocument.roster(try ledger.projections(at: position), asOf: date, offset: 0, limit: 1000).document
            let replayed = try ledger.projections(at: position, useSnapshots: false, useLive: false)
            #expect(page == QueryDocument.roster(replayed, asOf: date, offset: 0, limit: 1000).document, "seq \(seq)")
            pages[seq] = page
        }
        #expect(pages[head.seq]?["outlets"] != pages[head.seq / 2]?["outlets"])
    }
}

@Suite("A knownAt is read as RFC 3339 writes times (§5.6), as Foundation's ISO 8601 reader reads them")
struct KnownAtTimeTests {
    @Test("offsets, fractions (kept to the millisecond, rounded down) and the forms RFC 3339 allows; anything else refused")
    func readsRFC3339() {
        let cases: [(String, String?)] = [
            ("2025-07-15T00:00:00Z", "2025-07-15T00:00:00.000Z"),
            ("2025-07-15T08:00:00+08:00", "2025-07-15T00:00:00.000Z"),
            ("2025-07-15T00:30:00.5-01:30", "2025-07-15T02:00:00.500Z"),
            ("2025-07-15t00:00:00.123456z", "2025-07-15T00:00:00.123Z"),
            ("2025-07-15 00:00:00.9Z", "2025-07-15T00:00:00.900Z"),
            ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"),
            ("2025-07-15", nil), ("2025-07-15T00:00:00", nil), ("2025-07-15T00:00:00.Z", nil), ("2025-07-15T24:00:00Z", nil),
            ("2025-07-15T00:60:00Z", nil), ("2025-07-15T00:00:00+0800", nil), ("2025-07-15T00:00:00+08:00:00", nil),
            ("2025-02-29T00:00:00Z", nil), ("2025-07-15T00:00:00Zjunk", nil), ("2025-07-15T0:00:00Z", nil),
        ]
        for (text, expected) in cases {
            #expect(Query.time(text)?.description == expected, "\(text)")
        }
    }

    @Test("on a thousand generated times with offsets and fractions, the same instant as ISO8601DateFormatter")
    func agreesWithFoundation() {
        var random = SplitMix64(state: 3339)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for _ in 0..<1_000 {
            let date = LocalDate(dayNumber: Int(random.next() % 40_000))
            func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let fraction = String(String(1_000 + random.next() % 1_000).dropFirst())
            let offset = random.next() % 3 == 0 ? "Z" : (random.next() % 2 == 0 ? "+" : "-") + two(random.next() % 15) + ":" + two(random.next() % 60)
            let text = "\(date)T\(two(random.next() % 24)):\(two(random.next() % 60)):\(two(random.next() % 60)).\(fraction)\(offset)"
            // Foundation's instant is a Double: the same millisecond, to within its rounding.
            let foundation = formatter.date(from: text)?.timeIntervalSince1970
            let ours = Query.time(text).map { Double($0.millisecondsSinceEpoch) / 1000 }
            #expect(foundation != nil && ours.map { abs($0 - foundation!) < 0.000_5 } == true, "\(text)")
        }
    }
}
