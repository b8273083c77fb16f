import CanonicalJSON
import Foundation
import EventSchemas
import OutletDomain
import OutletStore

/// An event as a caller offers it, before any check: the words of the CLI, an import line or an
/// events file.
public struct Candidate: Sendable, Hashable {
    public var type: String
    public var stream: String
    public var effectiveOn: String
    public var actor: EnvelopeActor
    public var payload: JSONValue
    public var eventId: String?
    /// nil: the type's newest version.
    public var schemaVersion: Int64?
    /// Kept by `import` only.
    public var recordedAt: Timestamp?
    public var claimed: ClaimedPosition?
    /// Where the candidate came from (`export.jsonl line 3`), to name it in errors.
    public var origin: String?

    public init(type: String, stream: String, effectiveOn: String, actor: EnvelopeActor, payload: JSONValue,
                eventId: String? = nil, schemaVersion: Int64? = nil, recordedAt: Timestamp? = nil,
                claimed: ClaimedPosition? = nil, origin: String? = nil)
    {
        self.type = type
        self.stream = stream
        self.effectiveOn = effectiveOn
        self.actor = actor
        self.payload = payload
        self.eventId = eventId
        self.schemaVersion = schemaVersion
        self.recordedAt = recordedAt
        self.claimed = claimed
        self.origin = origin
    }
}

/// A candidate that passed every check of form: its type, identifiers, date, actor and payload are
/// what DOMAIN.md §2, §4 and §5 allow. Whether the act is *allowed* is the rules' business.
public struct CheckedEvent: Sendable {
    public let type: EventType
    public let stream: USCC
    public let effectiveOn: LocalDate
    public let actor: Actor
    public let payload: EventPayload
    public let pending: PendingEvent

    /// The event as the rules read it, at the seq the store assigns it.
    func domainEvent(seq: Int64) -> DomainEvent {
        DomainEvent(seq: seq, type: type, effectiveOn: effectiveOn, actor: actor, payload: payload)
    }
}

/// Form checks (bad input), each refused with what and where.
public struct CandidateChecker: Sendable {
    public let schemas: SchemaSet

    public init(schemas: SchemaSet = .bundled) {
        self.schemas = schemas
    }

    public func check(_ candidate: Candidate) throws(LedgerError) -> CheckedEvent {
        func invalid(_ message: String) -> LedgerError {
            LedgerError(.invalidInput, message, stream: candidate.stream)
        }
        guard let type = EventType(rawValue: candidate.type) else {
            throw invalid("unknown event type \"\(candidate.type)\" (known: \(EventType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let stream: USCC
        do {
            stream = try USCC(validating: candidate.stream)
        } catch {
            throw invalid("stream \"\(candidate.stream)\" is not a valid USCC: \(error)")
        }
        guard let effectiveOn = LocalDate(candidate.effectiveOn) else {
            throw invalid("effectiveOn \"\(candidate.effectiveOn)\" is not a calendar date (YYYY-MM-DD)")
        }
        guard let role = Actor.Role(rawValue: candidate.actor.role) else {
            throw invalid("actor role \"\(candidate.actor.role)\" is not one of \(Actor.Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let eventId = candidate.eventId {
            guard !eventId.isEmpty, eventId.count <= 200, !eventId.unicodeScalars.contains(where: { $0.value < 0x20 })
            else { throw invalid("eventId must be 1 to 200 characters without control characters") }
        }
        let latest = Int64(type.latestSchemaVersion)
        let version = candidate.schemaVersion ?? latest
        guard version >= 1, version <= latest, schemas.hasSchema(type: type.rawValue, version: Int(version)) else {
            throw invalid("\(type.rawValue) has no schema version \(version) (newest: \(latest))")
        }
        do {
            try schemas.validate(candidate.payload, type: type.rawValue, version: Int(version))
        } catch {
            throw invalid("\(type.rawValue).v\(version) payload \(error)")
        }
        let upcast = Upcasting.upcast(candidate.payload, type: type.rawValue, from: Int(version), to: Int(latest))
        let payload: EventPayload
        do {
            payload = try EventPayload.decode(type, from: JSONValueDecoder().decoder(for: upcast))
        } catch let error as DecodingError {
            throw invalid("\(type.rawValue) payload \(error.pathAndReason)")
        } catch {
            throw invalid("\(type.rawValue) payload: \(error)")
        }
        if let institution = payload.institution, institution.uscc != stream {
            throw invalid("payload institution.uscc \(institution.uscc) differs from the stream \(stream)")
        }
        let actor = Actor(role: role, unit: candidate.actor.unit, name: candidate.actor.name)
        let pending = PendingEvent(
            eventId: candidate.eventId, stream: stream.code, type: type.rawValue, schemaVersion: version,
            effectiveOn: effectiveOn.description, actor: candidate.actor, payload: candidate.payload,
            recordedAt: candidate.recordedAt, claimed: candidate.claimed)
        return CheckedEvent(type: type, stream: stream, effectiveOn: effectiveOn, actor: actor, payload: payload,
                            pending: pending)
    }
}
