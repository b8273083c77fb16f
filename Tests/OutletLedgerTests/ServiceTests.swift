import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OutletCore
import OutletDomain
import OutletHTTP
import OutletLedger
import OutletTransparency
import Testing

/// A registry service over a ledger holding one application in publicity (university: submitted,
/// recommended by 沈河区 210103, publicized 2025-11-27) — its objection window open on the fixture's
/// 2025-12-01 — with one token per role.
struct ServiceFixture: @unchecked Sendable {  // tests only: one task drives it at a time
    let fixture: LedgerFixture
    let service: RegistryService
    var tokens: [String: String] = [:]

    init(objectionsPerMinute: Int = 1000) throws {
        fixture = try LedgerFixture()
        let ledger = try fixture.ledger
        _ = try ledger.append(Array(Sample.registration().prefix(2)) + [Sample.candidate("publicized", on: "2025-11-27")])
        let roles = [
            "city": "city-bureau:210100", "district": "district-bureau:210103", "otherDistrict": "district-bureau:210102",
            "applicant": "applicant:\(Sample.university)", "otherApplicant": "applicant:\(Sample.other)", "auditor": "auditor",
        ]
        for (key, role) in roles {
            tokens[key] = try ledger.issueToken(role: try AccessRole(role, policy: ledger.policy), name: "\(key) clerk").secret
        }
        service = RegistryService(ledger: LedgerActor(ledger), objectionsPerMinute: objectionsPerMinute)
    }

    var head: Int64 { get throws { try fixture.ledger.store.head().seq } }

    func headers(_ who: String?) -> HTTPFields {
        guard let who, let token = tokens[who] else { return [:] }
        return [.authorization: "Bearer \(token)"]
    }

    /// An objection to the university's application, raised on the fixture's today.
    static func objection(_ id: String) -> JSONValue {
        guard case .object(var members) = PayloadFixtures.valid("objection") else { return .null }
        members["objectionId"] = .string(id)
        return .object(["type": .string("objection"), "effectiveOn": .string("2025-12-01"), "payload": .object(members)])
    }

    static func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: value.canonicalBytes) }

    static func json(_ response: TestResponse) -> JSONValue? { try? JSONParser.parse(Array(buffer: response.body)) }
}

@Suite("The service's doors by role: who may read and record what, and a refused request writes nothing")
struct ServiceRoleTests {
    /// Each role against each route: the status it gets.
    @Test("every role against every write and read: allowed, or the exact status, and nothing written when refused")
    func roleMatrix() async throws {
        let setup = try ServiceFixture()
        let app = Application(router: setup.service.router)
        let university = Sample.university
        let registered = ServiceFixture.body(.object(["type": .string("registered"), "effectiveOn": .string("2025-12-01"), "payload": PayloadFixtures.valid("registered")]))
        // (who, method, path, body, expected status)
        var rows: [(String?, HTTPRequest.Method, String, ByteBuffer?, Int)] = []
        let objectionWho: [(String?, Int)] = [(nil, 201), ("city", 201), ("district", 201), ("otherDistrict", 403), ("applicant", 201),
                                               ("otherApplicant", 403), ("auditor", 403)]
        for (index, (who, status)) in objectionWho.enumerated() {
            rows.append((who, .post, "/api/v1/streams/\(university)/events", ServiceFixture.body(ServiceFixture.objection("obj-\(index)")), status))
        }
        // Registering before the publicity window ends: a rule for the city bureau, the "who" column for the others.
        for (who, status) in [(nil, 401), ("city", 422), ("district", 403), ("applicant", 403), ("auditor", 403)] as [(String?, Int)] {
            rows.append((who, .post, "/api/v1/streams/\(university)/events", registered, status))
        }
        for who in [nil, "city", "district", "applicant", "auditor"] as [String?] {
            for path in ["/api/v1/roster?asOf=2025-12-01", "/api/v1/bans", "/api/v1/stats", "/api/v1/calendar?from=2025-12-01&to=2026-12-01",
                         "/api/v1/institutions/\(university)/status?asOf=2025-12-01", "/healthz"] {
                rows.append((who, .get, path, nil, 200))
            }
        }
        let logAccess: [(String?, Int)] = [(nil, 401), ("city", 200), ("auditor", 200), ("district", 403), ("applicant", 403)]
        for (who, status) in logAccess { rows.append((who, .get, "/api/v1/log", nil, status)) }
        let historyAccess: [(String?, Int)] = [(nil, 401), ("city", 200), ("auditor", 200), ("applicant", 200), ("otherApplicant", 403), ("district", 403)]
        for (who, status) in historyAccess { rows.append((who, .get, "/api/v1/institutions/\(university)/history", nil, status)) }

        let matrix = rows
        try await app.test(.router) { client in
            for (who, method, path, body, expected) in matrix {
                let before = try setup.head
                let response = try await client.execute(uri: path, method: method, headers: setup.headers(who), body: body)
                let label = "\(who ?? "public") \(method) \(path)"
                #expect(response.status.code == expected, "\(label): \(String(buffer: response.body))")
                if expected >= 400 {
                    #expect(response.headers[.contentType] == "application/problem+json", "\(label)")
                    #expect(ServiceFixture.json(response)?["status"]?.integerValue == Int64(expected), "\(label)")
                }
                if method == .post {
                    let after = try setup.head
                    #expect(after == before + (expected == 201 ? 1 : 0), "\(label) wrote \(after - before)")
                }
            }
        }
        // The actor of each accepted objection is the token's, or the public's.
        let actors = try setup.fixture.ledger.store.events(ofType: "objection", afterSeq: 0).map { "\($0.actor.role):\($0.actor.unit):\($0.actor.name)" }
        #expect(actors == ["public::", "city-bureau:210100:city clerk", "district-bureau:210103:district clerk", "applicant:\(university):applicant clerk"])
    }

