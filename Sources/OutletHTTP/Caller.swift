import Hummingbird
import Synchronization
import Logging
import NIOCore
import OutletCore
import OutletLedger

/// Who is asking: the holder of a token (its role, unit and name) or the public. The door decides it from
/// the `Authorization` header alone; nothing in a request body can change it.
public struct Caller: Sendable {
    /// nil: the public (no token).
    public let token: AccessToken?

    public static let `public` = Caller(token: nil)

    public var role: String { token?.role ?? "public" }
    /// For the request log: the token's id, never the token.
    public var logID: String { token?.id ?? "-" }

    /// The actor of every event this caller records: the token's role, unit and name.
    public var actor: EnvelopeActor {
        EnvelopeActor(role: role, unit: token?.unit ?? "", name: token?.name ?? "")
    }

    public func hasRole(_ roles: String...) -> Bool { roles.contains(role) }
}

final class LoggedCaller: Sendable {
    private let id = Mutex<String?>(nil)

    var tokenID: String? {
        get { id.withLock { $0 } }
        set { id.withLock { $0 = newValue } }
    }
}

/// The registry service's request context: the caller, decided before any route runs, and the client's
/// address (objections are rate-limited per address).
public struct RegistryContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var caller = Caller.public
    /// The pages' view of the request: its browser session and what its forms' CSRF tokens are bound to.
    var page = PageState()
    /// Who the request turned out to be, for its log line: the pages find their caller from the session,
    /// inside the gate that writes the line (a context is a value; this one box is shared by its copies).
    let loggedCaller = LoggedCaller()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are limited per route; this is the ceiling of all of them.
    public var maxUploadSize: Int { RegistryService.bodyLimit }
}
