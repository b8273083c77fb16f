import CanonicalJSON
import Foundation
import OutletCore
import OutletDemo
import OutletDomain
@testable import OutletLedger
import OutletStore
import Testing

@Suite("Replay reads the fold's facts from the stored bytes: the same facts as decoding the whole payload")
struct ReplayFactsTests {
    /// Every institution event of a ledger: scanned from its bytes (which must succeed, or the comparison
    /// would prove only the fallback) and read the general way.
    static func compareEveryEvent(of ledger: Ledger) throws -> Int {
        let envelopes = try ledger.store.events().filter { $0.stream != ReferenceStream.id }
        var bySeq: [Int64: FoldEvent] = [:]
        var scanned = 0
        try ledger.store.forEachFoldRow(fromSeq: 1, toSeq: .max) { row throws(LedgerError) in
            guard String(decoding: row.stream, as: UTF8.self) != ReferenceStream.id else { return }
            bySeq[row.seq] = try FoldEvent.reading(row).event
            let type = EventType(utf8: row.type)!
            if row.schemaVersion == type.latestSchemaVersion, (try? FoldEvent.Facts(scanning: type, row.payload)) != nil { scanned += 1 }
        }
        for envelope in envelopes {
            let decoded = try RecordedEvent(envelope).domainEvent.folded
            #expect(bySeq[envelope.seq] == decoded, "seq \(envelope.seq) (\(envelope.type))")
        }
        #expect(bySeq.count == envelopes.count)
        return scanned
    }

    /// A stored event of Sample.university, seq 9, effective 2025-09-01, as replay reads it.
    static func reading(_ type: String, _ payload: [UInt8]) throws(LedgerError) -> FoldEvent {
        var stream = Sample.university, type = type, day = "2025-09-01"
        var payload = payload
        var result: Result<FoldEvent, LedgerError>!
        stream.withUTF8 { stream in
            type.withUTF8 { type in
                day.withUTF8 { day in
                    payload.withUnsafeMutableBufferPointer { payload in
                        let row = FoldRow(seq: 9, schemaVersion: 1, stream: stream, type: type, effectiveOn: day, payload: UnsafeBufferPointer(payload))
                        result = Result { () throws(LedgerError) in try FoldEvent.reading(row).event }
                    }
                }
            }
        }
        return try result.get()
    }

    @Test("every event of the demo registry, every kind of act among them, scanned and equal")
    func demoRegistry() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let events = try ledger.store.events().filter { $0.stream != ReferenceStream.id }
        #expect(Set(events.map(\.type)) == Set(EventType.allCases.map(\.rawValue)))
        let scanned = try Self.compareEveryEvent(of: ledger)
        // Only the v1 termination (upcast) and payloads with an escape in a fact are read the general way.
        #expect(scanned >= events.count - 5)
    }

    @Test("every event of a synthetic history of 3,000 events, scanned and equal")
    func syntheticHistory() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        var registry = SyntheticRegistry(periods: ledger.periods, today: LocalDate("2025-11-30")!)
        registry.schedule(events: 3_000, seed: 7)
        for candidates in registry.chunks(of: 1_000) { _ = try ledger.importEvents(candidates) }
        let count = try ledger.store.events().filter { $0.stream != ReferenceStream.id }.count
        #expect(count >= 3_000)
        #expect(try Self.compareEveryEvent(of: ledger) == count)
    }

    @Test("every valid payload fixture of the newest schema versions: scanned facts equal decoded facts")
    func payloadFixtures() throws {
        var compared = 0
        for file in PayloadFixtures.files {
            guard let type = EventType(rawValue: file.type), file.schemaVersion == type.latestSchemaVersion else { continue }
            for payload in file.valid {
                let decoded = try EventPayload.decode(type, from: JSONValueDecoder().decoder(for: payload)).facts
                let scanned = try payload.canonicalBytes.withUnsafeBufferPointer { bytes in try FoldEvent.Facts(scanning: type, bytes) }
                #expect(scanned == decoded, "\(file.name): \(payload.canonicalString)")
                compared += 1
            }
        }
        #expect(compared >= EventType.allCases.count)
    }

    @Test("what the scanner does not read (an escape in a fact, white space, a fraction) it leaves to the general reading")
    func missesFallBack() throws {
        let named: JSONValue = ["noticeNo": "2025-\"7\"", "reviewOpinion": "符合"]
        let spaced = Array(#"{ "noticeNo": "2025-7", "reviewOpinion": "符合" }"#.utf8)
        let fraction = Array(#"{"reason":"r","targetSeq":12.5}"#.utf8)
        for (type, bytes) in [(EventType.publicized, named.canonicalBytes), (.publicized, spaced), (.retracted, fraction)] {
            #expect(throws: ScanMiss.self) { try bytes.withUnsafeBufferPointer { try FoldEvent.Facts(scanning: type, $0) } }
        }
        // The general reading takes the escaped name, so replay does too.
        #expect(try Self.reading("publicized", named.canonicalBytes).facts == .publicized(noticeNo: "2025-\"7\""))
    }

    @Test("a payload neither reading can take is an integrity failure naming its seq")
    func unreadablePayload() throws {
        let payload = Array(#"{"noticeNo":7}"#.utf8)
        #expect {
            _ = try Self.reading("publicized", payload)
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .integrityFailure && error.message.contains("seq 9: payload cannot be read as publicized.v1")
        }
    }
}
