import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore
import OutletDemo
import OutletLedger
import OutletStore
import OutletTestSupport
import Testing

@Suite("Nothing lost, nothing extra on refusal")
struct NothingLostOnRefusalTests {
    /// A refused variant of a valid candidate: bad form, a broken rule, a wrong actor, a reused event id.
    static func spoiled(_ candidate: Candidate, _ kind: Int, reusedId: String?) -> Candidate {
        var bad = candidate
        switch kind {
        case 0: bad.payload = ["unexpected": true]
        case 1: bad.stream = "91350100M000100Y44"
        case 2: bad.actor = EnvelopeActor(role: "system", unit: "", name: "")
        case 3: bad.effectiveOn = "2099-01-01"
        case 4: bad.type = "registered"; bad.payload = ["decision": "越过程序备案"]
        default:
            // An event id already recorded, with other content; before any is recorded, a bad payload instead.
            guard let reusedId else { return spoiled(candidate, 0, reusedId: nil) }
            bad.eventId = reusedId
            bad.payload = ["changes": ["address": "篡改的地址"]]
        }
        return bad
    }

    @Test("a long import, its form checked in shares on every core, is refused at its first malformed event and writes nothing",
          arguments: [[2_999, 1_700, 40], [2_999, 1_700], [1_025, 2_990]])
    func longImportRefusedAtTheFirst(malformed: [Int]) throws {
        let (fixture, registry) = try LedgerFixture.syntheticHistory(events: 3_000, seed: 7)
        var candidates = try #require(registry.chunks(of: 3_000).next())
        #expect(candidates.count >= 3_000 && candidates.count / Ledger.formCheckShare >= 2, "several shares")
        for index in malformed { candidates[index].payload = ["unexpected": true] }
        let before = try fixture.fingerprint()
        #expect { _ = try fixture.ledger.importEvents(candidates) } throws: { error in
            (error as? LedgerError)?.eventIndex == malformed.min() && (error as? LedgerError)?.code == .invalidInput
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("random valid and invalid appends, alone and in batches, leave exactly the valid ones in order", arguments: Array(UInt64(1)...UInt64(6)))
    func randomAppends(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        let outlets = [Sample.university, Sample.other]
        _ = try ledger.append(outlets.map(Sample.inclusion))
        var expected: [String] = try ledger.store.events().map(\.payload)
        var ids: [String] = []
        for step in 0..<60 {
            let stream = outlets.randomElement(using: &random)!
            let valid = Candidate(type: "info-changed", stream: stream, effectiveOn: "2025-09-02", actor: Sample.cityBureau,
                                  payload: ["changes": ["address": .string("沈阳市沈河区文化路\(step)号")]], eventId: "e-\(seed)-\(step)")
            let before = try fixture.fingerprint()
            let ledger = try fixture.ledger
            if Bool.random(using: &random) {
                _ = try ledger.append([valid])
                expected.append(valid.payload.canonicalString)
                ids.append(valid.eventId!)
            } else {
                let bad = Self.spoiled(valid, Int.random(in: 0...5, using: &random), reusedId: ids.randomElement(using: &random))
                let batch = Bool.random(using: &random) ? [valid, bad] : [bad]
                #expect(throws: LedgerError.self, "seed \(seed) step \(step)") { try ledger.append(batch) }
                #expect(try fixture.fingerprint() == before, "seed \(seed) step \(step): a refused call changed the file")
            }
        }
        let ledgerAfter = try fixture.ledger
        #expect(try ledgerAfter.store.events().map(\.payload) == expected)
        #expect(try ledgerAfter.store.verify().count == Int64(expected.count))
    }
}