    @Test("a 422 names the article and the deciding rule; a 403 from the \"who\" column names the rule too")
    func refusalsNameTheirArticle() async throws {
        let setup = try ServiceFixture()
        let app = Application(router: setup.service.router)
        let registered = ServiceFixture.body(.object(["type": .string("registered"), "effectiveOn": .string("2025-12-01"), "payload": PayloadFixtures.valid("registered")]))
        try await app.test(.router) { client in
            let refused = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post, headers: setup.headers("city"), body: registered)
            let problem = try #require(ServiceFixture.json(refused))
            #expect(refused.status.code == 422 && problem["type"]?.stringValue == "/problems/refused-by-rule")
            #expect(problem["article"]?.stringValue?.contains("Art. 6") == true, "\(problem)")
            let notAllowed = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post, headers: setup.headers("otherDistrict"),
                                                      body: ServiceFixture.body(ServiceFixture.objection("obj-x")))
            let who = try #require(ServiceFixture.json(notAllowed))
            #expect(notAllowed.status.code == 403 && who["type"]?.stringValue == "/problems/not-allowed" && who["article"]?.stringValue == "Art. 6(2)", "\(who)")
        }
    }
}

@Suite("The service's guards: tokens, bodies, versions, repeats and rates")
struct ServiceGuardTests {
    @Test("an expired, a revoked and an unknown token are 401 with WWW-Authenticate, on public routes too; nothing is written")
    func badTokens() async throws {
        var fixture = try ServiceFixture()
        let ledger = try fixture.fixture.ledger
        fixture.tokens["expiring"] = try ledger.issueToken(role: .cityBureau, name: "临时", expiresOn: LocalDate("2025-12-01")!).secret
        let revoked = try ledger.issueToken(role: .cityBureau, name: "离职")
        fixture.tokens["revoked"] = revoked.secret
        try ledger.revokeToken(id: revoked.token.id)
        fixture.tokens["unknown"] = "olt_not-a-token"
        let setup = fixture
        let app = Application(router: setup.service.router)
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/api/v1/log", method: .get, headers: setup.headers("expiring")).status == .ok)
            setup.fixture.clock.set(Timestamp("2025-12-02T02:00:00.000Z")!)
            for (who, words) in [("expiring", "expired after 2025-12-01"), ("revoked", "was revoked at"), ("unknown", "not one this registry issued")] {
                let before = try setup.head
                for (method, path) in [(HTTPRequest.Method.get, "/api/v1/roster"), (.post, "/api/v1/streams/\(Sample.university)/events")] {
                    let response = try await client.execute(uri: path, method: method, headers: setup.headers(who),
                                                            body: ServiceFixture.body(ServiceFixture.objection("obj-\(who)")))
                    #expect(response.status == .unauthorized && response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(who) \(path)")
                    #expect(ServiceFixture.json(response)?["detail"]?.stringValue?.contains(words) == true, "\(String(buffer: response.body))")
                }
                #expect(try setup.head == before)
            }
        }
    }

    @Test("a spoofed actor, unknown members, malformed JSON and an oversized public body are refused (400, 413) and write nothing")
    func badBodies() async throws {
        let setup = try ServiceFixture()
        let app = Application(router: setup.service.router)
        let path = "/api/v1/streams/\(Sample.university)/events"
        guard case .object(var spoofed) = ServiceFixture.objection("obj-s") else { return }
        spoofed["actor"] = .object(["role": .string("city-bureau"), "unit": .string("210100"), "name": .string("冒充")])
        guard case .object(var extra) = ServiceFixture.objection("obj-e") else { return }
        extra["recordedAt"] = .string("2020-01-01T00:00:00Z")
        let huge = String(repeating: "异", count: 8_000)
        guard case .object(var oversized) = ServiceFixture.objection("obj-h") else { return }
        oversized["payload"] = .object(["objectionId": .string("obj-h"), "filler": .string(huge)])
        let cases: [(String?, ByteBuffer, Int, String)] = [
            ("city", ServiceFixture.body(.object(spoofed)), 400, "names an actor"),
            (nil, ServiceFixture.body(.object(spoofed)), 400, "names an actor"),
            ("city", ServiceFixture.body(.object(extra)), 400, "has member \"recordedAt\""),
            ("city", ByteBuffer(string: "{\"type\": "), 400, "not JSON"),
            ("city", ByteBuffer(string: "[]"), 400, "empty"),
            (nil, ServiceFixture.body(.object(oversized)), 413, "over"),
        ]
        try await app.test(.router) { client in
            for (who, body, status, words) in cases {
                let before = try setup.head
                let response = try await client.execute(uri: path, method: .post, headers: setup.headers(who), body: body)
                let detail = ServiceFixture.json(response)?["detail"]?.stringValue ?? ""
                #expect(response.status.code == status && detail.contains(words), "\(response.status) \(String(buffer: response.body))")
                #expect(try setup.head == before)
            }
        }
    }

    @Test("If-Match records only at the stream's version (412 otherwise), answers the new version as ETag; a repeated eventId returns the original (200), with other content 409")
    func versionsAndRepeats() async throws {
        let setup = try ServiceFixture()
        let app = Application(router: setup.service.router)
        let path = "/api/v1/streams/\(Sample.university)/events"
        guard case .object(var first) = ServiceFixture.objection("obj-v") else { return }
        first["eventId"] = .string("clerk-0001")
        let event = JSONValue.object(first)
        first["effectiveOn"] = .string("2025-11-30")
        let otherContent = JSONValue.object(first)
        try await app.test(.router) { client in
            var headers = setup.headers("city")
            headers[.ifMatch] = "\"2\""
            let moved = try await client.execute(uri: path, method: .post, headers: headers, body: ServiceFixture.body(event))
            #expect(moved.status == .preconditionFailed && ServiceFixture.json(moved)?["actualVersion"]?.integerValue == 3, "\(String(buffer: moved.body))")
            headers[.ifMatch] = "\"3\""
            let created = try await client.execute(uri: path, method: .post, headers: headers, body: ServiceFixture.body(event))
            #expect(created.status == .created && created.headers[.eTag] == "\"4\"", "\(String(buffer: created.body))")
            let answer = try #require(ServiceFixture.json(created))
            #expect(answer["streamVersion"]?.integerValue == 4 && answer["seq"]?.integerValue == genesis + 4 && answer["hash"]?.stringValue?.count == 64)
            let repeated = try await client.execute(uri: path, method: .post, headers: setup.headers("city"), body: ServiceFixture.body(event))
            #expect(repeated.status == .ok && ServiceFixture.json(repeated)?["seq"] == answer["seq"])
            let reused = try await client.execute(uri: path, method: .post, headers: setup.headers("city"), body: ServiceFixture.body(otherContent))
            #expect(reused.status == .conflict, "\(String(buffer: reused.body))")
            #expect(try setup.head == genesis + 4)
        }
    }

    @Test("an array of events is recorded all or none: one refused event leaves the stream as it was")
    func allOrNone() async throws {
        let setup = try ServiceFixture()
        let app = Application(router: setup.service.router)
        let registered = JSONValue.object(["type": .string("registered"), "effectiveOn": .string("2025-12-01"), "payload": PayloadFixtures.valid("registered")])
        try await app.test(.router) { client in
            let refused = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post, headers: setup.headers("city"),
                                                   body: ServiceFixture.body(.array([ServiceFixture.objection("obj-a"), registered])))
            #expect(refused.status.code == 422 && ServiceFixture.json(refused)?["eventIndex"]?.integerValue == 1, "\(String(buffer: refused.body))")
            #expect(try setup.head == genesis + 3)
            let both = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post, headers: setup.headers("city"),
                                                body: ServiceFixture.body(.array([ServiceFixture.objection("obj-a"), ServiceFixture.objection("obj-b")])))
            #expect(both.status == .created && ServiceFixture.json(both)?.arrayValue?.count == 2)
        }
    }

    @Test("public objections are counted per address: over the limit, 429 with Retry-After, and nothing written")
    func objectionRate() async throws {
        let setup = try ServiceFixture(objectionsPerMinute: 2)
        let app = Application(router: setup.service.router)
        try await app.test(.router) { client in
            for (index, status) in [201, 201, 429].enumerated() {
                let response = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post,
                                                        body: ServiceFixture.body(ServiceFixture.objection("obj-r\(index)")))
                #expect(response.status.code == status, "\(String(buffer: response.body))")
                if status == 429 { #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1) }
            }
            #expect(try setup.head == genesis + 5)
            // A token holder is not counted against the public's limit.
            let clerk = try await client.execute(uri: "/api/v1/streams/\(Sample.university)/events", method: .post, headers: setup.headers("city"),
                                                 body: ServiceFixture.body(ServiceFixture.objection("obj-r9")))
            #expect(clerk.status == .created)
        }
    }
}

