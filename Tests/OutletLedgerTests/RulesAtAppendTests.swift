import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore
@testable import OutletLedger
import OutletStore
import Testing

@Suite("append and import decide before they write")
struct RulesAtAppendTests {
    static func jsonl(_ candidates: [Candidate]) -> String {
        candidates.map { candidate in
            JSONValue.object([
                "type": .string(candidate.type), "stream": .string(candidate.stream), "effectiveOn": .string(candidate.effectiveOn),
                "actor": candidate.actor.jsonValue, "payload": candidate.payload,
            ]).canonicalString
        }.joined(separator: "\n") + "\n"
    }

    static let revokedForFraud = Sample.candidate("revoked", on: "2025-11-20",
                                                  payload: ["ground": "false-materials", "detail": "团队资质造假"])
    static let bar = Sample.candidate("barred-3-years", on: "2025-11-20", payload: ["ground": "false-materials"])

    @Test("import: a revocation for fraud without its bar refuses the whole file (exit 66); with it, all is imported")
    func importPairing() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.fingerprint()
        let before = try fixture.fingerprint()
        try Data(Self.jsonl(Sample.registration() + [Self.revokedForFraud]).utf8).write(to: URL(fileURLWithPath: fixture.file("a.jsonl")))
        let refused = try CLI.run(["import", "--ledger", fixture.path, fixture.file("a.jsonl")])
        #expect(refused.status == 66)
        #expect(refused.stderr.contains("refused (Art. 19, ") && refused.stderr.contains("a.jsonl line 5): a revoked on an Art. 19 ground must be followed"),
                "\(refused.stderr)")
        #expect(try fixture.fingerprint() == before)

        try Data(Self.jsonl(Sample.registration() + [Self.revokedForFraud, Self.bar]).utf8).write(to: URL(fileURLWithPath: fixture.file("b.jsonl")))
        let imported = try CLI.run(["import", "--ledger", fixture.path, fixture.file("b.jsonl")])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported 6 events"))
    }

    @Test("append --events carries a revocation and its bar together; a bar alone is refused")
    func eventsPairing() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        try Data(Self.jsonl([Self.bar]).utf8).write(to: URL(fileURLWithPath: fixture.file("bar.jsonl")))
        let alone = try CLI.run(["append", "--ledger", fixture.path, "--events", fixture.file("bar.jsonl")])
        #expect(alone.status == 66)
        try Data(Self.jsonl([Self.revokedForFraud, Self.bar]).utf8).write(to: URL(fileURLWithPath: fixture.file("pair.jsonl")))
        let pair = try CLI.run(["append", "--ledger", fixture.path, "--events", fixture.file("pair.jsonl")])
        #expect(pair.stdout == "\(genesis + 5)\n\(genesis + 6)\n", "\(pair.stderr)")
        let status = try JSONParser.parse(try CLI.run(["status", Sample.university, "--ledger", fixture.path, "--as-of", "2026-01-01", "--json"]).stdout)
        #expect(status["status"] == "revoked")
        #expect(status["barredThrough"] == "2028-11-20")
    }

    @Test("status --json has uscc, name, status, stage and the dates")
    func statusJSON() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(3)))
        _ = try fixture.fingerprint()
        let result = try CLI.run(["status", Sample.university, "--ledger", fixture.path, "--as-of", "2025-10-01", "--json"])
        let status = try JSONParser.parse(result.stdout)
        #expect(status["uscc"] == .string(Sample.university))
        #expect(status["name"] == "沈阳理工示范大学")
        #expect(status["status"] == "applying")
        #expect(status["stage"] == "in-publicity")
        #expect(status["publicityWindowEnds"] == "2025-10-09")
        #expect(status["validThrough"] == .null)
        let table = try CLI.run(["status", Sample.university, "--ledger", fixture.path, "--as-of", "2025-10-10"])
        #expect(table.stdout.contains("as of 2025-10-10: applying (awaiting-decision)"))
    }

    @Test("the policy chosen at init is stored and used: under inclusive-calendar the window of 09-26 ends 09-30")
    func inclusivePolicy() throws {
        let fixture = try LedgerFixture(create: false)
        #expect(try CLI.run(["init", "--ledger", fixture.path, "--period-rule", "inclusive-calendar"]).status == 0)
        let policy = try JSONParser.parse(try CLI.run(["policy", "--ledger", fixture.path, "--json"]).stdout)
        #expect(policy["periodRule"] == "inclusive-calendar")
        #expect(policy["districts"]?.arrayValue?.count == 13)
        var registration = Sample.registration()
        registration[3].effectiveOn = "2025-10-01"
        _ = try fixture.ledger.append(registration)
        #expect(try fixture.ledger.status(of: USCC(Sample.university)!, on: LocalDate("2025-10-01")!).validThrough == LocalDate("2028-09-30"))
    }

    @Test("holiday data decides appends only as recorded in the chain: a file is a what-if for queries, refused for appends; a corrected year counts from its seq on")
    func holidayDataInTheChain() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(3)))
        _ = try fixture.fingerprint()
        let file = fixture.file("holidays.json")
        try Data(#"{"source":"a test calendar","years":{"2025":{"holidays":[],"workdays":[]}}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let arguments = ["append", "--ledger", fixture.path, "--type", "registered", "--stream", Sample.university,
                         "--on", "2025-10-02", "--actor", "city-bureau:210100", "--payload", "-"]
        let payload = Data(#"{"decision":"同意备案"}"#.utf8)
        let before = try fixture.fingerprint()
        let whatIf = try CLI.run(arguments + ["--holidays", file], stdin: payload)
        #expect(whatIf.status == 65 && whatIf.stderr.contains("--holidays is a what-if for queries and notices"), "\(whatIf.stderr)")
        let fromEnvironment = try CLI.run(arguments, stdin: payload, environment: ["OUTLET_LEDGER_HOLIDAYS": file])
        #expect(fromEnvironment.status == 66, "the ledger's own data decides: \(fromEnvironment.stderr)")
        #expect(try fixture.fingerprint() == before)
        // A query may ask "what if", and says so.
        let status = try CLI.run(["status", Sample.university, "--ledger", fixture.path, "--as-of", "2025-10-02", "--holidays", file])
        #expect(status.stdout.contains("publicity window ends: 2025-10-01"), "\(status.stdout)")

        // The city bureau records a corrected 2025 (here: no holidays at all); from then on it counts.
        let corrected = try CLI.run(["append", "--ledger", fixture.path, "--type", "holiday-calendar-published", "--stream", "registry",
                                     "--on", "2025-12-01", "--actor", "city-bureau:210100", "--payload", "-"],
                                    stdin: Data(#"{"year":2025,"holidays":[],"workdays":[],"source":"a test correction"}"#.utf8))
        #expect(corrected.status == 0, "\(corrected.stderr)")
        #expect(try CLI.run(arguments, stdin: payload).status == 0)
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 0, "\(verify.stderr)")
        // The public may not publish holiday data.
        let byPublic = try CLI.run(["append", "--ledger", fixture.path, "--type", "holiday-calendar-published", "--stream", "registry",
                                    "--on", "2025-12-01", "--actor", "public", "--payload", "-"],
                                   stdin: Data(#"{"year":2026,"holidays":[],"workdays":[],"source":"x"}"#.utf8))
        #expect(byPublic.status == 66 && byPublic.stderr.contains("is recorded by the city bureau"), "\(byPublic.stderr)")
    }

    @Test("a publicity notice number names one date (Art. 6(3)): reused on another date it is refused, on the same date accepted")
    func noticeNumberNamesOneDate() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(3)))
        let other = Sample.other
        let application = [
            Sample.candidate("submitted", stream: other, on: "2025-09-01", actor: Sample.applicant(other), payload: Sample.payload("submitted", for: other)),
            Sample.candidate("recommended", stream: other, on: "2025-09-08", actor: Sample.districtBureau),
        ]
        _ = try fixture.ledger.append(application)
        #expect {
            try fixture.ledger.append([Sample.candidate("publicized", stream: other, on: "2025-09-29")])
        } throws: { error in
            (error as? LedgerError)?.message == "notice 2025-4 was issued on 2025-09-26; a publicity on 2025-09-29 needs a notice number of its own"
                && (error as? LedgerError)?.article == "Art. 6(3)"
        }
        _ = try fixture.ledger.append([Sample.candidate("publicized", stream: other, on: "2025-09-29", payload: ["noticeNo": "2025-5", "reviewOpinion": "符合条件"])])
        #expect(try fixture.ledger.audit().eventsDecided == genesis + 6)
    }

    @Test("a deadline in a year without holiday data is computed with a warning on stderr")
    func uncoveredYearWarning() throws {
        let fixture = try LedgerFixture()
        fixture.clock.set(Timestamp("2027-06-01T00:00:00.000Z")!)
        var registration = Sample.registration()
        for index in registration.indices { registration[index].effectiveOn = "2027-0\(index + 1)-01" }
        _ = try fixture.ledger.append(Array(registration.prefix(3)))
        _ = try fixture.fingerprint()
        let result = try CLI.run(["status", Sample.university, "--ledger", fixture.path, "--as-of", "2027-03-02"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("outlet-ledger: warning: no holiday data for 2027"), "\(result.stderr)")
        #expect(result.stdout.contains("publicity window ends: 2027-03-08"))
    }
}

