import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore
import OutletLedger
import OutletStore
import Testing

@Suite("Text is safe everywhere it goes: refused at append, escaped on the terminal, neutralised in CSV and Markdown")
struct TextSafetyTests {
    /// A registration whose institution name is `name`.
    static func named(_ name: String) -> [Candidate] {
        var registration = Sample.registration()
        if case .object(var members) = registration[0].payload, case .object(var institution)? = members["institution"] {
            institution["name"] = .string(name)
            members["institution"] = .object(institution)
            registration[0].payload = .object(members)
        }
        return registration
    }

    @Test("control characters in a payload are refused with the field's JSON path (exit 65), nothing written",
          arguments: ["红\u{1B}[31m大学", "大学\u{1B}]0;pwned\u{07}", "大学\u{0}", "大学\n第二行", "大学\u{85}", "大学\u{7F}", "\u{202E}学大"])
    func controlCharactersRefused(name: String) throws {
        let fixture = try LedgerFixture()
        let before = try fixture.fingerprint()
        #expect {
            try fixture.ledger.append([Self.named(name)[0]])
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .invalidInput && error.message.hasPrefix("payload $.institution.name has the control character U+")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("the same refused in an imported line written in canonical form, whose payload's bytes are taken as they stand",
          arguments: ["红\u{1B}[31m大学", "大学\u{0}", "大学\n第二行", "大学\u{85}", "大学\u{7F}", "\u{202E}学大", "大学\u{2066}"])
    func controlCharactersRefusedInCanonicalLines(name: String) throws {
        let fixture = try LedgerFixture()
        let registration = Self.named(name)[0]
        let line = JSONValue.object([
            "type": .string(registration.type), "stream": .string(registration.stream), "effectiveOn": .string(registration.effectiveOn),
            "actor": ["role": .string(registration.actor.role), "unit": .string(registration.actor.unit), "name": .string(registration.actor.name)],
            "payload": registration.payload,
        ]).canonicalString
        let imported = try #require(try EventInput.event(line: ArraySlice(line.utf8), number: 1, kind: .import, source: "t.jsonl"))
        #expect(imported.payload == registration.payload && imported.origin == "t.jsonl line 1")
        let before = try fixture.fingerprint()
        #expect {
            try fixture.ledger.importEvents([imported])
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .invalidInput && error.message.hasPrefix("payload $.institution.name has the control character U+")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("a line feed is accepted in prose (a reason), refused in a name")
    func lineFeedsInProseOnly() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.ledger.append([Sample.candidate("rectification-ordered", on: "2025-11-03", payload: ["reason": "第一，服务记录不全；\n第二，未公示服务事项。"])])
        #expect(throws: LedgerError.self) {
            try fixture.ledger.append([Sample.candidate("info-changed", on: "2025-11-04", payload: ["changes": ["address": "沈阳市\n沈河区"]])])
        }
    }

    @Test("the actor name is checked like text, and limited to 200 characters")
    func actorName() throws {
        let fixture = try LedgerFixture()
        var candidate = Sample.registration()[0]
        candidate.actor.name = "刘\u{1B}[2J洋"
        #expect { try fixture.ledger.append([candidate]) } throws: { ($0 as? LedgerError)?.message.hasPrefix("actor.name has the control character U+001B") == true }
        candidate.actor.name = String(repeating: "名", count: 201)
        #expect { try fixture.ledger.append([candidate]) } throws: { ($0 as? LedgerError)?.message.contains("over the 200-character limit") == true }
    }

    @Test("text an older ledger holds reaches the terminal escaped (status, history, roster), while verify still passes")
    func terminalEscapes() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.fingerprint()
        // As a ledger written before the rule could hold it: a payload and its hashes rewritten by hand.
        try tamper(fixture, "DROP TRIGGER events_no_update")
        let ledger = try Ledger.open(at: fixture.path, readonly: true)
        var rewritten: [Envelope] = []
        var prevHash = HashChain.genesis
        for var envelope in try ledger.store.events() {
            envelope.payload = envelope.payload.replacingOccurrences(of: "沈阳理工示范大学", with: "沈阳理工\\u001b]0;pwned\\u0007示范大学")
            envelope.prevHash = prevHash
            envelope.hash = HashChain.hash(of: envelope)
            prevHash = envelope.hash
            rewritten.append(envelope)
        }
        for envelope in rewritten {
            try tamper(fixture, "UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                       [envelope.payload, envelope.prevHash, envelope.hash, envelope.seq])
        }
        try tamper(fixture, "UPDATE chain_head SET hash = ?", [prevHash])
        #expect(try CLI.run(["verify", "--ledger", fixture.path]).status == 0)
        for command in [["status", Sample.university, "--as-of", "2025-11-01"], ["history", Sample.university],
                        ["roster", "--as-of", "2025-11-01"]] {
            let result = try CLI.run(command + ["--ledger", fixture.path])
            #expect(result.status == 0 && !result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"), "\(command)")
            #expect(result.stdout.contains("沈阳理工\\u{1B}]0;pwned\\u{7}示范大学"), "\(command): \(result.stdout)")
        }
    }

    @Test("a name a spreadsheet would run as a formula is neutralised in CSV; --bom starts the file with one")
    func csvFormulas() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Self.named("=HYPERLINK(\"http://x\",\"点击\")"))
        _ = try fixture.fingerprint()
        let csv = try CLI.run(["roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", "csv", "--bom"]).stdout
        #expect(csv.hasPrefix("\u{FEFF}outletNo,"))
        #expect(csv.contains(#","'=HYPERLINK(""http://x"",""点击"")","#), "\(csv)")
    }

    @Test("a Markdown notice escapes Markdown and HTML in data: no link, no tag, no extra table cell")
    func markdownEscapes() throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Self.named("大学|<script>x</script>[链接](http://x)"))
        _ = try fixture.fingerprint()
        let notice = try CLI.run(["notice", "roster", "--ledger", fixture.path, "--as-of", "2025-11-01", "--format", "md"]).stdout
        #expect(notice.contains(#"大学\|&lt;script&gt;x&lt;/script&gt;\[链接\]\(http://x\)"#), "\(notice)")
        #expect(!notice.contains("<script>"))
    }
}
