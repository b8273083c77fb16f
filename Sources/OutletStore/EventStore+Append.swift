import CanonicalJSON
import Foundation
import GRDB

/// What happened to one offered event.
public struct AppendResult: Sendable, Hashable {
    public let seq: Int64
    public let eventId: String
    /// True when the event id was already in the ledger with the same content: nothing was written
    /// and `seq` is the original one.
    public let duplicate: Bool
}

/// Reads the ledger from inside an append's transaction, so rules decide on exactly what they extend.
public struct StreamReader {
    let db: Database

    /// The seq of the stream's newest stored event (0 for a new stream): what a cached state is checked against.
    public func lastSeq(of stream: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events WHERE stream = ?", arguments: [stream]) ?? 0
    }

    /// The stored events of one type after `seq`, oldest first.
    public func events(ofType type: String, afterSeq seq: Int64) throws -> [Envelope] {
        try EventStore.fetchEnvelopes(db, sql: "\(EventStore.selectColumns) WHERE type = ? AND seq > ? ORDER BY seq", arguments: [type, seq])
    }

    /// The stream's stored events, oldest first.
    public func events(of stream: String) throws -> [Envelope] {
        try EventStore.fetchEnvelopes(db, sql: "\(EventStore.selectColumns) WHERE stream = ? ORDER BY seq", arguments: [stream])
    }
}

/// An envelope about to be appended, with its place among the events of the call.
public struct NewEvent: Sendable {
    /// 0-based position in the call's events (duplicates of stored events are not offered).
    public let index: Int
    public let envelope: Envelope
}

/// Decides whether the new envelopes may be appended; throws to refuse (nothing is written).
public typealias Admission = (_ reader: StreamReader, _ new: [NewEvent]) throws -> Void

