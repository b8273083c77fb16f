import Crypto
import Foundation
import Synchronization

/// The pages' view of one request: its live browser session, if any, and what the CSRF tokens of its forms
/// are bound to — the session, or for a visitor who has not signed in, an anonymous cookie of its own.
struct PageState: Sendable {
    var sessionID: String?
    var binding: String?
    /// The request came with a session that has ended (idle too long, or its token revoked).
    var sessionEnded = false
    /// Cookies this response sets or clears.
    var cookies: [String] = []
}

/// Signed-in clerks, kept in this process's memory only: a session is a random id in a cookie (`Secure`,
/// `HttpOnly`, `SameSite=Strict`) pointing at the token the clerk signed in with. The token is checked
/// again on every request, so a revoked or expired token ends its sessions at once; an idle session ends
/// after `idleTimeout`. A restart signs everyone out.
final class BrowserSessions: Sendable {
    static let sessionCookie = "olsid"
    static let visitorCookie = "olvisit"

    struct Session: Sendable {
        let secret: String
        var lastSeen: ContinuousClock.Instant
    }

    enum Lookup: Sendable {
        case active(secret: String)
        case ended
    }

    let idleTimeout: Duration
    /// Signs CSRF tokens; new in every process (a restart ends every session anyway).
    private let keyBytes = Data(BrowserSessions.randomID().utf8)
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }
    private let sessions = Mutex<[String: Session]>([:])

    init(idleTimeout: Duration) {
        self.idleTimeout = idleTimeout
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Whether `text` has the form `randomID()` gives (a client may send anything back).
    static func isID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigit)
    }

    /// A new session for the holder of `secret`; its id goes in the cookie.
    func open(secret: String) -> String {
        let id = Self.randomID()
        let now = ContinuousClock.now
        sessions.withLock { sessions in
            if sessions.count > 1000 { sessions = sessions.filter { now - $0.value.lastSeen < idleTimeout } }
            sessions[id] = Session(secret: secret, lastSeen: now)
        }
        return id
    }

    /// The session `id` names, touched; nil if there never was one.
    func lookup(_ id: String) -> Lookup? {
        let now = ContinuousClock.now
        return sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            guard now - session.lastSeen < idleTimeout else {
                sessions[id] = nil
                return .ended
            }
            session.lastSeen = now
            sessions[id] = session
            return .active(secret: session.secret)
        }
    }

    func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// The CSRF token of every form of a page: an HMAC of what the request is bound to, so a page of another
    /// site, which cannot read our cookies, cannot make one.
    func csrfToken(binding: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(binding.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
    }

    func csrfHolds(_ token: String?, binding: String?) -> Bool {
        guard let token, let binding, let given = Data(hexString: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(binding.utf8), using: key)
    }

    /// `Set-Cookie` for a cookie of ours: never readable by script, never sent by another site's page.
    static func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict" + (maxAge.map { "; Max-Age=\($0)" } ?? "")
    }
}

extension Data {
    init?(hexString: String) {
        guard hexString.count % 2 == 0, hexString.count <= 256 else { return nil }
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
