import CanonicalJSON
import OutletDomain
import OutletProjections
import OutletSnapshots
import OutletStore

/// What `verify` found: the chain, every event re-decided, every snapshot compared with a replay.
public struct AuditReport: Sendable {
    public let chain: VerifyReport
    /// Events whose form and rules were checked again (all of them, unless `chainOnly`).
    public let eventsDecided: Int64
    /// Snapshots whose state equals a replay of the log to their seq.
    public let snapshotsMatching: [Int64]
    /// Snapshots queries skip as stale (another format or projection version): a cache to rebuild, not damage.
    public let snapshotsStale: [Int64]
    public let warnings: [String]
}

extension Ledger {
    /// The auditor's one command: the hash chain and its head record; then, in one pass over the log,
    /// every event checked for form and re-decided by the rules against the history before it (a
    /// correctly chained event that breaks a rule, or was recorded by the wrong actor, is an integrity
    /// failure naming its seq and article), and every stored snapshot compared with the state the
    /// replay reaches at its seq. Throws the first failure.
    public func audit(chainOnly: Bool = false) throws(LedgerError) -> AuditReport {
        let chain = try store.verify()
        guard !chainOnly else {
            return AuditReport(chain: chain, eventsDecided: 0, snapshotsMatching: [], snapshotsStale: [], warnings: [])
        }
        var pass = AuditPass(ledger: self, snapshots: try store.snapshots().reversed())
        // In pages, not one cursor: deciding a retraction reads its stream's history from the store.
        var from: Int64 = 1
        while from <= chain.count {
            for envelope in try store.events(fromSeq: from, toSeq: min(chain.count, from + 4095)) { try pass.take(envelope) }
            from += 4096
        }
        try pass.finish()
        return AuditReport(chain: chain, eventsDecided: pass.decided, snapshotsMatching: pass.matching,
                           snapshotsStale: pass.stale, warnings: pass.warnings)
    }

    /// A snapshot restored and set against the replay that has folded exactly through its seq.
    func compare(_ snapshot: StoredSnapshot, with replay: RegistryProjection) throws(LedgerError) -> SnapshotCheck {
        precondition(replay.foldedThrough == snapshot.seq, "a snapshot is compared with the replay at its own seq")
        let replayDigest = HashChain.sha256Hex(Snapshot.encodedState(replay))
        switch try load(snapshot) {
        case .failure(let error):
            return SnapshotCheck(snapshot: snapshot, verdict: .unusable(error), stateDigest: nil, replayDigest: replayDigest)
        case .success(let projection):
            let stateDigest = HashChain.sha256Hex(Snapshot.encodedState(projection))
            let verdict: SnapshotCheck.Verdict = stateDigest == replayDigest
                ? .sound : .differs("state digest \(stateDigest.prefix(12))…, replay of the log \(replayDigest.prefix(12))…")
            return SnapshotCheck(snapshot: snapshot, verdict: verdict, stateDigest: stateDigest, replayDigest: replayDigest)
        }
    }
}

/// The audit's walk over the log, in seq order.
///
/// Events are decided in runs of consecutive events of one stream: the log does not record which
/// events were appended in one call, and a run is the most an append could have offered together
/// (what matters for the Art. 19 pair: a revocation and its bar, adjacent in one stream).
private struct AuditPass {
    let ledger: Ledger
    let decider: Decider
    /// Oldest first; the replay stops at each one's seq to compare.
    var snapshots: ArraySlice<StoredSnapshot>
    var replay: RegistryProjection
    var states: [String: InstitutionState] = [:]
    var run: [(envelope: Envelope, event: DomainEvent, stream: USCC)] = []
    var decided: Int64 = 0
    var matching: [Int64] = []
    var stale: [Int64] = []
    var warnings: [String] = []

    init(ledger: Ledger, snapshots: [StoredSnapshot]) {
        self.ledger = ledger
        self.decider = Decider(periods: ledger.periods)
        self.snapshots = snapshots[...]
        self.replay = RegistryProjection(periods: ledger.periods)
    }

