import HTTPTypes
import Hummingbird
import OutletCore
import OutletLedger

/// Every page passes here: the caller is the holder of the browser session's token (checked again now, so
/// a revoked token signs its clerks out), a visitor gets the cookie its forms' CSRF tokens are bound to,
/// a failure becomes an error page in Chinese with the status the API would give (its problem document,
/// `RequestGate.problem(for:)`, decides both), and every answer carries the security headers.
struct PageGate: RouterMiddleware {
    typealias Context = RegistryContext

    let ledger: LedgerActor
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        await identify(request, &context)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = pages.errorPage(RequestGate.problem(for: error), context: context)
        }
        for cookie in context.page.cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Pages.contentSecurityPolicy }
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func identify(_ request: Request, _ context: inout Context) async {
        let cookies = request.cookies
        if let id = cookies[BrowserSessions.sessionCookie]?.value, !id.isEmpty {
            switch pages.sessions.lookup(id) {
            case .active(let secret):
                let result = try? await ledger.read { ledger throws(LedgerError) in try ledger.authenticate(secret: secret) }
                if case .success(let token)? = result {
                    context.caller = Caller(token: token)
                    context.loggedCaller.tokenID = token.id
                    context.page.sessionID = id
                    context.page.binding = "session:" + id
                } else {
                    pages.sessions.close(id)
                    context.page.sessionEnded = true
                }
            case .ended:
                context.page.sessionEnded = true
            case nil:
                break
            }
            if context.page.sessionID == nil { context.page.cookies.append(BrowserSessions.cookie(BrowserSessions.sessionCookie, "", maxAge: 0)) }
        }
        if context.page.binding == nil {
            if let visit = cookies[BrowserSessions.visitorCookie]?.value, BrowserSessions.isID(visit) {
                context.page.binding = "visitor:" + visit
            } else {
                let visit = BrowserSessions.randomID()
                context.page.binding = "visitor:" + visit
                context.page.cookies.append(BrowserSessions.cookie(BrowserSessions.visitorCookie, visit))
            }
        }
    }
}

extension Pages {
    /// A refusal or failure as a page: the status and kind of the API's problem document, in Chinese, with
    /// the rule's own words and article.
    func errorPage(_ problem: Problem, context: RegistryContext) -> Response {
        var values: [String: Any] = ["status": Int(problem.status.code), "detail": problem.detail, "heading": Words.problemHeading(problem)]
        if let article = problem.members["article"]?.stringValue { values["article"] = Words.article(article) }
        if problem.status == .unauthorized { values["signIn"] = true }
        var response = page("error", title: Words.problemHeading(problem), values, context: context, status: problem.status)
        for field in problem.headers where field.name != .wwwAuthenticate { response.headers.append(field) }
        return response
    }
}