@Suite("The roster in pages: a client of a large registry reads it a page at a time, all pages of one basis")
struct RosterPageTests {
    @Test("offset and limit give a page with its place and the whole roster's total; next is the following page pinned by atSeq, so an outlet added in between does not shift it, nor a page remembered at its basis; a bad offset or limit is 400")
    func pagesFollowOneBasis() async throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let app = Application(router: RegistryService(ledger: LedgerActor(ledger)).router)
        try await app.test(.router) { client in
            let whole = ServiceFixture.json(try await client.execute(uri: "/api/v1/roster?asOf=2026-06-30", method: .get))
            let outlets = whole?["outlets"]?.arrayValue ?? []
            #expect(outlets.count > 6 && whole?["page"] == nil)
            let first = ServiceFixture.json(try await client.execute(uri: "/api/v1/roster?asOf=2026-06-30&limit=3", method: .get))
            #expect(first?["outlets"]?.arrayValue == Array(outlets.prefix(3)))
            #expect(first?["page"] == .object(["offset": .integer(0), "limit": .integer(3), "total": .integer(Int64(outlets.count))]))
            #expect(first?["digest"] == whole?["digest"])
            let seq = first?["seq"]?.integerValue ?? 0
            let next = first?["next"]?.stringValue ?? ""
            #expect(next == "/api/v1/roster?asOf=2026-06-30&atSeq=\(seq)&offset=3&limit=3")
            // A national outlet included in between (recorded by another writer of the file): the roster at the head
            // grows by one; the pinned page does not see it.
            _ = try ledger.append([Sample.candidate("auto-included", stream: Sample.other, on: "2026-06-01",
                                                    payload: Sample.payload("auto-included", for: Sample.other))])
            let grown = ServiceFixture.json(try await client.execute(uri: "/api/v1/roster?asOf=2026-06-30&limit=3", method: .get))
            #expect(grown?["page"]?["total"]?.integerValue == Int64(outlets.count + 1) && grown?["seq"]?.integerValue == seq + 1)
            // Pages are remembered by basis: the first page pinned at its seq is what it was, the head's is not.
            let pinned = ServiceFixture.json(try await client.execute(uri: "/api/v1/roster?asOf=2026-06-30&atSeq=\(seq)&limit=3", method: .get))
            #expect(pinned == first && grown != first)
            let second = ServiceFixture.json(try await client.execute(uri: next, method: .get))
            #expect(second?["seq"]?.integerValue == seq && second?["outlets"]?.arrayValue == Array(outlets[3..<6]))
            #expect(second?["page"]?["total"]?.integerValue == Int64(outlets.count))
            let last = ServiceFixture.json(try await client.execute(uri: "/api/v1/roster?asOf=2026-06-30&atSeq=\(seq)&offset=\(outlets.count - 1)", method: .get))
            #expect(last?["outlets"]?.arrayValue == [outlets[outlets.count - 1]] && last?["next"] == nil)
            for query in ["limit=0", "limit=1001", "offset=-1", "offset=x"] {
                let refused = try await client.execute(uri: "/api/v1/roster?\(query)", method: .get)
                #expect(refused.status == .badRequest && refused.headers[.contentType] == "application/problem+json", "\(query)")
            }
        }
    }
}

