import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
@testable import OutletLedger
import OutletTestSupport
import Testing

@Suite("The form check scans a payload from its canonical bytes: the payload Decodable reads, refusals in the words they had")
struct PayloadScanTests {
    static func decoded(_ type: EventType, _ payload: JSONValue) throws -> EventPayload {
        try EventPayload.decode(type, from: JSONValueDecoder().decoder(for: payload))
    }

    static func scanned(_ type: EventType, _ bytes: [UInt8]) throws(ScanMiss) -> EventPayload {
        try bytes.withUnsafeBufferPointer { bytes throws(ScanMiss) in try EventPayload(scanning: type, bytes) }
    }

    /// Every stored institution event of the newest schema version: scanned (which must succeed, or the
    /// comparison would prove only the fallback) and decoded, equal. Returns how many were compared.
    static func compareEveryEvent(of ledger: Ledger) throws -> Int {
        var compared = 0
        for envelope in try ledger.store.events() where envelope.stream != ReferenceStream.id {
            let type = try #require(EventType(rawValue: envelope.type))
            guard envelope.schemaVersion == type.latestSchemaVersion else { continue }
            let bytes = Array(envelope.payload.utf8)
            let scanned = try Self.scanned(type, bytes)
            #expect(scanned == (try Self.decoded(type, try JSONParser.parse(bytes))), "seq \(envelope.seq) (\(envelope.type))")
            compared += 1
        }
        return compared
    }

    @Test("every valid payload fixture of the newest schema versions, every type among them")
    func payloadFixtures() throws {
        var types: Set<EventType> = []
        for file in PayloadFixtures.files {
            guard let type = EventType(rawValue: file.type), file.schemaVersion == type.latestSchemaVersion else { continue }
            for payload in file.valid {
                #expect(try Self.scanned(type, payload.canonicalBytes) == (try Self.decoded(type, payload)), "\(file.name)")
                types.insert(type)
            }
        }
        #expect(types == Set(EventType.allCases))
    }

    @Test("every event of the demo registry and of a synthetic history of 3,000 events")
    func storedEvents() throws {
        let demo = try DemoTests.build()
        #expect(try Self.compareEveryEvent(of: try demo.ledger) >= 40)
        let synthetic = try LedgerFixture.synthetic(seed: 11)
        #expect(try Self.compareEveryEvent(of: try synthetic.ledger) >= 3_000)
    }

    @Test("the escapes canonical JSON writes are undone: quotes and backslashes in names, line feeds in prose")
    func canonicalEscapes() throws {
        var payload = PayloadFixtures.valid("submitted")
        let texts = ["沈阳\"东北\"知识产权\\服务", "第一行\n第二行\t制表\r回车", "退格\u{08}换页\u{0C}与\u{01}\u{1F}"]
        guard case .object(var members) = payload else { Issue.record("an application is an object"); return }
        members.updateValue(.string(texts[0]), forKey: "serviceTargets")
        members.updateValue(.string(texts[1]), forKey: "foundation")
        members.updateValue(.string(texts[2]), forKey: "developmentPlan")
        payload = .object(members)
        let bytes = payload.canonicalBytes
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"\u0001\u001f"#))
        let scanned = try Self.scanned(.submitted, bytes)
        #expect(scanned == (try Self.decoded(.submitted, payload)))
        guard case .submitted(let application) = scanned else { Issue.record("not an application"); return }
        #expect([application.serviceTargets, application.foundation, application.developmentPlan] == texts)
    }

    @Test("a value the schema or the domain refuses (an impossible date, a USCC's check character) is refused in the words it was",
          arguments: [("declaration", "date", JSONValue.string("2025-02-30"), #"submitted.v1 payload $.declaration.date: "2025-02-30" is not a valid date"#),
                      ("institution", "uscc", JSONValue.string("91350100M000100Y44"), "payload $.institution.uscc: USCC '91350100M000100Y44'")])
    func domainRefusals(_ part: String, _ member: String, _ value: JSONValue, _ says: String) throws {
        guard case .object(var payload) = PayloadFixtures.valid("submitted"), case .object(var inner)? = payload[part] else {
            Issue.record("an application has its \(part)"); return
        }
        inner.updateValue(value, forKey: member)
        payload.updateValue(.object(inner), forKey: part)
        #expect(throws: ScanMiss.self) { try Self.scanned(.submitted, JSONValue.object(payload).canonicalBytes) }
        let candidate = Candidate(type: "submitted", stream: Sample.university, effectiveOn: "2025-09-01",
                                  actor: EnvelopeActor(role: "applicant", unit: Sample.university, name: "李明"), payload: .object(payload))
        #expect {
            _ = try CandidateChecker().check(candidate)
        } throws: { error in
            (error as? LedgerError)?.message.contains(says) == true
        }
    }
}
