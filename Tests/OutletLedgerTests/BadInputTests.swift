import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import Testing

/// Issue #2, "Bad input": each refused with one line naming what and where, the ledger unchanged.
@Suite("Bad input gets one clear line and writes nothing")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let stdin: String
        let status: Int32
        let says: String
        var testDescription: String { name }
    }

    static let recommended = #"{"opinion":"同意推荐","head":"王强"}"#
    static func append(_ type: String = "recommended", stream: String = Sample.university, on date: String = "2025-09-01",
                       actor: String = "district-bureau:210103") -> [String]
    {
        ["append", "--type", type, "--stream", stream, "--on", date, "--actor", actor, "--payload", "-"]
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", arguments: append(), stdin: #"{"opinion": "同意推荐", "head": }"#, status: 65,
             says: "invalid input (stdin): payload is not valid JSON: line 1, column"),
        Case(name: "unknown event type", arguments: append("approved"), stdin: recommended, status: 65,
             says: "unknown event type \"approved\""),
        Case(name: "unknown field", arguments: append(), stdin: #"{"opinion":"a","head":"b","grade":"A"}"#, status: 65,
             says: "payload $: unknown member \"grade\""),
        Case(name: "missing field", arguments: append(), stdin: #"{"opinion":"a"}"#, status: 65,
             says: "payload $: required member \"head\" is missing"),
        Case(name: "wrong type", arguments: append(), stdin: #"{"opinion":"a","head":7}"#, status: 65,
             says: "payload $.head: expected string, found integer"),
        Case(name: "a float", arguments: append(), stdin: #"{"opinion":"a","head":"b","n":1.5}"#, status: 65,
             says: "fractions and exponents are not allowed"),
        Case(name: "invalid USCC check character", arguments: append(stream: "91350100M000100Y44"), stdin: recommended,
             status: 65, says: "stream \"91350100M000100Y44\" is not a valid USCC: check character '4'"),
        Case(name: "stream differs from the payload's uscc",
             arguments: append("submitted", stream: Sample.other, actor: "applicant:\(Sample.other)"),
             stdin: PayloadFixtures.valid("submitted").canonicalString, status: 65,
             says: "payload institution.uscc 91350100M000100Y43 differs from the stream 91110000802100433B"),
        Case(name: "a date that is not a date", arguments: append(on: "2025-02-30"), stdin: recommended, status: 65,
             says: "effectiveOn \"2025-02-30\" is not a calendar date"),
        Case(name: "a date in the future", arguments: append(on: "2999-01-01"), stdin: recommended, status: 65,
             says: "effectiveOn 2999-01-01 is later than the recording date"),
        Case(name: "unknown actor role", arguments: append(actor: "mayor"), stdin: recommended, status: 65,
             says: "actor role \"mayor\" is not one of"),
        Case(name: "a payload over 1 MiB", arguments: append(),
             stdin: #"{"opinion":""# + String(repeating: "长", count: 400_000) + #"","head":"b"}"#, status: 65,
             says: "over the 1 MiB limit"),
        Case(name: "a missing payload file", arguments: Array(append().dropLast()) + ["/nonexistent/p.json"], stdin: "",
             status: 65, says: "cannot read /nonexistent/p.json"),
        Case(name: "an unknown option is a usage error", arguments: append() + ["--colour"], stdin: recommended, status: 64,
             says: "Unknown option '--colour'"),
    ]

    @Test("refused, one line on stderr, ledger unchanged", arguments: cases)
    func refused(_ testCase: Case) throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append([Sample.registration()[0]])
        let before = try fixture.fingerprint()
        let result = try CLI.run(testCase.arguments + ["--ledger", fixture.path], stdin: Data(testCase.stdin.utf8))
        #expect(result.status == testCase.status, "\(result.stderr)")
        #expect(result.stderr.contains(testCase.says), "\(result.stderr)")
        if testCase.status != 64 {
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(result.stdout.isEmpty)
        #expect(try fixture.fingerprint() == before)
    }

    @Test("an events file with one bad event writes none of them, and names the event")
    func eventsFileAllOrNothing() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.fingerprint()
        let good = #"{"type":"recommended","stream":"\#(Sample.university)","effectiveOn":"2025-09-01","actor":{"role":"district-bureau","unit":"210103"},"payload":\#(Self.recommended)}"#
        let bad = #"{"type":"recommended","stream":"\#(Sample.university)","effectiveOn":"2025-09-01","actor":{"role":"district-bureau","unit":"210103"},"payload":{"opinion":"x"}}"#
        try Data("\(good)\n\(bad)\n".utf8).write(to: URL(fileURLWithPath: fixture.file("events.jsonl")))
        let result = try CLI.run(["append", "--ledger", fixture.path, "--events", fixture.file("events.jsonl")])
        #expect(result.status == 65)
        #expect(result.stderr.contains("events.jsonl line 2): recommended.v1 payload $"), "\(result.stderr)")
        #expect(try fixture.fingerprint() == before)
    }

    @Test("an import line that is not JSON names its line, and nothing of the file is written")
    func importLine() throws {
        let fixture = try LedgerFixture()
        let before = try fixture.fingerprint()
        let good = #"{"type":"recommended","stream":"\#(Sample.university)","effectiveOn":"2025-09-01","actor":{"role":"district-bureau","unit":"210103"},"payload":\#(Self.recommended)}"#
        try Data("\(good)\n\n{not json}\n".utf8).write(to: URL(fileURLWithPath: fixture.file("log.jsonl")))
        let result = try CLI.run(["import", "--ledger", fixture.path, fixture.file("log.jsonl")])
        #expect(result.status == 65)
        #expect(result.stderr.contains("log.jsonl line 3): not valid JSON: column 2"), "\(result.stderr)")
        #expect(try fixture.fingerprint() == before)
    }

    @Test("a path that is not a ledger is refused and left untouched", arguments: ["text", "foreign-sqlite", "directory"])
    func notALedger(kind: String) throws {
        let fixture = try LedgerFixture(create: false)
        switch kind {
        case "text":
            try Data("这不是账本\n".utf8).write(to: URL(fileURLWithPath: fixture.path))
        case "foreign-sqlite":
            let made = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()", fixture.path])
            try #require(made.status == 0)
        default:
            try FileManager.default.createDirectory(atPath: fixture.path, withIntermediateDirectories: false)
        }
        let before = kind == "directory" ? nil : try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        for command in [["verify"], ["log"], BadInputTests.append()] {
            let result = try CLI.run(command + ["--ledger", fixture.path], stdin: Data(Self.recommended.utf8))
            #expect(result.status == 69, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("not") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        if let before { #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == before) }
    }
}

