import Foundation
import Hummingbird
import Logging

/// Runs a router on `host:port` until SIGTERM or SIGINT (in-flight requests finish first), and says
/// once where it listens — the real port when 0 was asked — on standard output.
public enum Listener {
    /// A client that sends nothing for this long — before or inside a request — is disconnected: a slow or
    /// stalled client cannot hold a connection. A response being written (a stream) is not idle.
    public static let defaultIdleTimeout: Duration = .seconds(30)

    public static func run<Context: RequestContext>(_ router: Router<Context>, host: String, port: Int, announcing what: String,
                                             idleTimeout: Duration = defaultIdleTimeout) async throws
        where Context.Source == ApplicationRequestContextSource
    {
        var logger = Logger(label: "outlet-ledger")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(idleTimeout.components.seconds) * 1_000_000_000
                + idleTimeout.components.attoseconds / 1_000_000_000))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                FileHandle.standardOutput.write(Data("\(what) listening on http://\(host):\(bound)\n".utf8))
            },
            logger: logger)
        try await app.runService()
    }
}
