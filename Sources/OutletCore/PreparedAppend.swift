import Foundation
import CanonicalJSON

/// What one call's offered events become against the log at one head: the envelopes that extend the
/// chain after it, and the answers for every event (a repeat of a stored event id is answered with
/// its original seq and not appended again). Pure given the reads it makes; nothing is written.
public struct PreparedAppend: Sendable {
    public let head: LedgerHead
    /// The envelopes that extend the chain after `head`, in order: the call's events less its repeats.
    public let envelopes: [Envelope]
    /// Each envelope's place among the call's events (0-based).
    public let indices: [Int]
    public let results: [AppendResult]
    /// The version each stream of `envelopes` stood at in the log before them: read once here, it tells the
    /// caller whether what it holds of a stream is still the stream's newest (no second seek for it).
    public let priorVersions: [String: Int64]

    /// The log's head once `envelopes` are in it (`head` if there are none).
    public var headAfter: LedgerHead {
        envelopes.last.map { LedgerHead(seq: $0.seq, hash: $0.hash, recordedAt: $0.recordedAt) } ?? head
    }

    /// Seals `events` after the log's current head.
    ///
    /// - Parameters:
    ///   - expectVersion: the stream's version the caller last saw; a moved stream is a conflict.
    ///   - importing: `recordedAt` of the events is kept (must not decrease, nor lie in the future).
    public init(_ events: [PendingEvent], on log: any EventLog, expectVersion: Int64? = nil, importing: Bool = false) throws(LedgerError) {
        let streams = Set(events.map(\.stream))
        if expectVersion != nil, streams.count > 1 {
            throw LedgerError(.invalidInput, "--expect-version applies to one stream; this call touches several")
        }
        try self.init(events, on: log, expecting: expectVersion.flatMap { version in streams.first.map { ($0, version) } }, importing: importing)
    }

    /// The same, with the expected version of one named stream (the others are not checked).
    /// - Parameters:
    ///   - knownHead: the log's head, if the caller read it in the same transaction (not read twice).
    ///   - knownVersions: streams' versions in the log at that head, where the caller knows them for certain
    ///     (it wrote the head): not read again.
    public init(_ events: [PendingEvent], on log: any EventLog, after knownHead: LedgerHead? = nil, knownVersions: [String: Int64] = [:],
                expecting expected: (stream: String, version: Int64)?, importing: Bool = false) throws(LedgerError)
    {
        let head: LedgerHead
        if let knownHead { head = knownHead } else { head = try log.head() }
        var seq = head.seq
        var prevHash = head.hash
        var lastRecorded = head.recordedAt.flatMap { Timestamp($0) }
        let now = log.clock.now()
        var streamVersions: [String: Int64] = [:]
        var priorVersions: [String: Int64] = [:]
        var idsInCall: Set<String> = []
        var results: [AppendResult] = []
        var envelopes: [Envelope] = []
        var indices: [Int] = []
        let storedIds = try log.storedEventIds(among: events.compactMap(\.eventId))

        // By place, through the array's storage: a loop over the events copies each out whole (a dozen
        // reference counts) for the fields read.
        try events.withUnsafeBufferPointer { (events) throws(LedgerError) in
            for index in events.indices {
                let event = events.baseAddress! + index
                func fail(_ code: LedgerError.Code, _ message: String, conflict: LedgerError.Conflict? = nil) -> LedgerError {
                    var error = LedgerError(code, message, stream: event.pointee.stream)
                    error.eventIndex = events.count > 1 ? index : nil
                    error.conflict = conflict
                    return error
                }
                let payload = event.pointee.canonicalPayload
                if let eventId = event.pointee.eventId {
                    guard idsInCall.insert(eventId).inserted else {
                        throw fail(.invalidInput, "eventId \(eventId) appears twice in one call")
                    }
                    if storedIds.contains(eventId), let stored = try log.envelope(eventId: eventId) {
                        guard stored.sameContent(as: event.pointee, payload: payload) else {
                            throw fail(.conflict, "eventId \(eventId) already names seq \(stored.seq) with other content",
                                       conflict: .init(kind: .eventIdReused, expected: nil, actual: stored.seq))
                        }
                        results.append(AppendResult(seq: stored.seq, eventId: eventId, duplicate: true, hash: stored.hash, streamVersion: stored.streamVersion))
                        continue
                    }
                }
                let version: Int64
                if let known = streamVersions[event.pointee.stream] {
                    version = known + 1
                } else {
                    let current = if let known = knownVersions[event.pointee.stream] { known } else { try log.streamVersion(of: event.pointee.stream) }
                    if let expected, expected.stream == event.pointee.stream, expected.version != current {
                        throw fail(.conflict, "stream \(event.pointee.stream) is at version \(current), expected \(expected.version)",
                                   conflict: .init(kind: .streamMoved, expected: expected.version, actual: current))
                    }
                    priorVersions[event.pointee.stream] = current
                    version = current + 1
                }
                streamVersions[event.pointee.stream] = version

                var recorded = max(now, lastRecorded ?? now)
                if importing, let claimed = event.pointee.recordedAt {
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
                    seq: seq, eventId: event.pointee.eventId ?? Envelope.newEventId(recordedAt: recorded), stream: event.pointee.stream,
                    streamVersion: version, type: event.pointee.type, schemaVersion: event.pointee.schemaVersion,
                    effectiveOn: event.pointee.effectiveOn, recordedAt: recorded.description, actor: event.pointee.actor,
                    payload: payload, prevHash: prevHash, hash: "")
                envelope.hash = event.pointee.hashPrefix.value.map { HashChain.hash(of: envelope, after: $0) } ?? HashChain.hash(of: envelope)
                if let claimed = event.pointee.claimed, let mismatch = Self.check(claimed, against: envelope) {
                    throw fail(.integrityFailure, mismatch)
                }
                prevHash = envelope.hash
                results.append(AppendResult(seq: envelope.seq, eventId: envelope.eventId, duplicate: false, hash: envelope.hash, streamVersion: envelope.streamVersion))
                envelopes.append(envelope)
                indices.append(index)
            }
        }
        self.head = head
        self.envelopes = envelopes
        self.indices = indices
        self.results = results
        self.priorVersions = priorVersions
    }