extension EventStore {
    /// Appends `events` atomically: all of them (less exact repeats of stored event ids) or none.
    ///
    /// - Parameters:
    ///   - expectVersion: the stream's version the caller last saw; a moved stream is a conflict.
    ///   - importing: `recordedAt` of the events is kept (must not decrease, nor lie in the future).
    ///   - admit: the rules, run inside the transaction on the envelopes as they will be stored.
    public func append(_ events: [PendingEvent], expectVersion: Int64? = nil, importing: Bool = false,
                       admit: Admission = { _, _ in }) throws(LedgerError) -> [AppendResult]
    {
        guard !events.isEmpty else { return [] }
        if expectVersion != nil, Set(events.map(\.stream)).count > 1 {
            throw LedgerError(.invalidInput, "--expect-version applies to one stream; this call touches several")
        }
        do {
            return try queue.writeWithoutTransaction { db in
                var results: [AppendResult] = []
                try db.inTransaction(.immediate) {
                    results = try appendInTransaction(db, events, expectVersion: expectVersion,
                                                      importing: importing, admit: admit)
                    return .commit
                }
                return results
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }

    private func appendInTransaction(_ db: Database, _ events: [PendingEvent], expectVersion: Int64?,
                                     importing: Bool, admit: Admission) throws -> [AppendResult]
    {
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash, recorded_at FROM events ORDER BY seq DESC LIMIT 1")
        var seq: Int64 = head?["seq"] ?? 0
        var prevHash: String = head?["hash"] ?? HashChain.genesis
        var lastRecorded = (head?["recorded_at"] as String?).flatMap(Timestamp.init)
        let now = clock.now()
        var streamVersions: [String: Int64] = [:]
        var idsInCall: Set<String> = []
        var results: [AppendResult?] = []
        var fresh: [NewEvent] = []

        for (index, event) in events.enumerated() {
            func fail(_ code: LedgerError.Code, _ message: String) -> LedgerError {
                var error = LedgerError(code, message, stream: event.stream)
                error.eventIndex = events.count > 1 ? index : nil
                return error
            }
            let payload = event.payload.canonicalString
            if let eventId = event.eventId {
                guard idsInCall.insert(eventId).inserted else {
                    throw fail(.invalidInput, "eventId \(eventId) appears twice in one call")
                }
                if let stored = try Self.fetchEnvelopes(
                    db, sql: "\(Self.selectColumns) WHERE event_id = ?", arguments: [eventId]).first
                {
                    guard stored.sameContent(as: event, payload: payload) else {
                        throw fail(.conflict, "eventId \(eventId) already names seq \(stored.seq) with other content")
                    }
                    results.append(AppendResult(seq: stored.seq, eventId: eventId, duplicate: true))
                    continue
                }
            }

            let version: Int64
            if let known = streamVersions[event.stream] {
                version = known + 1
            } else {
                let current = try Int64.fetchOne(
                    db, sql: "SELECT MAX(stream_version) FROM events WHERE stream = ?", arguments: [event.stream]) ?? 0
                if let expectVersion, expectVersion != current {
                    throw fail(.conflict, "stream \(event.stream) is at version \(current), expected \(expectVersion)")
                }
                version = current + 1
            }
            streamVersions[event.stream] = version

            var recorded = max(now, lastRecorded ?? now)
            if importing, let claimed = event.recordedAt {
                if let lastRecorded, claimed < lastRecorded {
                    throw fail(.invalidInput, "recordedAt \(claimed) is earlier than the previous event's \(lastRecorded)")
                }
                if claimed > now {
                    throw fail(.invalidInput, "recordedAt \(claimed) lies in the future (now \(now))")
                }
                recorded = claimed
            }
            lastRecorded = recorded
            seq += 1

            var envelope = Envelope(
                seq: seq, eventId: event.eventId ?? UUID().uuidString.lowercased(), stream: event.stream,
                streamVersion: version, type: event.type, schemaVersion: event.schemaVersion,
                effectiveOn: event.effectiveOn, recordedAt: recorded.description, actor: event.actor,
                payload: payload, prevHash: prevHash, hash: "")
            envelope.hash = HashChain.hash(of: envelope)
            if let claimed = event.claimed {
                try check(claimed, against: envelope).map { throw fail(.integrityFailure, $0) }
            }
            prevHash = envelope.hash
            fresh.append(NewEvent(index: index, envelope: envelope))
            results.append(AppendResult(seq: envelope.seq, eventId: envelope.eventId, duplicate: false))
        }

        try admit(StreamReader(db: db), fresh)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO events (seq, event_id, stream, stream_version, type, schema_version, effective_on,
                recorded_at, actor_role, actor_unit, actor_name, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for envelope in fresh.map(\.envelope) {
            try insert.execute(arguments: [
                envelope.seq, envelope.eventId, envelope.stream, envelope.streamVersion, envelope.type,
                envelope.schemaVersion, envelope.effectiveOn, envelope.recordedAt, envelope.actor.role,
                envelope.actor.unit, envelope.actor.name, envelope.payload, envelope.prevHash, envelope.hash,
            ])
        }
        if let last = fresh.last?.envelope {
            try db.execute(sql: """
                INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                """, arguments: [last.seq, last.hash])
        }
        return results.map { $0! }
    }

    /// An exported line's chain fields must be what the ledger computes, or the export was altered.
    private func check(_ claimed: ClaimedPosition, against envelope: Envelope) -> String? {
        if let seq = claimed.seq, seq != envelope.seq {
            return "the line claims seq \(seq), but it would be seq \(envelope.seq)"
        }
        if let version = claimed.streamVersion, version != envelope.streamVersion {
            return "the line claims streamVersion \(version), but it would be \(envelope.streamVersion)"
        }
        if let prevHash = claimed.prevHash, prevHash != envelope.prevHash {
            return "the line's prevHash \(prevHash) is not the ledger's head \(envelope.prevHash)"
        }
        if let hash = claimed.hash, hash != envelope.hash {
            return "the line's hash \(hash) does not match its content (recomputed \(envelope.hash))"
        }
        return nil
    }
}

extension Envelope {
    /// Same act offered again: everything the caller supplies is equal.
    func sameContent(as event: PendingEvent, payload: String) -> Bool {
        stream == event.stream && type == event.type && schemaVersion == event.schemaVersion
            && effectiveOn == event.effectiveOn && actor == event.actor && self.payload == payload
    }
}
