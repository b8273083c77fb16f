import Foundation
import HTTPTypes
import Hummingbird
import OutletCore
import OutletLedger
import ServiceLifecycle
import Synchronization

/// How followers of the log learn of new events without asking SQLite over and over: the service's own
/// appends wake them at once; another writer's (the command line) are seen by a look at the ledger's head
/// every half second. A waiter sleeps until one of those, not in a polling loop.
final class LogFeed: Sendable {
    private struct Waiter {
        let after: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var head: Int64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The log holds events through `seq`: every waiter for an event after an earlier seq wakes.
    func appended(through seq: Int64) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.head = max(state.head, seq)
            let due = state.waiters.filter { $0.value.after < seq }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once the log holds an event after `seq`, or at `deadline`, or when the server shuts down.
    func wait(after seq: Int64, until deadline: ContinuousClock.Instant, ledger: LedgerActor) async throws {
        while ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            if state.withLock({ $0.head }) > seq { return }
            await sleep(after: seq, until: min(deadline, ContinuousClock.now + .milliseconds(500)))
            if state.withLock({ $0.head }) > seq { return }
            let stored = try await ledger.read { ledger throws(LedgerError) in try ledger.store.head().seq }
            appended(through: stored)
            if stored > seq { return }
        }
    }

    /// Sleeps until an append after `seq` or until `until`, whichever comes first.
    private func sleep(after seq: Int64, until: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id = state.withLock { state -> UInt64? in
                guard state.head <= seq else { return nil }
                state.nextID += 1
                state.waiters[state.nextID] = Waiter(after: seq, continuation: continuation)
                return state.nextID
            }
            guard let id else { return continuation.resume() }
            Task {
                try? await Task.sleep(until: until)
                // Woken by an append meanwhile, it is no longer here: each continuation resumes once.
                let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.continuation.resume()
            }
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
