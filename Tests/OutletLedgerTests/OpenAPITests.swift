import Foundation
import OutletCore
import OutletLedger
import Testing

/// schemathesis and openapi-spec-validator, from PyPI (tools/setup installs them).
let schemathesisAvailable = (try? CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-m", "schemathesis.cli", "--version"]).status) == 0

@Suite("The OpenAPI 3.1 description: valid, served as written, and what the live service answers")
struct OpenAPITests {
    static let description = Repository.path("Sources/OutletHTTP/Resources/openapi.yaml")

    @Test("openapi-spec-validator accepts the description, and /api/v1/openapi.yaml serves it byte for byte")
    func valid() async throws {
        let validated = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            spec, _ = read_from_filename(sys.argv[1])
            validate(spec)
            print("valid", spec["openapi"])
            """, Self.description])
        #expect(validated.status == 0 && validated.stdout == "valid 3.1.0\n", "\(validated.stdout)\(validated.stderr)")
        let fixture = try LedgerFixture()
        _ = try fixture.fingerprint()
        let server = try RunningServer(["serve", "--ledger", fixture.path])
        let served = try await HTTP.request(server.url.appendingPathComponent("api/v1/openapi.yaml"))
        let file = try Data(contentsOf: URL(fileURLWithPath: Self.description))
        #expect(served.status == 200 && served.body == file)
    }

    @Test("schemathesis against a live demo service (city-bureau token, bounded run): no 5xx, no status, content type, header or body outside the description",
          .enabled(if: schemathesisAvailable))
    func schemathesisFindsNothing() throws {
        let fixture = try DemoTests.build()
        let token = try fixture.ledger.issueToken(role: .cityBureau, name: "schemathesis").secret
        _ = try fixture.fingerprint()
        let server = try RunningServer(["serve", "--ledger", fixture.path])
        // The log's long-poll waits by design and its stream never ends: LogFollowTests covers both.
        let run = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", "-m", "schemathesis.cli", "run", server.url.absoluteString + "/api/v1/openapi.yaml", "--url", server.url.absoluteString,
            "-H", "Authorization: Bearer \(token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
            "--max-examples", "8", "--seed", "16", "--max-time", "45", "--exclude-path", "/api/v1/log/stream", "--exclude-path", "/api/v1/log",
        ], in: fixture.directory, environment: ["NO_COLOR": "1"])
        let summary = run.stdout.split(separator: "\n").suffix(30).joined(separator: "\n")
        #expect(run.status == 0 && run.stdout.contains("passed"), "\(summary)\(run.stderr.suffix(2000))")
        #expect(server.stop() == 0)
    }
}
