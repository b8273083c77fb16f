import Foundation
import HTTPTypes
import Hummingbird
import OutletCore
import OutletLedger
import ServiceLifecycle
import Synchronization

/// How followers of the log learn of new events without asking SQLite over and over: the service's own
/// appends move `head` at once; another writer's (the command line) are seen by a look at the ledger's
/// head every half second.
final class LogFeed: Sendable {
    private let head = Mutex<Int64>(0)

    /// An append through this service committed events through `seq`.
    func appended(through seq: Int64) {
        head.withLock { $0 = max($0, seq) }
    }

    /// Returns once the log holds an event after `seq`, or at `deadline`, or when the server shuts down.
    func wait(after seq: Int64, until deadline: ContinuousClock.Instant, ledger: LedgerActor) async throws {
        var nextLook = ContinuousClock.now
        while ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            if head.withLock({ $0 }) > seq { return }
            if ContinuousClock.now >= nextLook {
                let stored = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head().seq }
                appended(through: stored)
                if stored > seq { return }
                nextLook = ContinuousClock.now + .milliseconds(500)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension RegistryService {
    /// Server-Sent Events: every event after `Last-Event-ID` (or `after`), in seq order, `id:` its seq and
    /// `data:` its envelope; a comment every 15 s keeps proxies from closing a quiet stream. It ends when the
    /// client goes away or the server shuts down; the client resumes from the last id it saw, so it sees
    /// every event once.
    func stream(_ request: Request, context: RegistryContext) throws -> Response {
        let text = request.headers[HTTPField.Name("Last-Event-ID")!] ?? request.uri.queryParameters.get("after") ?? "0"
        guard let start = Int64(text.trimmingCharacters(in: .whitespaces)), start >= 0 else {
            throw Problem.badRequest("Last-Event-ID (or after) \"\(text)\" is not a seq")
        }
        let ledger = self.ledger, feed = self.feed
        let body = ResponseBody { writer in
            var seq = start
            try await writer.write(ByteBuffer(string: ": outlet-ledger log from seq \(start + 1)\nretry: 1000\n\n"))
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let from = seq + 1
                let events = try await ledger.read { ledger throws(LedgerError) in try ledger.store.events(fromSeq: from, toSeq: from + 499) }
                if events.isEmpty {
                    try await feed.wait(after: seq, until: ContinuousClock.now + .seconds(15), ledger: ledger)
                    if try await ledger.read({ ledger throws(LedgerError) in try ledger.store.head().seq }) < from {
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                    continue
                }
                var bytes: [UInt8] = []
                for envelope in events {
                    bytes += Array("id: \(envelope.seq)\nevent: event\ndata: ".utf8)
                    bytes += HashChain.canonicalBytes(of: envelope, includingHash: true)
                    bytes += Array("\n\n".utf8)
                }
                try await writer.write(ByteBuffer(bytes: bytes))
                seq = events.last!.seq
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}
