import Foundation
import Hummingbird
import Mustache
import OutletCore
import OutletDomain
import OutletLedger

/// The registry's pages for browsers, in Chinese: the same ledger, rules and role tokens as the API, as
/// server-rendered HTML that works without JavaScript (plain forms, Post/Redirect/Get; one small script of
/// our own only adds live news of later records), under a strict Content-Security-Policy (nothing inline,
/// nothing from elsewhere).
struct Pages: Sendable {
    /// Every page's policy: only this site's own style sheet and script (none inline), its own event feed,
    /// no frames, forms post here only.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    /// A form is small: the largest, the application (附件1), is a few kilobytes of text.
    static let formLimit = 256 * 1024

    let templates: MustacheLibrary
    let styleSheet: String
    let icon: String
    let liveScript: String
    let sessions: BrowserSessions

    init(sessionIdleTimeout: Duration) {
        var library = MustacheLibrary()
        let folder = Bundle.module.url(forResource: "pages", withExtension: nil)?.appendingPathComponent("templates")
        for file in (folder.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []).sorted() where file.hasSuffix(".mustache") {
            let name = String(file.dropLast(".mustache".count))
            // A broken template is a broken installation, found by the first test that renders a page.
            guard let text = Self.resource("templates/\(file)") else { continue }
            do { try library.register(text, named: name) } catch { preconditionFailure("page template \(file): \(error)") }
        }
        templates = library
        styleSheet = Self.resource("static/site.css") ?? ""
        icon = Self.resource("static/favicon.svg") ?? ""
        liveScript = Self.resource("static/live.js") ?? ""
        sessions = BrowserSessions(idleTimeout: sessionIdleTimeout)
    }

    static func resource(_ path: String) -> String? {
        guard let url = Bundle.module.url(forResource: "pages", withExtension: nil)?.appendingPathComponent(path) else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// A page: the template filled from `values` and what every page shows (the signed-in user, the CSRF
    /// token of its forms, the navigation).
    func page(_ template: String, title: String, _ values: [String: Any], context: RegistryContext,
              status: HTTPResponse.Status = .ok) -> Response
    {
        var values = values
        values["title"] = title
        values["csrf"] = context.page.binding.map(sessions.csrfToken) ?? ""
        if let token = context.caller.token {
            values["user"] = ["name": token.name, "roleName": Words.role(token.role, unit: token.unit)]
        }
        let html = templates.render(values, withTemplate: template) ?? "page template \(template) is missing from this installation"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// After a form that changed something: back to a page by GET (Post/Redirect/Get).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