@Suite("outlet-ledger serve: a process on a socket, its tiles, its log lines, its shutdown")
struct ServeProcessTests {
    @Test("serve answers on loopback; /tlog serves the tiles export writes (Cache-Control as C2SP tlog-tiles says); a log line per request names the token's id, never the token; SIGTERM stops it cleanly")
    func servesOverASocket() async throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        _ = try ledger.signCheckpoint(with: try SignedNote.Signer.generate(name: "outlets.shenyang.example/registry"))
        let issued = try ledger.issueToken(role: .auditor, name: "审计署")
        _ = try fixture.fingerprint()
        let folder = fixture.file("tiles")
        #expect(try CLI.run(["tiles", "export", folder, "--ledger", fixture.path]).status == 0)

        let server = try RunningServer(["serve", "--ledger", fixture.path])
        let health = try await HTTP.request(server.url.appendingPathComponent("healthz"))
        #expect(health.status == 200 && health.text.contains("\"seq\":\(DemoTests.head)"), "\(health.text)")
        let checkpoint = try await HTTP.request(server.url.appendingPathComponent("tlog/checkpoint"))
        let exported = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoint"))
        #expect(checkpoint.status == 200 && checkpoint.body == exported)
        #expect(checkpoint.headers["cache-control"] == "no-cache")
        for tile in try FileManager.default.subpathsOfDirectory(atPath: folder + "/tile").filter({ !$0.hasSuffix("/") }) {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/tile/" + tile, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let served = try await HTTP.request(server.url.appendingPathComponent("tlog/tile/" + tile))
            let file = try Data(contentsOf: URL(fileURLWithPath: folder + "/tile/" + tile))
            #expect(served.status == 200 && served.body == file, "\(tile)")
            #expect(served.headers["cache-control"] == "public, max-age=31536000, immutable")
        }
        let log = try await HTTP.request(server.url.appendingPathComponent("api/v1/log"), headers: ["Authorization": "Bearer \(issued.secret)"])
        #expect(log.status == 200)
        let metrics = try await HTTP.request(server.url.appendingPathComponent("metrics"))
        #expect(metrics.text.contains("outlet_ledger_head_seq \(DemoTests.head)") && metrics.text.contains("route=\"GET /api/v1/log\",status=\"200\""))
        #expect(server.stop() == 0)
        let stderr = server.standardError
        #expect(stderr.contains("GET /api/v1/log 200") && stderr.contains("token=\(issued.token.id)") && !stderr.contains(issued.secret), "\(stderr)")
    }
}