@Suite("An imported line's payload is held to 1 MiB in its canonical form, however it is spaced")
struct ImportLinePayloadLimitTests {
    static func line(opinion: String, padding: Int) -> ArraySlice<UInt8> {
        let text = #"{"type":"recommended","stream":"\#(Sample.university)","effectiveOn":"2025-09-01","#
            + #""actor":{"role":"district-bureau","unit":"210103"},"payload":{"opinion":"\#(opinion)","# + String(repeating: " ", count: padding)
            + #""head":"王强"}}"#
        return ArraySlice(text.utf8)
    }

    @Test("a line over 1 MiB only by white space is read; one whose payload is over 1 MiB is refused, naming its line")
    func limit() throws {
        let spaced = try EventInput.event(line: Self.line(opinion: "同意推荐", padding: 1_100_000), number: 7, kind: .import, source: "x.jsonl")
        #expect(spaced?.payload.canonicalBytes.count == #"{"head":"王强","opinion":"同意推荐"}"#.utf8.count)
        #expect {
            try EventInput.event(line: Self.line(opinion: String(repeating: "长", count: 400_000), padding: 0), number: 8, kind: .import, source: "x.jsonl")
        } throws: { error in
            "\(error)".contains("x.jsonl line 8") && "\(error)".contains("over the 1 MiB limit")
        }
    }
}

@Suite("An event's members are the envelope's: an import's chain fields only in an import, an actor's role, unit and name")
struct EventMemberTests {
    static let line = #"{"actor":{"name":"沈河区","role":"district-bureau","unit":"210103"},"effectiveOn":"2025-09-01","#
        + #""payload":{"head":"王强","opinion":"同意推荐"},"seq":4,"stream":"\#(Sample.university)","type":"recommended"}"#

    static func refusal(_ text: String, kind: EventInput.Kind) -> String? {
        do {
            _ = try EventInput.event(line: ArraySlice(text.utf8), number: 3, kind: kind, source: "e.jsonl")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a line's seq is an import's: read by import, an unknown member of an events file to append, the allowed ones named")
    func chainFieldsOnlyInAnImport() throws {
        let imported = try #require(try EventInput.event(line: ArraySlice(Self.line.utf8), number: 3, kind: .import, source: "e.jsonl"))
        #expect(imported.claimed?.seq == 4 && imported.actor.name == "沈河区" && imported.type == "recommended")
        let refused = try #require(Self.refusal(Self.line, kind: .append))
        #expect(refused.contains("e.jsonl line 3") && refused.contains(#"unknown member "seq" (allowed: actor, effectiveOn, eventId, payload, schemaVersion, stream, type)"#), "\(refused)")
    }

    @Test("of several unknown members the first in order is named; an actor's other members are refused by their path")
    func firstUnknownNamed() throws {
        let two = Self.line.replacingOccurrences(of: #""type":"#, with: #""zone":1,"colour":"red","type":"#)
        #expect(Self.refusal(two, kind: .import)?.contains(#"unknown member "colour""#) == true)
        let actor = Self.line.replacingOccurrences(of: #""role":"#, with: #""email":"a@b.cn","role":"#)
        #expect(Self.refusal(actor, kind: .import)?.contains(#"unknown member "actor.email" (allowed: role, unit, name)"#) == true)
        let roleless = Self.line.replacingOccurrences(of: #""role":"district-bureau","#, with: "")
        #expect(Self.refusal(roleless, kind: .import)?.contains(#"required member "actor.role" is missing"#) == true)
    }
}
