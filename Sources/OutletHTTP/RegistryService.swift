import CanonicalJSON
import Foundation
import Synchronization
import Hummingbird
import OutletCore
import OutletDomain
import OutletLedger
import OutletNotices

/// The registry as a service: one long-lived ledger (its appends serialised, its reads concurrent) behind
/// an HTTP API that the city bureau, the district bureaus, applicants, auditors and the public reach with
/// their own role. A thin door: it parses, decides who is asking, calls the ledger, and answers.
public struct RegistryService: Sendable {
    /// The largest body any route takes: an array of events, each payload up to 1 MiB as on the command line.
    static let bodyLimit = 4 * 1024 * 1024
    /// A public objection (Art. 6(3)) needs no token, so it is small and counted per client address.
    static let objectionBodyLimit = 16 * 1024

    let ledger: LedgerActor
    let metrics = ServiceMetrics()
    let objections: RateLimiter
    let tiles: TileCache
    let feed = LogFeed()
    let pages: Pages
    /// Behind a reverse proxy, the client is the address the proxy appended to `X-Forwarded-For`.
    let behindProxy: Bool
    /// Outlets per page of the roster page (a registry of thousands is read a page at a time).
    let rosterPageSize: Int

    /// `objectionsPerMinute`: how many public objections one client address may file per minute;
    /// `behindProxy`: take the client's address from the proxy's `X-Forwarded-For` (never trust it otherwise);
    /// `sessionIdleTimeout`: how long a clerk's browser session lasts without a request;
    /// `rosterPageSize`: outlets per page of the roster page.
    public init(ledger: LedgerActor, objectionsPerMinute: Int = 10, behindProxy: Bool = false,
                sessionIdleTimeout: Duration = .seconds(30 * 60), rosterPageSize: Int = 100)
    {
        self.ledger = ledger
        self.behindProxy = behindProxy
        self.rosterPageSize = max(1, rosterPageSize)
        self.objections = RateLimiter(perMinute: objectionsPerMinute)
        self.tiles = TileCache()
        self.pages = Pages(sessionIdleTimeout: sessionIdleTimeout)
    }

    /// Serves the API on `host:port` until SIGTERM or SIGINT; requests in flight (an append among them)
    /// finish before it stops.
    public func run(host: String, port: Int, idleTimeout: Duration = .seconds(30)) async throws {
        try await Listener.run(router, host: host, port: port, announcing: "outlet-ledger registry service", idleTimeout: idleTimeout)
    }

    public var router: Router<RegistryContext> {
        let router = Router(context: RegistryContext.self)
        router.add(middleware: RequestGate(ledger: ledger, metrics: metrics))
        router.get("healthz") { _, _ in try await health() }
        router.get("metrics") { _, _ in
            let head = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head().seq }
            return Self.text(metrics.text(headSeq: head), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        addQueries(to: router.group("api/v1"))
        addEvents(to: router.group("api/v1"))
        addTransparencyLog(to: router.group("tlog"))
        let site = router.group().add(middleware: PageGate(ledger: ledger, pages: pages))
        addPublicPages(to: site)
        addClerkPages(to: site)
        return router
    }

    private func health() async throws -> Response {
        let head = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head() }
        return Self.json(.object(["status": .string("ok"), "seq": .integer(head.seq), "hash": .string(head.hash)]))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        json(bytes: value.canonicalBytes, status: status, headers: headers)
    }

    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String, type: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON array of envelopes as `export` writes each (canonical JSON), in seq order.
    static func envelopes(_ envelopes: [Envelope]) -> Response {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, envelope) in envelopes.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += HashChain.canonicalBytes(of: envelope, includingHash: true)
        }
        bytes.append(UInt8(ascii: "]"))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Public objections counted per client address in one-minute windows.
final class RateLimiter: Sendable {
    let perMinute: Int
    private let windows = Mutex<[String: (start: ContinuousClock.Instant, count: Int)]>([:])

    init(perMinute: Int) {
        self.perMinute = perMinute
    }

    /// nil if `client` may go on; else the seconds until it may.
    func admit(_ client: String) -> Int? {
        let now = ContinuousClock.now
        return windows.withLock { windows in
            if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < .seconds(60) } }
            var window: (start: ContinuousClock.Instant, count: Int) = windows[client].flatMap { now - $0.start < .seconds(60) ? $0 : nil } ?? (now, 0)
            guard window.count < perMinute else { return max(1, Int((window.start + .seconds(60) - now).components.seconds)) }
            window.count += 1
            windows[client] = window
            return nil
        }
    }
}
