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
