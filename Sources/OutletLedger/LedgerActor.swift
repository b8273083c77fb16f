import Dispatch
import OutletCore
import OutletDomain

/// The ledger for async callers (the service): one long-lived `Ledger`, its appends serialised by this
/// actor, its reads answered concurrently — and neither on Swift's cooperative pool, because SQLite
/// blocks: the actor runs on a thread of its own (a serial dispatch queue as its executor), reads on a
/// concurrent queue. The hash chain needs one writer per ledger; this is where a process keeps it.
public actor LedgerActor {
    /// The ledger itself: the same object the CLI uses, one question at a time.
    public nonisolated let ledger: Ledger
    private nonisolated let executor: QueueExecutor
    private static let readers = DispatchQueue(label: "outlet-ledger.readers", attributes: .concurrent)

    public init(_ ledger: Ledger) {
        self.ledger = ledger
        self.executor = QueueExecutor(DispatchQueue(label: "outlet-ledger.writer"))
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Requests waiting for the next group commit, with whoever waits for each answer.
    private var waiting: [(request: AppendRequest, answer: CheckedContinuation<Result<AppendOutcome, LedgerError>, Never>)] = []
    private var commitScheduled = false

    /// Records events, all or none, answered once they are durable. Requests that arrive while a commit is
    /// under way wait for the next, and go in together (group commit: one transaction and one fsync for
    /// all of them), each still decided in arrival order as if alone.
    public func append(_ candidates: [Candidate], expectVersion: Int64? = nil, deriveBars: Bool = false) async throws(LedgerError) -> AppendOutcome {
        if deriveBars { return try ledger.append(candidates, expectVersion: expectVersion, deriveBars: true) }
        let result = await withCheckedContinuation { continuation in
            waiting.append((AppendRequest(candidates, expectVersion: expectVersion), continuation))
            if !commitScheduled {
                commitScheduled = true
                Task { self.commitWaiting() }
            }
        }
        return try result.get()
    }

    /// Commits every request waiting now, as one group.
    private func commitWaiting() {
        let group = waiting
        waiting = []
        commitScheduled = false
        let answers = ledger.append(group: group.map(\.request))
        for (waiter, answer) in zip(group, answers) { waiter.answer.resume(returning: answer) }
    }

    /// Appends a migrated log, keeping its `recordedAt`s.
    public func importEvents(_ candidates: [Candidate]) throws(LedgerError) -> AppendOutcome {
        try ledger.importEvents(candidates)
    }

    /// Any question of the ledger (a projection, a status, an audit), answered off the writer's thread and
    /// concurrently with other reads: they never wait for an append.
    public nonisolated func read<Value: Sendable>(_ question: @escaping @Sendable (Ledger) throws(LedgerError) -> Value) async throws(LedgerError) -> Value {
        let ledger = self.ledger
        let result: Result<Value, LedgerError> = await withCheckedContinuation { continuation in
            Self.readers.async {
                continuation.resume(returning: Result { () throws(LedgerError) in try question(ledger) })
            }
        }
        return try result.get()
    }

    /// The projections as known at a position (the live head projection once it is built).
    public nonisolated func projections(at position: LedgerHead) async throws(LedgerError) -> ProjectionView {
        try await read { ledger throws(LedgerError) in try ledger.projections(at: position) }
    }

    /// Waits for background snapshots; what they could not do, one line each.
    public func finishBackgroundWork() -> [String] {
        ledger.finishBackgroundWork()
    }
}

/// A serial executor on a dispatch queue: the actor's jobs run there, one at a time.
final class QueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(_ queue: DispatchQueue) {
        self.queue = queue
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
