import Foundation
import OutletDomain
import OutletDemo
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("The demo registry: realistic, complete, and decided by the rules")
struct DemoTests {
    static let today = LocalDate("2026-11-25")!
    /// The demo ledger's last seq: its genesis, then 301 acts.
    static let head = genesis + 301

    static func build() throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        _ = try DemoRegistry.build(into: try fixture.ledger, clock: fixture.clock, today: today)
        return fixture
    }

    @Test("sixty institutions across all 13 districts and 7 categories, every kind of act, a verified chain")
    func coverage() throws {
        let fixture = try Self.build()
        let ledger = try fixture.ledger
        #expect(try ledger.store.verify().count > 250)
        let events = try ledger.store.events().filter { $0.stream != ReferenceStream.id }.map { try RecordedEvent($0) }
        #expect(Set(events.map(\.envelope.stream)).count == 60)
        let institutions = events.compactMap { $0.payload.institution }
        #expect(Set(institutions.map(\.district)).count == 13)
        #expect(Set(institutions.map(\.category)).count == 7)
        let types = Set(events.map(\.type))
        #expect(types == Set(EventType.allCases))
        let outcomes = events.compactMap { event -> ObjectionResolved.Outcome? in
            if case .objectionResolved(let resolved) = event.payload { return resolved.outcome }
            return nil
        }
        #expect(Set(outcomes) == [.upheld, .dismissed])
        let levels = events.compactMap { event -> AutoIncluded.Level? in
            if case .autoIncluded(let included) = event.payload { return included.level }
            return nil
        }
        #expect(Set(levels) == [.national, .provincial])
        #expect(events.allSatisfy { $0.envelope.effectiveOn <= Self.today.description })
    }

    @Test("today's roster, bans and calendar say what the stories make them say")
    func answers() throws {
        let fixture = try Self.build()
        let ledger = try fixture.ledger
        let view = try ledger.projections(at: try ledger.store.head())
        let roster = view.projection.roster(on: Self.today)
        #expect(roster.count >= 40)
        #expect(roster.contains { $0.underRectification })
        #expect(roster.contains { !$0.overdueSummaries.isEmpty })
        #expect(Set(view.projection.bans(on: Self.today).map(\.ground)) == [.falseMaterials, .unrelatedCommercialActivity])
        let statuses = Set(view.projection.timelines.map { view.projection.status(of: $0.uscc, on: Self.today).status })
        #expect(statuses.isSuperset(of: [.active, .included, .applying, .declined, .revoked, .terminated, .superseded, .none]))
        let later = Set(view.projection.timelines.map { view.projection.status(of: $0.uscc, on: LocalDate("2027-06-30")!).status })
        #expect(later.contains(.expired))
    }

    @Test("two builds on the same day replay to the same projection digest")
    func deterministic() throws {
        let first = try Self.build(), second = try Self.build()
        let digests = try [first, second].map { fixture in
            let ledger = try fixture.ledger
            return try ledger.projections(at: try ledger.store.head()).digest(asOf: Self.today)
        }
        #expect(digests[0] == digests[1])
    }

    @Test("outlet-ledger demo builds its ledger in the folder it names and shows roster, bans, calendar and digest")
    func command() throws {
        let fixture = try LedgerFixture(create: false)
        let folder = fixture.file("demo")
        let result = try CLI.run(["demo", "--out", folder])
        #expect(result.status == 0, "\(result.stderr)")
        for heading in ["== outlet-ledger roster", "== outlet-ledger bans", "== outlet-ledger calendar", "projection digest as of", "== try next"] {
            #expect(result.stdout.contains(heading), "\(heading)")
        }
        #expect(try CLI.run(["verify", "--ledger", folder + "/outlets.sqlite"]).status == 0)
        for kind in ["publicity", "roster", "revocation", "reminders"] {
            for format in ["html", "md"] {
                let notice = "\(folder)/notice-\(kind).\(format)"
                #expect(result.stdout.contains(notice))
                #expect(try CLI.run(["notice", "verify", notice, "--ledger", folder + "/outlets.sqlite"]).status == 0, "\(notice)")
            }
        }
        #expect(try CLI.run(["demo", "--out", folder]).status == 69)
    }
}