    /// An exported line's chain fields must be what the ledger computes, or the export was altered.
    static func check(_ claimed: ClaimedPosition, against envelope: Envelope) -> String? {
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

extension EventLog {
    /// Appends `events` with no rules, retrying while other writers move the head: what a tool or a
    /// store test needs. The ledger decides between `PreparedAppend` and `append(_:)` instead.
    public func append(_ events: [PendingEvent], expectVersion: Int64? = nil, importing: Bool = false) throws(LedgerError) -> [AppendResult] {
        while true {
            let prepared = try PreparedAppend(events, on: self, expectVersion: expectVersion, importing: importing)
            do {
                if !prepared.envelopes.isEmpty { try append(prepared) }
                return prepared.results
            } catch where error.conflict?.kind == .headMoved {
                continue
            }
        }
    }
}

extension Envelope {
    /// Same act offered again: everything the caller supplies is the same bytes, field by field, as the chain
    /// hashes them (Swift's `==` would answer a repeat written with equivalent but other text as the stored event).
    func sameContent(as event: PendingEvent, payload: String) -> Bool {
        let same = Canonical.sameBytes
        return same(stream, event.stream) && same(type, event.type) && schemaVersion == event.schemaVersion
            && same(effectiveOn, event.effectiveOn) && same(actor.role, event.actor.role) && same(actor.unit, event.actor.unit)
            && same(actor.name, event.actor.name) && same(self.payload, payload)
    }
}

extension Envelope {
    /// A fresh event id: a version 7 UUID (RFC 9562 §5.7) in lower case, its first 48 bits the event's
    /// recorded time in Unix milliseconds, the other 74 random (from `getrandom`: Foundation's `UUID()` opens
    /// and reads `/dev/urandom` for every one, three system calls per event). Ids made in recording order
    /// land at the end of the log's `event_id` index, not on a random page of it: an import of a million
    /// events inserts into a few hot pages rather than reading and rewriting pages all over the index.
    static func newEventId(recordedAt recorded: Timestamp) -> String {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(clamping: max(0, recorded.millisecondsSinceEpoch)) & 0xFFFF_FFFF_FFFF
        let high = milliseconds << 16 | 0x7000 | generator.next() & 0x0FFF  // version 7, 12 random bits
        let low = generator.next() & ~(0b11 << 62) | (0b10 << 62)  // RFC 9562 variant, 62 random bits
        let hex = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var at = 0
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { at += 1 }
            let word = nibble < 16 ? high : low
            text[at] = hex[Int(word >> (60 - 4 * UInt64(nibble % 16)) & 0xF)]
            at += 1
        }
        return String(decoding: text, as: UTF8.self)
    }
}
