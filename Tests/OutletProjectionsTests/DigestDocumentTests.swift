import CanonicalJSON
import OutletDomain
@testable import OutletProjections
import OutletTestSupport
import Testing

@Suite("The digest document: roster, bans and calendar written straight to canonical bytes")
struct DigestDocumentTests {
    typealias H = GoldenHistory

    @Test("on every date the golden roster changes, the written document is canonical and holds the projections' JSON",
          arguments: RosterProjectionTests.golden.map(\.0))
    func writtenAsTheTreeWouldBe(date: String) throws {
        let projection = H.projection()
        let asOf = day(date)
        let written = projection.digestDocument(asOf: asOf)
        let parsed = try JSONParser.parse(written)
        // Parsed and encoded again by the tree's encoder (which sorts), the same bytes: the writer's order is canonical.
        #expect(parsed.canonicalBytes == written)
        let range = RegistryProjection.digestCalendarRange(asOf: asOf)
        let tree: JSONValue = .object([
            "asOf": .string(date),
            "roster": .array(projection.roster(on: asOf).map(\.jsonValue)),
            "bans": .array(projection.bans(on: asOf).map(\.jsonValue)),
            "calendar": .array(projection.calendar(from: range.from, to: range.to, asOf: asOf).entries.map(\.jsonValue)),
        ])
        #expect(parsed == tree)
        #expect(projection.digestDocument(asOf: asOf, roster: projection.rosterOrder(on: asOf)) == written)
    }

    @Test("an entry's JSON carries every member, names and texts escaped as RFC 8785 asks")
    func entryMembers() throws {
        let entry = BanEntry(uscc: H.a, name: "甲\"乙\"\\\n", ground: .falseMaterials, from: day("2025-01-02"), through: day("2028-01-01"))
        var writer = CanonicalWriter()
        entry.write(to: &writer)
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"from":"2025-01-02","ground":"false-materials","name":"甲\"乙\"\\\n","through":"2028-01-01","uscc":"\#(H.a.code)"}"#)
        #expect(try JSONParser.parse(writer.bytes) == entry.jsonValue)
    }
}

@Suite("Long lists worked on every core: the roster's entries, the calendar's states and their JSON, in shares, are what one thread gives")
struct SharedWorkTests {
    typealias H = GoldenHistory

    @Test("an array written in rounds of shares, streamed or kept, is the array written element by element", arguments: [0, 1, 6, 7, 50, 123])
    func arrayInShares(count: Int) {
        var serial = CanonicalWriter()
        serial.array { json in for number in 0..<count { json.integer(Int64(number * number)) } }
        var kept = CanonicalWriter()
        RegistryProjection.writeArray(count, into: &kept, drainingInto: { _ in }, over: .max, share: 3, round: 20) { $1.integer(Int64($0 * $0)) }
        #expect(kept.bytes == serial.bytes)
        var streamed: [UInt8] = []
        var writer = CanonicalWriter()
        writer.object { json in
            json.name("list"); RegistryProjection.writeArray(count, into: &json, drainingInto: { streamed += $0 }, over: 0, share: 3, round: 20) { $1.integer(Int64($0 * $0)) }
        }
        writer.drain(over: 0) { streamed += $0 }
        #expect(streamed == Array(#"{"list":"#.utf8) + serial.bytes + Array("}".utf8))
    }

    @Test("a registry of thousands: the calendar read in shares, and the roster's and digest's JSON, are one thread's")
    func registryInShares() throws {
        let projection = H.projection(copies: 1_000)
        let date = day("2025-12-10")
        let order = projection.rosterOrder(on: date)
        #expect(order.count >= 2 * RegistryProjection.itemsPerShare)
        let inShares = projection.calendar(from: day("2025-01-01"), to: day("2027-12-31"), asOf: date)
        let alone = projection.calendar(from: day("2025-01-01"), to: day("2027-12-31"), asOf: date, share: .max)
        #expect(inShares.entries.count >= 2 * RegistryProjection.itemsPerShare)
        #expect(inShares.entries == alone.entries)
        #expect(inShares.warnings == alone.warnings)
        var oneByOne = CanonicalWriter()
        oneByOne.array { json in for entry in projection.roster(on: date) { entry.write(to: &json) } }
        #expect(projection.rosterJSON(order, on: date) == oneByOne.bytes)
        let document = projection.digestDocument(asOf: date)
        #expect(try JSONParser.parse(document).canonicalBytes == document)
        #expect(projection.digestDocument(asOf: date, roster: order, rosterJSON: oneByOne.bytes) == document)
    }
}
