import CanonicalJSON
import OutletDomain
import OutletProjections
import OutletSnapshots
import OutletCore

/// What `verify` found: the chain, every event re-decided, every snapshot compared with a replay.
public struct AuditReport: Sendable {
    public let chain: VerifyReport
    /// Events whose form and rules were checked again (all of them, unless `chainOnly`).
    public let eventsDecided: Int64
    /// Snapshots whose state equals a replay of the log to their seq.
    public let snapshotsMatching: [Int64]
    /// Snapshots queries skip as stale (another format or projection version): a cache to rebuild, not damage.
    public let snapshotsStale: [Int64]
    /// Stored signed checkpoints whose root is the root of the log's first events of their size.
    public let checkpointsMatching: Int
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
        if let referenceProblem { throw referenceProblem }
        let checkpoints = try checkCheckpoints()
        guard !chainOnly else {
            return AuditReport(chain: chain, eventsDecided: 0, snapshotsMatching: [], snapshotsStale: [], checkpointsMatching: checkpoints, warnings: [])
        }
        var pass = AuditPass(ledger: self, snapshots: try store.snapshots().reversed())
        // In pages, not one cursor: deciding a retraction reads its stream's history from the store.
        var from: Int64 = 1
        while from <= chain.count {
            for envelope in try store.events(fromSeq: from, toSeq: min(chain.count, from + 4095)) { try pass.take(envelope) }
            try pass.decidePage()
            from += 4096
        }
        try pass.finish()
        return AuditReport(chain: chain, eventsDecided: pass.decided, snapshotsMatching: pass.matching,
                           snapshotsStale: pass.stale, checkpointsMatching: checkpoints, warnings: pass.warnings)
    }

    /// A snapshot restored and set against the replay that has folded exactly through its seq.
    func compare(_ snapshot: StoredSnapshot, with replay: RegistryProjection) throws(LedgerError) -> SnapshotCheck {
        precondition(replay.foldedThrough == snapshot.seq, "a snapshot is compared with the replay at its own seq")
        let replayDigest = HashChain.sha256Hex(Snapshot.encodedState(replay, onEveryCore: true))
        switch try load(snapshot) {
        case .failure(let error):
            return SnapshotCheck(snapshot: snapshot, verdict: .unusable(error), stateDigest: nil, replayDigest: replayDigest)
        case .success(let projection):
            let stateDigest = HashChain.sha256Hex(Snapshot.encodedState(projection, onEveryCore: true))
            let verdict: SnapshotCheck.Verdict = stateDigest == replayDigest
                ? .sound : .differs("state digest \(stateDigest.prefix(12))…, replay of the log \(replayDigest.prefix(12))…")
            return SnapshotCheck(snapshot: snapshot, verdict: verdict, stateDigest: stateDigest, replayDigest: replayDigest)
        }
    }
}

/// The audit's walk over the log, in seq order: each event's form checked again, then decided by the
/// same `LogDecider` an append uses; the replay stops at each snapshot's seq to compare.
private struct AuditPass {
    let ledger: Ledger
    var decider: LogDecider
    /// Oldest first.
    var snapshots: ArraySlice<StoredSnapshot>
    var replay: RegistryProjection
    /// Decided in pages: the events of one page are offered together, as a long import would be.
    var page: [DecidableEvent] = []
    var decided: Int64 = 0
    var matching: [Int64] = []
    var stale: [Int64] = []
    var warnings: [String] = []

    init(ledger: Ledger, snapshots: [StoredSnapshot]) {
        self.ledger = ledger
        // A stored event's state comes from the events before it; the store holds them all.
        self.decider = LogDecider(reference: ReferenceData(), notices: PublicityNotices(), fallback: ledger.decisionPeriods(atSeq: 0), keepsDecidedEvents: false) {
            stream, beforeSeq, withHistory throws(LedgerError) in
            guard withHistory else { return (InstitutionState(), nil) }
            let history = try ledger.history(of: stream.code).prefix { $0.envelope.seq < beforeSeq }.map(\.domainEvent)
            return (InstitutionState.fold(Retractions.live(history), periods: ledger.decisionPeriods(atSeq: beforeSeq)), history)
        }
        self.snapshots = snapshots[...]
        self.replay = RegistryProjection(periods: ledger.decisionPeriods(atSeq: 0))
    }

    mutating func take(_ envelope: Envelope) throws(LedgerError) {
        let event = try Self.checkForm(envelope, checker: ledger.checker)
        page.append(event)
        if !snapshots.isEmpty {
            switch event {
            case .institution(let domainEvent, let stream): replay.apply(domainEvent, stream: stream)
            case .reference: replay.pass(seq: envelope.seq)
            }
            try compareSnapshots()
        }
    }

    /// Decides the events taken since the last call. A revocation or decline on an Art. 19 ground is decided
    /// with the bar that follows it (the rules pair them within what they are given at once): a page that ends
    /// with one keeps it for the next, unless the log ends there.
    mutating func decidePage(last: Bool = false) throws(LedgerError) {
        var held: [DecidableEvent] = []
        if !last, case .institution(let event, _)? = page.last, Decider.awaitsItsBar(event.payload) {
            held.append(page.removeLast())
        }
        defer { page = held }
        do {
            try decider.decide(page)
        } catch {
            let seq = error.seq ?? page.first?.seq ?? 0
            let type = try ledger.store.events(fromSeq: seq, toSeq: seq).first?.type ?? "event"
            throw LedgerError(.integrityFailure, "seq \(seq): the stored \(type) breaks a rule of the Measures: \(error.message)",
                              article: error.article, stream: error.stream, seq: seq)
        }
        decided += Int64(page.count)
    }

    mutating func finish() throws(LedgerError) {
        try decidePage(last: true)
        // Snapshots past the head cannot be of this log.
        if let snapshot = snapshots.first {
            throw LedgerError(.integrityFailure, "snapshot at seq \(snapshot.seq): the log ends before it (seq \(replay.foldedThrough))", seq: snapshot.seq)
        }
    }

    /// A stored event must pass every check an append makes of its form (schema, identifiers, text).
    static func checkForm(_ envelope: Envelope, checker: CandidateChecker) throws(LedgerError) -> DecidableEvent {
        let event = try DecidableEvent(envelope)
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
            // Text rules came later than some ledgers' events: the terminal and CSV output escape what those hold.
            _ = try checker.check(candidate, textRules: false)
        } catch {
            throw LedgerError(.integrityFailure, "seq \(envelope.seq): \(error.message)", stream: envelope.stream, seq: envelope.seq)
        }
        return event
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

extension AuditReport {
    /// `{ok, count, head, chainOnly, eventsDecided, snapshotsMatching, snapshotsStale}`.
    public func jsonValue(chainOnly: Bool) -> JSONValue {
        var members: JSONObject = [
            "ok": true, "count": .integer(chain.count), "head": .string(chain.head), "chainOnly": .bool(chainOnly),
            "checkpointsMatching": .integer(Int64(checkpointsMatching)),
        ]
        if !chainOnly {
            members["eventsDecided"] = .integer(eventsDecided)
            members["snapshotsMatching"] = .array(snapshotsMatching.map(JSONValue.integer))
            members["snapshotsStale"] = .array(snapshotsStale.map(JSONValue.integer))
        }
        return .object(members)
    }
}
