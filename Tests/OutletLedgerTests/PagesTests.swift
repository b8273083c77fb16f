import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OutletCore
import OutletDomain
@testable import OutletHTTP
import OutletLedger
import Testing

/// A browser's side of the pages: the cookies it keeps, and the form fields a page offers.
struct PageVisitor {
    var cookies: [String: String] = [:]

    var headers: HTTPFields {
        cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    mutating func keep(_ response: TestResponse) {
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count > 1 ? String(pair[1]) : ""
            cookies[String(pair[0])] = value.isEmpty ? nil : value
        }
    }

    /// A page, its cookies kept.
    mutating func get(_ path: String, _ client: some TestClientProtocol) async throws -> (response: TestResponse, html: String) {
        let response = try await client.execute(uri: path, method: .get, headers: headers)
        keep(response)
        return (response, String(buffer: response.body))
    }

    /// A form sent as a browser sends it, with this visitor's cookies.
    mutating func post(_ path: String, _ fields: [String: String], _ client: some TestClientProtocol) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: Self.form(fields))
        keep(response)
        return response
    }

    /// Signs in at `/login` with `token`, as the login page's form does.
    mutating func signIn(_ token: String, _ client: some TestClientProtocol) async throws -> TestResponse {
        let login = try await get("/login", client)
        return try await post("/login", ["csrf": Self.field("csrf", in: login.html) ?? "", "token": token], client)
    }

    /// The value of a page's hidden field.
    static func field(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }
}

