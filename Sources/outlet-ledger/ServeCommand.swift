import ArgumentParser
import Foundation
import OutletCore
import OutletHTTP
import OutletLedger

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the registry as a service: its pages in Chinese (/), the HTTP API (/api/v1), /healthz, /metrics and the signed log's tiles (/tlog).",
        discussion: """
            Listens on loopback unless told otherwise: put it behind a TLS reverse proxy to reach other machines.
            Stops on SIGTERM or SIGINT once the requests in flight are answered.
            """)
    @OptionGroup var options: LedgerOptions
    @Option(help: "host:port to listen on (port 0: any free port, printed).") var listen = ListenAddress.loopback(port: 8080)
    @Option(help: "Public objections one client address may file per minute.") var objectionsPerMinute = 10
    @Flag(help: "Behind a reverse proxy: the client's address is the last one in X-Forwarded-For.") var behindProxy = false
    @Option(help: "Seconds a client may send nothing, before or inside a request, before it is disconnected.") var idleTimeout = 30.0
    @Option(help: "Minutes a clerk's browser session lasts without a request.") var sessionIdleMinutes = 30.0

    func validate() throws {
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        guard sessionIdleMinutes > 0 else { throw ValidationError("--session-idle-minutes must be more than 0") }
    }

    func run() async throws {
        let ledger = LedgerActor(try options.open())
        try await RegistryService(ledger: ledger, objectionsPerMinute: objectionsPerMinute, behindProxy: behindProxy,
                                  sessionIdleTimeout: .milliseconds(Int64(sessionIdleMinutes * 60_000))).run(host: listen.host, port: listen.port, idleTimeout: .milliseconds(Int64(idleTimeout * 1000)))
        Output.warn(await ledger.finishBackgroundWork())
    }
}