@Suite("Decisions see every writer's events")
struct CachedStateTests {
    @Test("a ledger opened twice (as by two processes) never decides on a state the other has moved past")
    func twoWriters() throws {
        let fixture = try LedgerFixture()
        let first = try fixture.ledger
        let second = try Ledger.open(at: fixture.path, clock: fixture.clock)
        let registration = Sample.registration()
        _ = try first.append([registration[0]])
        _ = try second.append([registration[1]])  // recommended, by the other writer
        #expect {
            try first.append([registration[1]])
        } throws: { error in
            (error as? LedgerError)?.message == "the application was already recommended on 2025-09-02"
        }
        _ = try first.append([registration[2]])
        _ = try second.append([registration[3]])
        #expect(try first.status(of: USCC(Sample.university)!, on: LocalDate("2025-10-10")!).status == .active)
    }

    @Test("while the log's head is the one this process's append left, sealing takes the versions of the streams it decided from them; at any other head, from the log")
    func heldVersionsAtTheWrittenHeadOnly() throws {
        let checker = CandidateChecker()
        let checked = try Sample.registration().prefix(2).map { try checker.check($0) }
        let written = LedgerHead(seq: 7, hash: String(repeating: "a", count: 64), recordedAt: "2025-09-02T08:00:00Z")
        var cache = Ledger.StreamStates()
        cache.states[USCC(Sample.university)!] = Ledger.CachedState(version: 2, state: InstitutionState())
        #expect(cache.versions(of: checked, at: written).isEmpty)
        cache.written = written
        #expect(cache.versions(of: checked, at: written) == [Sample.university: 2])
        let moved = LedgerHead(seq: 8, hash: String(repeating: "b", count: 64), recordedAt: "2025-09-02T09:00:00Z")
        #expect(cache.versions(of: checked, at: moved).isEmpty)
        // Imported in chunks of one event, each sealed at the head the one before left: the same chain as one append.
        let fixture = try LedgerFixture()
        var chunks = Sample.registration().map { [$0] }[...]
        _ = try fixture.ledger.importEvents { () throws(LedgerError) in chunks.popFirst() }
        let events = try fixture.ledger.store.events(ofStream: Sample.university)
        #expect(events.map(\.streamVersion) == [1, 2, 3, 4])
        #expect(try fixture.ledger.status(of: USCC(Sample.university)!, on: LocalDate("2025-10-10")!).status == .active)
    }

    @Test("reference data another writer recorded decides this writer's next append (its head moved, so its reference is read again)")
    func referenceByAnotherWriter() throws {
        let fixture = try LedgerFixture()
        let first = try fixture.ledger
        let second = try Ledger.open(at: fixture.path, clock: fixture.clock)
        _ = try first.append(Array(Sample.registration().prefix(3)))
        let registered = Sample.candidate("registered", on: "2025-10-02", actor: Sample.cityBureau, payload: ["decision": "同意备案"])
        // With the genesis holiday data the publicity of 2025-09-26 still runs on 2025-10-02 (Art. 6(3): five working days).
        #expect { try first.append([registered]) } throws: { error in
            (error as? LedgerError)?.message == "the publicity window of notice 2025-4 ends 2025-10-09; registration is possible from 2025-10-10"
        }
        // The city bureau records a 2025 without holidays through the other writer: from then on the window has ended.
        _ = try second.append([Sample.candidate("holiday-calendar-published", stream: ReferenceStream.id, on: "2025-12-01", actor: Sample.cityBureau,
                                                payload: ["year": 2025, "holidays": [], "workdays": [], "source": "a test correction"])])
        #expect(try first.append([registered]).results.count == 1)
    }

    @Test("a refused call leaves no trace in the decided states")
    func refusedCall() throws {
        let fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        let registration = Sample.registration()
        _ = try ledger.append([registration[0]])
        // recommended is fine, but the call also carries an impossible registration: all of it is refused.
        #expect(throws: LedgerError.self) { try ledger.append([registration[1], registration[3]]) }
        _ = try ledger.append([registration[1]])
        #expect(throws: LedgerError.self) { try ledger.append([registration[1]]) }
    }
}

