import CanonicalJSON

/// A verified ledger: how many events and the hash that seals them.
public struct VerifyReport: Sendable, Hashable {
    public let count: Int64
    public let head: String
}

/// The chain check as a pure function of the envelopes in seq order (and the head record): recomputes
/// every hash from the stored members (never compares stored values with each other alone: immudb
/// #2063) and checks seq, streamVersion, event id, canonical payload and recordedAt continuity.
public struct ChainVerifier {
    private var expectedSeq: Int64 = 1
    private var prevHash = HashChain.genesis
    private var lastRecorded: String?
    private var streamVersions: [String: Int64] = [:]
    private var eventIds: Set<String> = []

    public init() {}

    /// Checks the next envelope; throws an integrity failure naming its seq.
    public mutating func check(_ envelope: Envelope) throws(LedgerError) {
        func fail(_ what: String) -> LedgerError {
            LedgerError(.integrityFailure, "seq \(envelope.seq): \(what)", stream: envelope.stream, seq: envelope.seq)
        }
        guard envelope.seq == expectedSeq else {
            throw LedgerError(.integrityFailure,
                "seq \(expectedSeq): missing (the next stored event is seq \(envelope.seq))", seq: expectedSeq)
        }
        let version = (streamVersions[envelope.stream] ?? 0) + 1
        guard envelope.streamVersion == version else {
            throw fail("streamVersion is \(envelope.streamVersion), the stream's next is \(version)")
        }
        guard eventIds.insert(envelope.eventId).inserted else { throw fail("eventId \(envelope.eventId) repeated") }
        guard envelope.prevHash == prevHash else {
            throw fail("prevHash \(envelope.prevHash) is not the previous event's hash \(prevHash)")
        }
        let canonical: String
        do {
            canonical = try JSONParser.parse(Array(envelope.payload.utf8)).canonicalString
        } catch {
            throw fail("payload is not valid JSON (\(error))")
        }
        guard canonical == envelope.payload else { throw fail("payload is not in canonical form") }
        guard let recorded = Timestamp(envelope.recordedAt), recorded.description == envelope.recordedAt else {
            throw fail("recordedAt \"\(envelope.recordedAt)\" is not an RFC 3339 UTC time with milliseconds")
        }
        if let lastRecorded, envelope.recordedAt < lastRecorded {
            throw fail("recordedAt \(envelope.recordedAt) is earlier than the previous event's \(lastRecorded)")
        }
        let recomputed = HashChain.hash(of: envelope)
        guard recomputed == envelope.hash else {
            throw fail("hash \(envelope.hash) does not match the stored content (recomputed \(recomputed))")
        }
        streamVersions[envelope.stream] = version
        prevHash = envelope.hash
        lastRecorded = envelope.recordedAt
        expectedSeq += 1
    }

    /// The chain so far, checked against the head record (nil: to a limit, where the head record does not apply).
    public func finish(headRecord: (seq: Int64, hash: String)?, checkHeadRecord: Bool = true) throws(LedgerError) -> VerifyReport {
        let count = expectedSeq - 1
        guard checkHeadRecord else { return VerifyReport(count: count, head: prevHash) }
        let recordedSeq = headRecord?.seq ?? 0
        if recordedSeq > count {
            throw LedgerError(.integrityFailure,
                "seq \(count + 1): missing (the ledger's head record says the chain runs to seq \(recordedSeq))", seq: count + 1)
        }
        if recordedSeq < count || headRecord.map({ $0.hash != prevHash }) ?? (count > 0) {
            throw LedgerError(.integrityFailure,
                "seq \(recordedSeq == 0 ? 1 : recordedSeq): the head record (seq \(recordedSeq)) does not match the chain's last event (seq \(count), hash \(prevHash))",
                seq: recordedSeq == 0 ? 1 : recordedSeq)
        }
        return VerifyReport(count: count, head: prevHash)
    }
}

extension EventLog {
    /// Recomputes the whole chain from the stored events and checks the head record; with `throughSeq`,
    /// checks seq 1 to that seq only (what a notice of that position rests on), not the head record.
    public func verify(throughSeq limit: Int64? = nil) throws(LedgerError) -> VerifyReport {
        var verifier = ChainVerifier()
        try forEachEvent(fromSeq: 1, toSeq: limit ?? .max) { envelope throws(LedgerError) in try verifier.check(envelope) }
        if let limit {
            let report = try verifier.finish(headRecord: nil, checkHeadRecord: false)
            guard report.count == limit else {
                throw LedgerError(.integrityFailure, "seq \(report.count + 1): missing (the chain ends at seq \(report.count))", seq: report.count + 1)
            }
            return report
        }
        return try verifier.finish(headRecord: try headRecord())
    }
}