@Suite("The service behind a reverse proxy")
struct ServiceProxyTests {
    @Test("with behindProxy the objection limit counts the address the proxy appended to X-Forwarded-For; without it the header is ignored")
    func forwardedFor() async throws {
        let setup = try ServiceFixture()
        let proxied = RegistryService(ledger: LedgerActor(try setup.fixture.ledger), objectionsPerMinute: 1, behindProxy: true)
        let direct = RegistryService(ledger: LedgerActor(try setup.fixture.ledger), objectionsPerMinute: 1)
        let path = "/api/v1/streams/\(Sample.university)/events"
        @Sendable func post(_ client: some TestClientProtocol, _ id: String, from address: String) async throws -> Int {
            try await client.execute(uri: path, method: .post, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9, \(address)"],
                                     body: ServiceFixture.body(ServiceFixture.objection(id))).status.code
        }
        try await Application(router: proxied.router).test(.router) { client in
            var statuses: [Int] = []
            for (id, address) in [("p1", "198.51.100.1"), ("p2", "198.51.100.2"), ("p3", "198.51.100.1")] { statuses.append(try await post(client, id, from: address)) }
            #expect(statuses == [201, 201, 429])
        }
        try await Application(router: direct.router).test(.router) { client in
            var statuses: [Int] = []
            for (id, address) in [("d1", "198.51.100.3"), ("d2", "198.51.100.4")] { statuses.append(try await post(client, id, from: address)) }
            #expect(statuses == [201, 429])
        }
    }
}

