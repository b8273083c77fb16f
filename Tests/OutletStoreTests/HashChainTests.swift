import CanonicalJSON
import Crypto
import Foundation
import Testing
import OutletCore
@testable import OutletStore

@Suite("Hash chain (DOMAIN.md §5)")
struct HashChainTests {
    @Test("the envelope writer emits exactly the RFC 8785 form of the envelope")
    func writerMatchesGenericCanonicalForm() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([StoreFixture.event(payload: ["opinion": "同意\"推荐\"\n", "head": "王强", "n": 3])])
        let envelope = try #require(try fixture.store.events().first)
        var generic = try envelope.jsonValue()
        #expect(HashChain.canonicalBytes(of: envelope, includingHash: true) == generic.canonicalBytes)
        if case .object(var members) = generic {
            members["hash"] = nil
            generic = .object(members)
        }
        #expect(HashChain.canonicalBytes(of: envelope, includingHash: false) == generic.canonicalBytes)
    }

    @Test("hash is SHA-256 of the canonical envelope without hash; seq 1 links to 64 zeros")
    func hashDefinition() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.append([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB)])
        let events = try fixture.store.events()
        #expect(events[0].prevHash == String(repeating: "0", count: 64))
        #expect(events[1].prevHash == events[0].hash)
        for envelope in events {
            var members = try envelope.jsonValue().objectValue!
            members["hash"] = nil
            let digest = SHA256.hash(data: JSONValue.object(members).canonicalBytes)
            #expect(envelope.hash == digest.map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test("an event with its own id is sealed from the hash prefix its check made: the same chain as hashed whole, and its prefix is dropped when what it hashed is set")
    func sealedFromPrefix() throws {
        let payloads: [JSONValue] = [["opinion": "同意\"推荐\"\n", "head": "王强"], [:], ["n": -3, "items": ["\u{1F600}", "\u{7F}"]]]
        var events: [PendingEvent] = []
        for (index, payload) in payloads.enumerated() {
            var event = StoreFixture.event(index.isMultiple(of: 2) ? StoreFixture.streamA : StoreFixture.streamB, id: "req-\(index)", payload: payload)
            event.actor = EnvelopeActor(role: "district-bureau", unit: "210103", name: index == 1 ? "" : "沈河区\t\(index)")
            event.makeHashPrefix()
            #expect(event.hashPrefix.value != nil)
            events.append(event)
        }
        let fixture = try StoreFixture()
        _ = try fixture.store.append(events)
        for envelope in try fixture.store.events() {
            let prefix = HashChain.prefix(actor: envelope.actor, effectiveOn: envelope.effectiveOn, eventId: envelope.eventId, payload: envelope.payload)
            #expect(HashChain.hash(of: envelope, after: prefix) == envelope.hash)
            #expect(HashChain.hash(of: envelope) == envelope.hash)
        }
        #expect(try fixture.store.verify().count == payloads.count)

        var event = events[0]
        event.stream = StoreFixture.streamB
        event.type = "registered"
        #expect(event.hashPrefix.value != nil, "stream and type follow the payload: not in the prefix")
        for change in [{ (event: inout PendingEvent) in event.actor.name = "和平区" }, { $0.effectiveOn = "2025-09-02" },
                       { $0.eventId = "req-9" }, { $0.payload = ["opinion": "不同意"] }] {
            var changed = events[0]
            change(&changed)
            #expect(changed.hashPrefix.value == nil)
        }
        var anonymous = StoreFixture.event()
        anonymous.makeHashPrefix()
        #expect(anonymous.hashPrefix.value == nil, "an id the store makes at sealing is not known before it")
    }

    @Test("recordedAt comes from the injected clock, as RFC 3339 UTC with milliseconds")
    func recordedAtFromClock() throws {
        let fixture = try StoreFixture(at: "2025-10-10T01:02:03.456Z")
        _ = try fixture.store.append([StoreFixture.event()])
        #expect(try fixture.store.events().first?.recordedAt == "2025-10-10T01:02:03.456Z")
    }

    @Test("recordedAt never decreases, even when the machine's clock goes back")
    func recordedAtMonotonic() throws {
        let fixture = try StoreFixture(at: "2025-10-10T01:00:00.000Z")
        _ = try fixture.store.append([StoreFixture.event()])
        fixture.clock.set(Timestamp("2025-10-09T23:00:00.000Z")!)
        _ = try fixture.store.append([StoreFixture.event()])
        #expect(try fixture.store.events().map(\.recordedAt) == ["2025-10-10T01:00:00.000Z", "2025-10-10T01:00:00.000Z"])
        #expect(try fixture.store.verify().count == 2)
    }

    @Test("Asia/Shanghai date of a UTC time: 16:00Z is already the next day")
    func shanghaiDate() {
        #expect(Timestamp("2025-10-09T15:59:59.999Z")!.shanghaiDate.description == "2025-10-09")
        #expect(Timestamp("2025-10-09T16:00:00.000Z")!.shanghaiDate.description == "2025-10-10")
        #expect(Timestamp("2025-10-09T16:00:00.000Z")!.description == "2025-10-09T16:00:00.000Z")
    }

    @Test("recordedAt is written as RFC 3339 in UTC to the millisecond, 24 characters, and read back as the same instant, for any millisecond of years 1 to 9999")
    func recordedAtText() {
        #expect(Timestamp("0001-01-01T00:00:00.000Z")!.description == "0001-01-01T00:00:00.000Z")
        #expect(Timestamp("9999-12-31T23:59:59.999Z")!.description == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp("1969-12-31T23:59:59.999Z")!.millisecondsSinceEpoch == -1)
        #expect(Timestamp(rfc3339: "2024-02-29T08:05:09.007+08:00")!.description == "2024-02-29T00:05:09.007Z")
        let first = Timestamp("0001-01-01T00:00:00.000Z")!.millisecondsSinceEpoch
        let last = Timestamp("9999-12-31T23:59:59.999Z")!.millisecondsSinceEpoch
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let instant = Timestamp(millisecondsSinceEpoch: Int64.random(in: first...last, using: &random))
            let text = instant.description
            #expect(text.utf8.count == 24 && text.hasSuffix("Z"), "\(text)")
            #expect(Timestamp(text)?.millisecondsSinceEpoch == instant.millisecondsSinceEpoch, "\(text)")
        }
    }
}
