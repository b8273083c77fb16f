import CanonicalJSON
import GRDB

/// A verified ledger: how many events and the hash that seals them.
public struct VerifyReport: Sendable, Hashable {
    public let count: Int64
    public let head: String
}

extension EventStore {
    /// Recomputes every hash from the stored columns (never compares stored values with each other
    /// alone: immudb #2063) and checks seq, streamVersion, prevHash and recordedAt continuity.
    /// Throws an integrity failure naming the first bad seq. With `throughSeq`, checks the chain from
    /// seq 1 to that seq only (what a notice of that position rests on), not the head record.
    public func verify(throughSeq limit: Int64? = nil) throws(LedgerError) -> VerifyReport {
        var expectedSeq: Int64 = 1
        var prevHash = HashChain.genesis
        var lastRecorded: String?
        var streamVersions: [String: Int64] = [:]
        var eventIds: Set<String> = []
        try forEachEvent(toSeq: limit ?? .max) { envelope in
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
        let count = expectedSeq - 1
        if let limit {
            guard count == limit else {
                throw LedgerError(.integrityFailure, "seq \(count + 1): missing (the chain ends at seq \(count))", seq: count + 1)
            }
            return VerifyReport(count: count, head: prevHash)
        }
        let recorded = try read { db in try Row.fetchOne(db, sql: "SELECT seq, hash FROM chain_head WHERE id = 1") }
        let recordedSeq: Int64 = recorded?["seq"] ?? 0
        if recordedSeq > count {
            throw LedgerError(.integrityFailure,
                "seq \(count + 1): missing (the ledger's head record says the chain runs to seq \(recordedSeq))", seq: count + 1)
        }
        if recordedSeq < count || (recorded?["hash"] as String?).map({ $0 != prevHash }) ?? (count > 0) {
            throw LedgerError(.integrityFailure,
                "seq \(recordedSeq == 0 ? 1 : recordedSeq): the head record (seq \(recordedSeq)) does not match the chain's last event (seq \(count), hash \(prevHash))",
                seq: recordedSeq == 0 ? 1 : recordedSeq)
        }
        return VerifyReport(count: count, head: prevHash)
    }
}
