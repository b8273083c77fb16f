import CanonicalJSON
import EventSchemas
import Foundation
import OutletDomain
import OutletCore
import OutletLedger
import Testing

@Suite("EventSchemas and the Swift types agree, checked against Python's jsonschema")
struct SchemaAgreementTests {
    @Test("every event type of DOMAIN.md §4 has a v1 schema file, and the envelope has one")
    func everyTypeHasASchema() throws {
        let files = Set((try? FileManager.default.contentsOfDirectory(atPath: Repository.path("EventSchemas/schemas"))) ?? [])
        for type in EventType.allCases {
            #expect(files.contains("\(type.rawValue).v1.schema.json"), "\(type.rawValue)")
            #expect(files.contains("\(type.rawValue).v\(type.latestSchemaVersion).schema.json"), "\(type.rawValue)")
            #expect(try SchemaSet.bundled.get().latestVersions[type.rawValue] == type.latestSchemaVersion)
        }
        #expect(files.contains("envelope.v1.schema.json"))
    }

    @Test("every event type has fixtures, valid and invalid")
    func fixturesCoverEveryType() {
        for type in EventType.allCases {
            let files = PayloadFixtures.files.filter { $0.type == type.rawValue }
            #expect(!files.isEmpty, "\(type.rawValue)")
            #expect(files.allSatisfy { !$0.valid.isEmpty && !$0.invalid.isEmpty }, "\(type.rawValue)")
        }
    }

    /// The Swift verdict: schema validation, upcasting and decoding into the domain's Codable types.
    static func swiftVerdict(_ file: PayloadFixtures.File, _ payload: JSONValue) -> String? {
        // The stream must equal the institution's USCC; where the fixture's is malformed, the schema is what should catch it.
        let stream = ReferenceEventType(rawValue: file.type) != nil ? ReferenceStream.id
            : payload["institution"]?["uscc"]?.stringValue.flatMap(USCC.init)?.code ?? Sample.university
        var candidate = Sample.candidate(file.type, stream: stream, payload: payload)
        candidate.schemaVersion = file.schemaVersion
        do {
            _ = try CandidateChecker().check(candidate)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("the Swift checker accepts every valid fixture and refuses every invalid one, naming a JSON path")
    func swiftVerdicts() {
        for file in PayloadFixtures.files {
            for (index, payload) in file.valid.enumerated() {
                #expect(Self.swiftVerdict(file, payload) == nil, "\(file.name) valid/\(index)")
            }
            for (why, payload) in file.invalid {
                let verdict = Self.swiftVerdict(file, payload)
                #expect(verdict?.contains("payload $") == true, "\(file.name) invalid '\(why)': \(verdict ?? "accepted")")
            }
        }
    }

    @Test("a violation deep in a payload is named by its whole path, members and indexes after valid siblings")
    func violationPaths() throws {
        let schemas = try SchemaSet.bundled.get()
        let file = try #require(PayloadFixtures.files.first { $0.type == "submitted" && $0.schemaVersion == 1 })
        guard case .object(var payload) = file.valid[0], case .array(var team)? = payload["team"], team.count >= 3,
              case .object(var member) = team[2] else { Issue.record("the fixture has a team of three"); return }
        member["bio"] = .integer(7)
        team[2] = .object(member)
        payload["team"] = .array(team)
        #expect { try schemas.validate(.object(payload), type: "submitted", version: 1) } throws: { error in
            (error as? SchemaViolation)?.path == "$.team[2].bio" && (error as? SchemaViolation)?.reason == "expected string, found integer"
        }
        payload["team"] = .array(Array(team.prefix(2)))
        payload["grade"] = "A"
        #expect { try schemas.validate(.object(payload), type: "submitted", version: 1) } throws: { error in
            (error as? SchemaViolation)?.path == "$" && (error as? SchemaViolation)?.reason == "unknown member \"grade\""
        }
    }

    @Test("a list whose items must be unique refuses a repeat wherever it stands, in a short list or a long one")
    func uniqueItems() throws {
        let schemas = try SchemaSet.bundled.get()
        guard case .object(var payload) = PayloadFixtures.valid("submitted") else { Issue.record("an application is an object"); return }
        func verdict(_ materials: [String]) -> String? {
            payload["materials"] = .array(materials.map(JSONValue.string))
            do {
                try schemas.validate(.object(payload), type: "submitted", version: 1)
                return nil
            } catch {
                return "\(error.path): \(error.reason)"
            }
        }
        for count in [1, 2, 16, 17, 40] {
            let distinct = (0..<count).map { "kind-" + String(repeating: "a", count: $0 + 1) }
            #expect(verdict(distinct) == nil, "\(count) distinct")
            guard count > 1 else { continue }
            for (first, second) in [(0, 1), (0, count - 1), (count - 2, count - 1)] {
                var repeated = distinct
                repeated[second] = repeated[first]
                #expect(verdict(repeated) == "$.materials: items must be unique", "\(count) items, \(first) and \(second) the same")
            }
        }
    }

    @Test("a text's length is counted in characters, not bytes: at the bound it passes, one past it does not")
    func lengthsCountCharacters() throws {
        let schemas = try SchemaSet.bundled.get()
        func verdict(_ reason: String) -> String? {
            do {
                try schemas.validate(["stage": "review", "reason": .string(reason)], type: "declined", version: 1)
                return nil
            } catch {
                return "\(error.path): \(error.reason)"
            }
        }
        for character in ["a", "理", "𠀀"] {  // one, three and four UTF-8 bytes
            #expect(verdict(String(repeating: character, count: 20_000)) == nil, "\(character)")
            #expect(verdict(String(repeating: character, count: 20_001)) == "$.reason: longer than 20000 characters", "\(character)")
            #expect(verdict(character) == nil, "\(character)")
        }
        #expect(verdict("") == "$.reason: must not be empty")
    }

    @Test("Python's jsonschema reaches the same verdict on every fixture")
    func pythonAgrees() throws {
        let result = try CLI.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Repository.path("tools/schema-check.py"), Repository.path("EventSchemas/schemas"),
             PayloadFixtures.directory.path])
        try #require(result.status == 0, "tools/schema-check.py failed (is python3-jsonschema installed?): \(result.stderr)")
        let python = try JSONParser.parse(result.stdout).objectValue ?? [:]
        var compared = 0
        for file in PayloadFixtures.files {
            let cases = file.valid.enumerated().map { ("valid/\($0.offset)", $0.element) }
                + file.invalid.enumerated().map { ("invalid/\($0.offset)", $0.element.payload) }
            for (key, payload) in cases {
                let pythonAccepts = try #require(python["\(file.name)#\(key)"]?["ok"]?.boolValue as Bool?, "\(file.name)#\(key)")
                let swiftVerdict = Self.swiftVerdict(file, payload)
                #expect(pythonAccepts == (swiftVerdict == nil),
                        "\(file.name)#\(key): Python \(pythonAccepts ? "accepts" : "refuses: \(python["\(file.name)#\(key)"]?["error"]?.stringValue ?? "")"), Swift \(swiftVerdict ?? "accepts")")
                compared += 1
            }
        }
        #expect(compared == python.count)
        #expect(compared > 60)
    }
}
