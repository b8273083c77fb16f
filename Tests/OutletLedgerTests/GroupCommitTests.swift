import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
import OutletLedger
import OutletTestSupport
import Testing

@Suite("Group commit: requests committed together are decided exactly as one after the other")
struct GroupCommitTests {
    /// A random mix over the fixture's application in publicity (objection window open on 2025-12-01):
    /// valid objections, objections refused by the "who" column, a registration before the window ends
    /// (Art. 6(3)), malformed payloads, repeated event ids with the same or other content, arrays of two,
    /// an If-Match, and a revocation (which is never grouped).
    static func requests(seed: UInt64) -> [AppendRequest] {
        var random = SplitMix64(state: seed)
        var requests: [AppendRequest] = []
        var used: [(String, Candidate)] = []
        for index in 0..<40 {
            func objection(_ id: String, actor: EnvelopeActor = Sample.cityBureau, payload: JSONValue? = nil) -> Candidate {
                guard case .object(var members) = PayloadFixtures.valid("objection") else { fatalError() }
                members["objectionId"] = .string(id)
                return Candidate(type: "objection", stream: Sample.university, effectiveOn: "2025-12-01", actor: actor,
                                 payload: payload ?? .object(members), eventId: "e-\(seed)-\(index)")
            }
            let kind = Int.random(in: 0..<10, using: &random)
            let candidates: [Candidate]
            var expect: Int64?
            switch kind {
            case 0, 1, 2: candidates = [objection("o-\(index)")]
            case 3: candidates = [objection("o-\(index)", actor: EnvelopeActor(role: "district-bureau", unit: "210102", name: "皇姑"))]
            case 4: candidates = [Sample.candidate("registered", on: "2025-12-01", eventId: "e-\(seed)-\(index)")]
            case 5: candidates = [objection("o-\(index)", payload: .object(["objectionId": .string("o-\(index)")]))]
            case 6:
                if let (_, earlier) = used.randomElement(using: &random) {
                    var repeated = earlier
                    if Bool.random(using: &random) { repeated.effectiveOn = "2025-11-30" }
                    candidates = [repeated]
                } else {
                    candidates = [objection("o-\(index)")]
                }
            case 7:
                var second = objection("o-\(index)b")
                second.eventId = "e-\(seed)-\(index)b"
                candidates = [objection("o-\(index)a"), second]
            case 8:
                candidates = [objection("o-\(index)")]
                expect = Int64.random(in: 3...6, using: &random)
            default:
                candidates = [Sample.candidate("revoked", on: "2025-12-01", payload: ["ground": "failed-rectification", "detail": "x"], eventId: "e-\(seed)-\(index)")]
            }
            for candidate in candidates { used.append((candidate.eventId!, candidate)) }
            requests.append(AppendRequest(candidates, expectVersion: expect))
        }
        return requests
    }

    static func start() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append((Array(Sample.registration().prefix(2)) + [Sample.candidate("publicized", on: "2025-11-27")])
            .enumerated().map { index, candidate in
                var named = candidate
                named.eventId = named.eventId ?? "setup-\(index)"
                return named
            })
        return fixture
    }

    static func describe(_ result: Result<AppendOutcome, LedgerError>) -> String {
        switch result {
        case .success(let outcome): "ok " + outcome.results.map { "\($0.seq)\($0.duplicate ? "=" : "")" }.joined(separator: ",")
        case .failure(let error): "refused " + error.description + " \(error.byActorRule) \(error.conflict?.kind.rawValue ?? "")"
        }
    }

    @Test("forty mixed requests, one after the other and as one group: the same answers, the same log byte for byte", arguments: [1, 2, 3, 4] as [UInt64])
    func sameAsOneByOne(seed: UInt64) throws {
        let requests = Self.requests(seed: seed)
        let alone = try Self.start(), together = try Self.start()
        let one = try alone.ledger
        let sequential = requests.map { request in
            Result { () throws(LedgerError) in try one.append(request.candidates, expectVersion: request.expectVersion) }
        }
        let grouped = try together.ledger.append(group: requests)
        #expect(grouped.map(Self.describe) == sequential.map(Self.describe))
        #expect(sequential.contains { if case .success = $0 { true } else { false } } && sequential.contains { if case .failure = $0 { true } else { false } })
        let a = try alone.ledger.store.events(), b = try together.ledger.store.events()
        let firstDifference = zip(a, b).first { $0.hash != $1.hash }.map { "\($0.0.seq): \(String(decoding: HashChain.canonicalBytes(of: $0.0, includingHash: false), as: UTF8.self)) vs \(String(decoding: HashChain.canonicalBytes(of: $0.1, includingHash: false), as: UTF8.self))" }
        #expect(a.map(\.hash) == b.map(\.hash) && a.count > 4, "\(firstDifference ?? "")")
        #expect(try together.ledger.audit().eventsDecided == Int64(b.count))
    }
}