    mutating func take(_ envelope: Envelope) throws(LedgerError) {
        let recorded = try Self.checkForm(envelope, checker: ledger.checker)
        do {
            try Ledger.checkRecordingDate(envelope)
        } catch {
            throw LedgerError(.integrityFailure, "seq \(envelope.seq): \(error.message)", article: "DOMAIN.md §3", stream: envelope.stream, seq: envelope.seq)
        }
        if let first = run.first, first.envelope.stream != envelope.stream { try decideRun() }
        run.append((envelope, recorded.domainEvent, recorded.stream))
        if !snapshots.isEmpty {
            replay.apply(recorded.domainEvent, stream: recorded.stream)
            try compareSnapshots()
        }
    }

    mutating func finish() throws(LedgerError) {
        try decideRun()
        // Snapshots past the head cannot be of this log.
        for snapshot in snapshots {
            throw LedgerError(.integrityFailure, "snapshot at seq \(snapshot.seq): the log ends before it (seq \(replay.foldedThrough))", seq: snapshot.seq)
        }
    }

    /// A stored event must pass every check an append makes of its form (schema, identifiers, text).
    static func checkForm(_ envelope: Envelope, checker: CandidateChecker) throws(LedgerError) -> RecordedEvent {
        let recorded = try RecordedEvent(envelope)
        let payload: JSONValue
        do {
            payload = try JSONParser.parse(Array(envelope.payload.utf8))
        } catch {
            throw LedgerError(.integrityFailure, "seq \(envelope.seq): payload is not JSON (\(error))", stream: envelope.stream, seq: envelope.seq)
        }
        let candidate = Candidate(type: envelope.type, stream: envelope.stream, effectiveOn: envelope.effectiveOn,
                                  actor: envelope.actor, payload: payload, eventId: envelope.eventId,
                                  schemaVersion: envelope.schemaVersion)
        do {
            _ = try checker.check(candidate)
        } catch {
            throw LedgerError(.integrityFailure, "seq \(envelope.seq): \(error.message)", stream: envelope.stream, seq: envelope.seq)
        }
        return recorded
    }

    private mutating func decideRun() throws(LedgerError) {
        guard let first = run.first else { return }
        let stream = first.envelope.stream
        let events = run.map(\.event)
        let state = states[stream] ?? InstitutionState()
        var history: [DomainEvent]?
        if events.contains(where: { $0.type == .retracted }) {
            history = try ledger.history(of: stream).prefix { $0.envelope.seq < first.envelope.seq }.map(\.domainEvent)
        }
        do {
            let decision = try decider.decide(events, stream: first.stream, state: state, history: history)
            states[stream] = decision.state
        } catch {
            let seq = error.seq ?? first.envelope.seq
            let type = run.first { $0.envelope.seq == seq }?.envelope.type ?? first.envelope.type
            throw LedgerError(.integrityFailure, "seq \(seq): the stored \(type) breaks a rule of the Measures: \(error.reason)",
                              article: error.article, stream: stream, seq: seq)
        }
        decided += Int64(run.count)
        run.removeAll(keepingCapacity: true)
    }

    private mutating func compareSnapshots() throws(LedgerError) {
        while let snapshot = snapshots.first, snapshot.seq <= replay.foldedThrough {
            snapshots.removeFirst()
            let check = try ledger.compare(snapshot, with: replay)
            switch check.verdict {
            case .sound:
                matching.append(snapshot.seq)
            case .unusable(.version(let reason)):
                stale.append(snapshot.seq)
                warnings.append("snapshot at seq \(snapshot.seq) is stale (\(reason)); queries skip it; `snapshot create` makes a current one")
            case .unusable(let error):
                throw LedgerError(.integrityFailure, "snapshot at seq \(snapshot.seq) \(error)", seq: snapshot.seq)
            case .differs(let reason):
                throw LedgerError(.integrityFailure, "snapshot at seq \(snapshot.seq) does not hold the state the log reaches there (\(reason))", seq: snapshot.seq)
            }
        }
    }
}
