import CanonicalJSON
import Foundation
import OutletCore
import OutletDemo
import OutletDomain
@testable import OutletLedger
import OutletProjections
import OutletSnapshots
import OutletStore
import OutletTestSupport
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
        let fixture = try LedgerFixture.synthetic(seed: 7)
        let ledger = try fixture.ledger
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

    @Test("what the scanner does not read (an escape canonical JSON does not write, white space, a fraction) it leaves to the general reading")
    func missesFallBack() throws {
        let named = Array(#"{"noticeNo":"2025-\u0037","reviewOpinion":"符合"}"#.utf8)
        let spaced = Array(#"{ "noticeNo": "2025-7", "reviewOpinion": "符合" }"#.utf8)
        let fraction = Array(#"{"reason":"r","targetSeq":12.5}"#.utf8)
        for (type, bytes) in [(EventType.publicized, named), (.publicized, spaced), (.retracted, fraction)] {
            #expect(throws: ScanMiss.self) { try bytes.withUnsafeBufferPointer { try FoldEvent.Facts(scanning: type, $0) } }
        }
        // The general reading takes the escaped name, so replay does too; a canonical escape the scanner undoes.
        #expect(try Self.reading("publicized", named).facts == .publicized(noticeNo: "2025-7"))
        let quoted: JSONValue = ["noticeNo": "2025-\"7\"", "reviewOpinion": "符合"]
        let facts = try quoted.canonicalBytes.withUnsafeBufferPointer { try FoldEvent.Facts(scanning: .publicized, $0) }
        #expect(facts == .publicized(noticeNo: "2025-\"7\""))
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

@Suite("Replay on two cores: one thread reads the rows and scans their facts, another folds them, and the projection is the one-thread fold's")
struct PipelinedFoldTests {
    @Test("folded in batches handed to another thread, from the start or from a projection part-way, the same projection")
    func sameProjection() throws {
        let fixture = try LedgerFixture.synthetic(seed: 5)
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        for start: Int64 in [0, 1_234] {
            var base = RegistryProjection(periods: ledger.decisionPeriods(atSeq: 0))
            if start > 0 { _ = try ledger.fold(into: &base, through: start, pipelinedFrom: .max) }
            var alone = base, pipelined = base
            let foldedAlone = try ledger.fold(into: &alone, through: head.seq, pipelinedFrom: .max)
            let foldedPipelined = try ledger.fold(into: &pipelined, through: head.seq, pipelinedFrom: 1, batchSize: 100)
            #expect(foldedPipelined == foldedAlone && foldedAlone == Int(head.seq - start))
            #expect(pipelined.foldedThrough == head.seq && pipelined.eventCount == alone.eventCount)
            let sameState = Snapshot.encodedState(pipelined) == Snapshot.encodedState(alone)
            #expect(sameState, "from seq \(start)")
            for date in ["2020-06-30", "2025-11-30"] {
                #expect(pipelined.digestDocument(asOf: day(date)) == alone.digestDocument(asOf: day(date)), "from seq \(start), \(date)")
            }
        }
    }

    @Test("a row that cannot be read ends the fold with its error, the events before it folded, as on one thread")
    func unreadableRow() throws {
        let fixture = try LedgerFixture.synthetic(seed: 5)
        try tamper(fixture, "DROP TRIGGER events_no_update")
        try tamper(fixture, "UPDATE events SET type = 'no-such-event' WHERE seq = 2000")
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        var alone = RegistryProjection(periods: ledger.decisionPeriods(atSeq: 0)), pipelined = alone
        let expected = #expect(throws: LedgerError.self) { try ledger.fold(into: &alone, through: head.seq, pipelinedFrom: .max) }
        let thrown = #expect(throws: LedgerError.self) { try ledger.fold(into: &pipelined, through: head.seq, pipelinedFrom: 1, batchSize: 100) }
        #expect(thrown?.description == expected?.description && thrown?.description.contains("seq 2000") == true)
        #expect(pipelined.foldedThrough == 1_999 && alone.foldedThrough == 1_999)
        let sameState = Snapshot.encodedState(pipelined) == Snapshot.encodedState(alone)
        #expect(sameState)
    }
}
