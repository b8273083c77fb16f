import CanonicalJSON
import EventSchemas
import Foundation
import OutletDomain
import OutletCore

/// A stored event read back for the domain: its envelope, and its payload upcast to the newest
/// schema version and decoded.
public struct RecordedEvent: Sendable {
    public let envelope: Envelope
    public let stream: USCC
    public let type: EventType
    public let payload: EventPayload

    /// The event as the fold reads it (the recording day is the rules' business: `decidedEvent`).
    public var domainEvent: DomainEvent { event(recordedOn: nil) }

    /// The event as the rules read it: with the day it was recorded (Asia/Shanghai).
    public var decidedEvent: DomainEvent { event(recordedOn: Timestamp(envelope.recordedAt)?.shanghaiDate) }

    private func event(recordedOn: LocalDate?) -> DomainEvent {
        DomainEvent(seq: envelope.seq, type: type, effectiveOn: LocalDate(envelope.effectiveOn)!,
                    actor: Actor(role: Actor.Role(rawValue: envelope.actor.role) ?? .system, unit: envelope.actor.unit,
                                 name: envelope.actor.name),
                    payload: payload, recordedOn: recordedOn)
    }

    /// Fails only on a ledger that was written by something other than this program's append path.
    public init(_ envelope: Envelope) throws(LedgerError) {
        func corrupt(_ reason: String) -> LedgerError {
            LedgerError(.integrityFailure, "seq \(envelope.seq): \(reason)", stream: envelope.stream, seq: envelope.seq)
        }
        guard let type = EventType(rawValue: envelope.type) else { throw corrupt("unknown event type \(envelope.type)") }
        guard LocalDate(envelope.effectiveOn) != nil, Actor.Role(rawValue: envelope.actor.role) != nil else {
            throw corrupt("effectiveOn or actor role unreadable")
        }
        guard let stream = USCC(envelope.stream) else { throw corrupt("stream \(envelope.stream) is not a valid USCC") }
        self.payload = try EventPayload.reading(type, schemaVersion: envelope.schemaVersion, Array(envelope.payload.utf8), corrupt: corrupt)
        self.envelope = envelope
        self.stream = stream
        self.type = type
    }
}

extension EventPayload {
    /// A stored payload of `schemaVersion`: of the newest, scanned from its canonical bytes; else, or where
    /// the scan misses, upcast to the type's newest version and decoded.
    static func reading(_ type: EventType, schemaVersion: Int64, _ bytes: [UInt8],
                        corrupt: (String) -> LedgerError) throws(LedgerError) -> EventPayload
    {
        if schemaVersion == type.latestSchemaVersion,
           let scanned = try? bytes.withUnsafeBufferPointer({ bytes throws(ScanMiss) in try EventPayload(scanning: type, bytes) })
        {
            return scanned
        }
        do {
            let stored = try JSONParser.parse(bytes)
            let upcast = Upcasting.upcast(stored, type: type.rawValue, from: Int(schemaVersion), to: type.latestSchemaVersion)
            return try EventPayload.decode(type, from: JSONValueDecoder().decoder(for: upcast))
        } catch {
            throw corrupt("payload cannot be read as \(type.rawValue).v\(type.latestSchemaVersion): \(error)")
        }
    }
}

extension FoldEvent {
    /// A stored event as the fold reads it, from its lent columns: a payload of the newest schema version
    /// is scanned for the facts alone; one the scanner does not read (an older version to upcast, an
    /// escape in a name) is decoded whole, as `RecordedEvent` does, with the same errors.
    static func reading(_ row: FoldRow) throws(LedgerError) -> (event: FoldEvent, stream: USCC) {
        func corrupt(_ reason: String) -> LedgerError {
            LedgerError(.integrityFailure, "seq \(row.seq): \(reason)", stream: String(decoding: row.stream, as: UTF8.self), seq: row.seq)
        }
        guard let type = EventType(utf8: row.type) else { throw corrupt("unknown event type \(String(decoding: row.type, as: UTF8.self))") }
        guard let effectiveOn = LocalDate(utf8: row.effectiveOn) else {
            throw corrupt("effectiveOn \(String(decoding: row.effectiveOn, as: UTF8.self)) is not a date")
        }
        guard let stream = try? USCC(validating: row.stream) else {
            throw corrupt("stream \(String(decoding: row.stream, as: UTF8.self)) is not a valid USCC")
        }
        if row.schemaVersion == type.latestSchemaVersion, let facts = try? Facts(scanning: type, row.payload) {
            return (FoldEvent(seq: row.seq, effectiveOn: effectiveOn, facts: facts), stream)
        }
        let payload = try EventPayload.reading(type, schemaVersion: row.schemaVersion, Array(row.payload), corrupt: corrupt)
        return (FoldEvent(seq: row.seq, effectiveOn: effectiveOn, facts: payload.facts), stream)
    }
}

extension DecidableEvent {
    /// A stored event of either stream, read back; fails only on a ledger written by something other
    /// than this program's append path.
    init(_ envelope: Envelope) throws(LedgerError) {
        guard envelope.stream == ReferenceStream.id else {
            let recorded = try RecordedEvent(envelope)
            self = .institution(recorded.decidedEvent, stream: recorded.stream)
            return
        }
        func corrupt(_ reason: String) -> LedgerError {
            LedgerError(.integrityFailure, "seq \(envelope.seq): \(reason)", stream: envelope.stream, seq: envelope.seq)
        }
        guard let type = ReferenceEventType(rawValue: envelope.type), let effectiveOn = LocalDate(envelope.effectiveOn),
              let role = Actor.Role(rawValue: envelope.actor.role)
        else { throw corrupt("the registry stream holds a \(envelope.type) it cannot read") }
        let event: ReferenceEvent
        do {
            event = try CandidateChecker.referenceEvent(type, try JSONParser.parse(Array(envelope.payload.utf8))) { message in
                LedgerError(.integrityFailure, message)
            }
        } catch let error as LedgerError {
            throw corrupt(error.message)
        } catch {
            throw corrupt("payload is not JSON (\(error))")
        }
        self = .reference(event, seq: envelope.seq, actor: Actor(role: role, unit: envelope.actor.unit, name: envelope.actor.name),
                          effectiveOn: effectiveOn, recordedOn: Timestamp(envelope.recordedAt)?.shanghaiDate)
    }
}

extension Ledger {
    /// One institution's events, oldest first, as the domain reads them.
    public func history(of stream: String) throws(LedgerError) -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        for envelope in try store.events(ofStream: stream) {
            events.append(try RecordedEvent(envelope))
        }
        return events
    }
}

extension Ledger {
    /// The institution's status on `date` (DOMAIN.md §6), from its own live events effective by then,
    /// as known after event `seq` (default: the whole log).
    public func status(of stream: USCC, on date: LocalDate, upTo seq: Int64 = .max) throws(LedgerError) -> StatusReport {
        let events = try history(of: stream.code).filter { $0.envelope.seq <= seq }.map(\.domainEvent)
        let live = Retractions.live(events).filter { $0.effectiveOn <= date }
        let periods = periods(atSeq: seq)
        return InstitutionState.fold(live, periods: periods).status(on: date, periods: periods)
    }
}