@Suite("Art. 19: the domain derives the bar a revocation entails, when asked")
struct DerivedBarTests {
    @Test("append --derive-bar records a false-materials revocation and its 3-year bar; without it, the revocation alone is refused")
    func derivedBar() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        let arguments = ["append", "--ledger", fixture.path, "--type", "revoked", "--stream", Sample.university, "--on", "2025-11-20",
                         "--actor", "city-bureau:210100", "--payload", "-"]
        let payload = Data(#"{"ground":"false-materials","detail":"申报材料虚假"}"#.utf8)
        let alone = try CLI.run(arguments, stdin: payload)
        #expect(alone.status == 66 && alone.stderr.contains("must be followed, in the same call, by its barred-3-years"), "\(alone.stderr)")
        let derived = try CLI.run(arguments + ["--derive-bar"], stdin: payload)
        #expect(derived.status == 0 && derived.stdout == "\(genesis + 5)\n\(genesis + 6)\n", "\(derived.stderr)")
        let bar = try #require(try fixture.ledger.store.events(fromSeq: genesis + 6, toSeq: genesis + 6).first)
        #expect(bar.type == "barred-3-years" && bar.payload == #"{"ground":"false-materials"}"# && bar.effectiveOn == "2025-11-20")
        #expect(try fixture.ledger.audit().eventsDecided == genesis + 6)
    }
}