@Suite("The pages: strict headers, cookies and CSRF, sessions that end, and the rules' refusals inline (Art. 6(3))")
struct PagesTests {
    @Test("every public page is served with the strict Content-Security-Policy, nosniff, and a Secure, HttpOnly, SameSite=Strict cookie")
    func headers() async throws {
        let setup = try ServiceFixture()
        try await Application(router: setup.service.router).test(.router) { client in
            for path in ["/", "/?asOf=2025-06-30&stood=2025-07-15&q=大学", "/publicity", "/publicity/\(Sample.university)", "/revocations", "/bans",
                         "/notices", "/login", "/outlets/\(Sample.university)"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path): \(String(buffer: response.body).prefix(300))")
                #expect(response.headers[.contentSecurityPolicy] == Pages.contentSecurityPolicy, "\(path)")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                let cookie = response.headers[values: .setCookie].first ?? ""
                #expect(cookie.hasPrefix("olvisit=") && cookie.hasSuffix("; Path=/; Secure; HttpOnly; SameSite=Strict"), "\(path): \(cookie)")
            }
            // A printable notice allows its own inline style by hash, and nothing else.
            let notice = try await client.execute(uri: "/notices/publicity?on=2025-11-27", method: .get)
            #expect(notice.status == .ok, "\(String(buffer: notice.body).split(separator: "detail").last ?? "")")
            #expect(notice.headers[.contentSecurityPolicy]?.contains("style-src 'sha256-") == true)
            #expect(notice.headers[.contentSecurityPolicy]?.contains("script-src") == false)
        }
    }

    @Test("an objection from the publicity page during the window is recorded as the public's (Art. 6(3)); without the page's CSRF token nothing is written")
    func objectionForm() async throws {
        let setup = try ServiceFixture()
        try await Application(router: setup.service.router).test(.router) { client in
            var visitor = PageVisitor()
            let html = try await visitor.get("/publicity/\(Sample.university)", client).html
            #expect(html.contains("id=\"objection-form\""), "the window is open on the fixture's 2025-12-01")
            let csrf = try #require(PageVisitor.field("csrf", in: html)), formID = try #require(PageVisitor.field("formID", in: html))
            let path = "/publicity/\(Sample.university)/objections"

            let before = try setup.fixture.fingerprint()
            for forged in ["", String(repeating: "0", count: 64), csrf.uppercased() + "00"] {
                let refused = try await visitor.post(path, ["csrf": forged, "formID": formID, "grounds": "理由"], client)
                #expect(refused.status == .forbidden && String(buffer: refused.body).contains("表单已失效"))
            }
            #expect(try setup.fixture.fingerprint() == before, "a refused form changed the ledger file")

            let objection = ["csrf": csrf, "formID": formID, "raisedBy.name": "", "raisedBy.contact": "", "grounds": "第一行\r\n第二行"]
            let filed = try await visitor.post(path, objection, client)
            #expect(filed.status == .seeOther && filed.headers[.location]?.hasPrefix("/publicity/\(Sample.university)?filed=") == true)
            // Pressed twice, the same form is the same objection.
            #expect(try await visitor.post(path, objection, client).status == .seeOther)
            let objections = try setup.fixture.ledger.store.events(ofType: "objection", afterSeq: 0)
            #expect(objections.count == 1 && objections[0].actor.role == "public")
            #expect(objections.first?.payload.contains("第一行\\n第二行") == true, "a textarea's CR LF is kept as LF")
        }
    }

    @Test("a clerk signs in with a token; signing out, revoking the token, or staying idle past the timeout ends the session")
    func sessions() async throws {
        let setup = try ServiceFixture()
        let shortLived = RegistryService(ledger: LedgerActor(try setup.fixture.ledger), sessionIdleTimeout: .seconds(2))
        try await Application(router: shortLived.router).test(.router) { client in
            func signIn(_ who: String) async throws -> PageVisitor {
                var visitor = PageVisitor()
                let response = try await visitor.signIn(setup.tokens[who]!, client)
                #expect(response.status == .seeOther && response.headers[.location] == "/work" && visitor.cookies["olsid"] != nil)
                return visitor
            }
            func work(_ visitor: PageVisitor) async throws -> TestResponse {
                try await client.execute(uri: "/work", method: .get, headers: visitor.headers)
            }

            var stranger = PageVisitor()
            let refused = try await stranger.signIn("olt_not-a-token", client)
            #expect(refused.status == .unauthorized && String(buffer: refused.body).contains("令牌无效"))

            let city = try await signIn("city")
            #expect(String(buffer: try await work(city).body).contains("市局工作台"))
            try await Task.sleep(for: .milliseconds(2_300))
            let idle = try await work(city)
            #expect(idle.status == .seeOther && idle.headers[.location] == "/login", "an idle session still opens the work page")

            let auditor = try await signIn("auditor")
            #expect(String(buffer: try await work(auditor).body).contains("校验通过"))
            let id = try #require(try setup.fixture.ledger.tokens().first { $0.role == "auditor" }?.id)
            try setup.fixture.ledger.revokeToken(id: id)
            #expect(try await work(auditor).status == .seeOther, "a revoked token's session still opens the work page")
        }
    }

    @Test("registering inside the publicity window: the refusal with 第六条第三款 and its dates beside the form, the text kept, nothing written")
    func refusalInline() async throws {
        let setup = try ServiceFixture()
        try await Application(router: setup.service.router).test(.router) { client in
            var visitor = PageVisitor()
            _ = try await visitor.signIn(setup.tokens["city"]!, client)
            let html = try await visitor.get("/work/outlets/\(Sample.university)", client).html
            #expect(html.contains("id=\"form-registered\""))
            let before = try setup.fixture.fingerprint()
            let response = try await visitor.post("/work/outlets/\(Sample.university)/acts/registered", [
                "csrf": PageVisitor.field("csrf", in: html)!, "formID": PageVisitor.field("formID", in: html)!,
                "effectiveOn": "2025-12-01", "decision": "同意<备案>",
            ], client)
            let page = String(buffer: response.body)
            #expect(response.status == .unprocessableContent)
            #expect(page.contains("id=\"refusal-registered\"") && page.contains("第六条第三款") && page.contains("2025-12-"), "\(page.prefix(2000))")
            #expect(page.contains("同意&lt;备案&gt;</textarea>"), "the typed decision is kept, as text")
            #expect(try setup.fixture.fingerprint() == before)
        }
    }

    @Test("a district clerk opens only its district's records (Art. 6(2)), and an unrecorded applicant's, to submit an application for it")
    func districtRecords() async throws {
        let setup = try ServiceFixture()
        try await Application(router: setup.service.router).test(.router) { client in
            var clerk = PageVisitor()
            _ = try await clerk.signIn(setup.tokens["otherDistrict"]!, client)
            let elsewhere = try await clerk.get("/work/outlets/\(Sample.university)", client)
            #expect(elsewhere.response.status == .forbidden && elsewhere.html.contains("第六条第二款"))
            let unrecorded = try await clerk.get("/work/outlets/\(Sample.other)", client)
            #expect(unrecorded.response.status == .ok && unrecorded.html.contains("id=\"form-submitted\""))
            #expect(!unrecorded.html.contains("id=\"form-registered\""), "a district bureau is offered only its own acts")
            var own = PageVisitor()
            _ = try await own.signIn(setup.tokens["district"]!, client)
            #expect(try await own.get("/work/outlets/\(Sample.university)", client).response.status == .ok)
        }
    }

    @Test("the roster page shows a registry of many outlets a page at a time: the count is the whole query's, the pages follow one another with the query kept, a page past the end is the last, and a page that is not a number is refused")
    func rosterInPages() async throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let whole = try ledger.projections(at: try ledger.store.head()).projection.roster(on: LocalDate("2026-06-30")!)
        let service = RegistryService(ledger: LedgerActor(ledger), rosterPageSize: 4)
        @Sendable func numbers(_ html: String) -> [String] {
            html.components(separatedBy: "<td data-label=\"网点编号\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
        }
        @Sendable func next(_ html: String) -> String? {
            guard let end = html.range(of: "\" rel=\"next\"") else { return nil }
            let start = html[..<end.lowerBound].range(of: "href=\"", options: .backwards)!
            return String(html[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
        }
        try await Application(router: service.router).test(.router) { client in
            var visitor = PageVisitor()
            var page = try await visitor.get("/?asOf=2026-06-30", client)
            #expect(page.html.contains("共 \(whole.count) 家网点") && page.html.contains("第 1 页，共 \((whole.count + 3) / 4) 页"))
            var seen = numbers(page.html)
            while let link = next(page.html) {
                #expect(link.contains("asOf=2026-06-30"))
                page = try await visitor.get(link, client)
                seen += numbers(page.html)
            }
            #expect(seen == whole.map { $0.outletNo ?? "—" })
            let beyond = try await visitor.get("/?asOf=2026-06-30&page=999", client)
            #expect(numbers(beyond.html) == Array(seen.suffix(whole.count % 4 == 0 ? 4 : whole.count % 4)))
            let district = whole[0].district
            let filtered = try await visitor.get("/?asOf=2026-06-30&district=\(district)", client)
            #expect(filtered.html.contains("共 \(whole.filter { $0.district == district }.count) 家网点"))
            if let link = next(filtered.html) { #expect(link.contains("district=\(district)")) }
            let refused = try await visitor.get("/?page=x", client)
            #expect(refused.response.status == .badRequest && refused.html.contains("页码"))
        }
    }

    @Test("the Measures cite themselves in Chinese: Art. 6(3), 16 is 第六条第三款、第十六条")
    func articles() {
        #expect(Words.article("Art. 6(3), 16") == "第六条第三款、第十六条")
        #expect(Words.article("Art. 19") == "第十九条")
        #expect(Words.article("Art. 4(1)") == "第四条第一款")
        #expect(Words.article("correction") == "更正")
    }

    @Test("a form becomes the payload: blank rows of a list drop out, numbers must be numbers, checkboxes become arrays")
    func formPayload() throws {
        let form = try #require(ActForm.of(.annualSummaryFiled, districts: []))
        let filled = FormData(urlEncoded: "year=2025&overview=a%0D%0Ab&cases.0.name=n&cases.0.period=p&cases.0.content=c&cases.1.name=&cases.1.period=&cases.1.content=&lessons=l&nextYearPlan=x")
        let payload = try form.payload(from: filled)
        #expect(payload["year"]?.integerValue == 2025 && payload["overview"]?.stringValue == "a\nb")
        #expect(payload["cases"]?.arrayValue?.count == 1)
        #expect(throws: Problem.self) { try form.payload(from: FormData(urlEncoded: "year=二〇二五")) }
        let application = try #require(ActForm.of(.submitted, districts: []))
        let chosen = try application.payload(from: FormData(urlEncoded: "serviceModes=online&serviceModes=offline&team.0.name=甲&team.0.fullTime=yes"))
        #expect(chosen["serviceModes"]?.arrayValue?.count == 2)
        #expect(chosen["team"]?.arrayValue?.count == 1 && chosen["team"]?.arrayValue?.first?["fullTime"] == .bool(true))
    }
}