@Suite("Following the log: long-polls and Server-Sent Events")
struct LogFollowTests {
    /// A follower in Python's standard library (http.client): reads the SSE stream from a Last-Event-ID
    /// until it has `count` events, prints their seqs, and hangs up.
    static let follower = """
        import http.client, sys
        host, port, token, last, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
        connection = http.client.HTTPConnection(host, port, timeout=20)
        connection.request("GET", "/api/v1/log/stream", headers={"Authorization": "Bearer " + token, "Last-Event-ID": last})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type") == "text/event-stream", response.status
        seqs = []
        while len(seqs) < count:
            line = response.fp.readline().decode()
            if not line:
                break
            if line.startswith("id: "):
                seqs.append(int(line[4:]))
        print(" ".join(map(str, seqs)))
        """

    static func follow(_ server: RunningServer, token: String, after last: Int64, count: Int) throws -> [Int64] {
        let result = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                                 ["python3", "-c", follower, server.url.host!, String(server.url.port!), token, String(last), String(count)])
        return result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int64($0) }
    }

    @Test("a follower of /log/stream sees every event once and in order across a reconnect (Last-Event-ID), events appended meanwhile included; SIGTERM ends open streams and the server")
    func streamResumes() async throws {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Array(Sample.registration().prefix(2)) + [Sample.candidate("publicized", on: "2025-11-27")])
        let auditor = try fixture.ledger.issueToken(role: .auditor, name: "审计").secret
        _ = try fixture.fingerprint()
        let server = try RunningServer(["serve", "--ledger", fixture.path], environment: ["OUTLET_LEDGER_NOW": "2025-12-01T02:00:00Z"])
        func object(_ id: String) async throws {
            let response = try await HTTP.request(server.url.appendingPathComponent("api/v1/streams/\(Sample.university)/events"), method: "POST",
                                                  body: Data(ServiceFixture.objection(id).canonicalBytes))
            #expect(response.status == 201, "\(response.text)")
        }
        for index in 0..<3 { try await object("obj-\(index)") }
        let first = try Self.follow(server, token: auditor, after: 0, count: 4)
        #expect(first == Array(1...4))
        for index in 3..<6 { try await object("obj-\(index)") }
        let total = Int(genesis) + 3 + 6
        let rest = try Self.follow(server, token: auditor, after: first.last!, count: total - 4)
        #expect(first + rest == Array(1...Int64(total)), "\(rest)")
        // A long-poll that waits is answered by an append made while it waits.
        let waitURL = URL(string: "\(server.url.absoluteString)/api/v1/log?after=\(total)&wait=10")!
        async let waited = HTTP.request(waitURL, headers: ["Authorization": "Bearer \(auditor)"])
        try await Task.sleep(for: .milliseconds(300))
        try await object("obj-late")
        let late = try await waited
        #expect(late.status == 200 && late.text.contains("\"seq\":\(total + 1)"), "\(late.text)")

        // An open stream does not hold the server up at shutdown.
        let open = Process()
        open.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        open.arguments = ["python3", "-c", Self.follower, server.url.host!, String(server.url.port!), auditor, "0", "100000"]
        open.standardOutput = Pipe()
        try open.run()
        try await Task.sleep(for: .milliseconds(500))
        let stopped = ContinuousClock.now
        #expect(server.stop() == 0)
        #expect(ContinuousClock.now - stopped < .seconds(10))
        open.waitUntilExit()
    }
}

@Suite("Slow clients cannot hold a connection")
struct SlowClientTests {
    /// Opens a raw connection, sends `prefix` and then nothing; prints how many seconds until the server hung up.
    static let stall = """
        import socket, sys, time
        connection = socket.create_connection((sys.argv[1], int(sys.argv[2])))
        connection.sendall(sys.argv[3].encode().decode("unicode_escape").encode())
        started = time.time()
        connection.settimeout(20)
        try:
            while connection.recv(4096):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
        print(round(time.time() - started, 1))
        """

    @Test("a client stalled inside its request headers, or inside its body, is disconnected after the idle timeout; the server goes on answering",
          arguments: ["GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n", "POST /api/v1/streams/91350100M000100Y43/events HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 400\\r\\n\\r\\n{\\\"type\\\":"])
    func stalledClient(prefix: String) async throws {
        let fixture = try LedgerFixture()
        _ = try fixture.fingerprint()
        let server = try RunningServer(["serve", "--ledger", fixture.path, "--idle-timeout", "1"])
        let result = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.stall, server.url.host!, String(server.url.port!), prefix])
        let seconds = Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99
        #expect(seconds >= 0.5 && seconds < 10, "\(result.stdout)\(result.stderr)")
        #expect(try await HTTP.request(server.url.appendingPathComponent("healthz")).status == 200)
        #expect(server.stop() == 0)
    }
}
