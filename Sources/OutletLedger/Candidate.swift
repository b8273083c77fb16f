import CanonicalJSON
import Foundation
import EventSchemas
import OutletDomain
import OutletCore

/// An event as a caller offers it, before any check: the words of the CLI, an import line or an
/// events file.
public struct Candidate: Sendable, Hashable {
    public var type: String
    public var stream: String
    public var effectiveOn: String
    public var actor: EnvelopeActor
    public var payload: JSONValue {
        didSet { canonicalText = Cached() }
    }
    /// The payload's canonical bytes, when the text it was read from already was them (an export's lines): the
    /// check takes them instead of encoding the payload again. Dropped when the payload is set.
    var canonicalText = Cached<[UInt8]>()
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
    /// An act on an institution's stream, or reference data on the registry's own stream.
    public enum Act: Sendable {
        case institution(type: EventType, stream: USCC, payload: EventPayload)
        case reference(ReferenceEvent)
    }

    public let act: Act
    public let effectiveOn: LocalDate
    public let actor: Actor
    public let pending: PendingEvent
}

/// Form checks (bad input), each refused with what and where.
public struct CandidateChecker: Sendable {
    private let loaded: Result<SchemaSet, SchemaSet.LoadError>

    /// With the bundled schemas; if they do not load, every check says so (the ledger is unusable).
    public init() {
        loaded = SchemaSet.bundled
    }

    public init(schemas: SchemaSet) {
        loaded = .success(schemas)
    }

    var schemas: SchemaSet {
        get throws(LedgerError) {
            do {
                return try loaded.get()
            } catch {
                throw LedgerError(.ledgerUnusable, "the event schemas do not load: \(error)")
            }
        }
    }

    /// - Parameter textRules: refuse control characters in text (`TextSafety`); off only where an
    ///   audit re-reads events recorded before the rule existed.
    public func check(_ candidate: Candidate, textRules: Bool = true) throws(LedgerError) -> CheckedEvent {
        func invalid(_ message: String) -> LedgerError {
            LedgerError(.invalidInput, message, stream: candidate.stream)
        }
        // The canonical form is made first: its walk also says whether any string of the payload may hold a
        // forbidden character (a line feed counts here, though prose allows it), so that the text rules walk
        // the payload again only then. A payload read from its canonical text has its bytes already: their
        // strings stand in them unescaped, so a scan of all of them flags what a scan of each would (and a name).
        let (canonical, suspect) = candidate.canonicalText.value.map { bytes in
            (bytes, bytes.withUnsafeBufferPointer { TextSafety.mayHoldForbidden($0, multiLine: false) })
        } ?? candidate.payload.canonicalBytes(flagging: { TextSafety.mayHoldForbidden($0, multiLine: false) })
        assert(canonical == candidate.payload.canonicalBytes, "a payload's canonical text is its canonical form")
        if textRules { try Self.checkText(candidate, payloadMayHoldForbidden: suspect, invalid: invalid) }
        let isReference = candidate.stream == ReferenceStream.id
        let typeName = candidate.type
        let institutionType = EventType(rawValue: typeName)
        let referenceType = ReferenceEventType(rawValue: typeName)
        if isReference, referenceType == nil {
            throw invalid("stream \(ReferenceStream.id) holds \(ReferenceEventType.allCases.map(\.rawValue).joined(separator: " and ")), not \"\(typeName)\"")
        }
        if let referenceType, !isReference {
            throw invalid("\(referenceType.rawValue) is recorded on the registry's own stream \"\(ReferenceStream.id)\", not on an institution's")
        }
        guard institutionType != nil || referenceType != nil else {
            let known = EventType.allCases.map(\.rawValue) + ReferenceEventType.allCases.map(\.rawValue)
            throw invalid("unknown event type \"\(typeName)\" (known: \(known.joined(separator: ", ")))")
        }
        var stream: USCC?
        if !isReference {
            do {
                stream = try USCC(validating: candidate.stream)
            } catch {
                throw invalid("stream \"\(candidate.stream)\" is not a valid USCC: \(error)")
            }
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
        let latest = Int64(institutionType?.latestSchemaVersion ?? 1)
        let version = candidate.schemaVersion ?? latest
        let schemas = try schemas
        guard version >= 1, version <= latest, schemas.hasSchema(type: typeName, version: Int(version)) else {
            throw invalid("\(typeName) has no schema version \(version) (newest: \(latest))")
        }
        do {
            try schemas.validate(candidate.payload, type: typeName, version: Int(version))
        } catch {
            throw invalid("\(typeName).v\(version) payload \(error)")
        }
        let act: CheckedEvent.Act
        if let referenceType {
            act = .reference(try Self.referenceEvent(referenceType, candidate.payload, invalid: invalid))
        } else if let institutionType, let stream {
            // The newest version's payload is scanned from the canonical bytes; an older one is upcast and decoded,
            // as is one the scan misses, so that `Decodable` names the fault.
            let scanned = version == latest ? try? canonical.withUnsafeBufferPointer { bytes throws(ScanMiss) in
                try EventPayload(scanning: institutionType, bytes)
            } : nil
            let payload: EventPayload
            if let scanned {
                payload = scanned
            } else {
                let upcast = Upcasting.upcast(candidate.payload, type: typeName, from: Int(version), to: Int(latest))
                do {
                    payload = try EventPayload.decode(institutionType, from: JSONValueDecoder().decoder(for: upcast))
                } catch let error as DecodingError {
                    throw invalid("\(typeName) payload \(error.pathAndReason)")
                } catch {
                    throw invalid("\(typeName) payload: \(error)")
                }
            }
            act = .institution(type: institutionType, stream: stream, payload: payload)
        } else {
            preconditionFailure("a type is an institution's or the registry's")
        }
        let actor = Actor(role: role, unit: candidate.actor.unit, name: candidate.actor.name)
        var pending = PendingEvent(
            eventId: candidate.eventId, stream: candidate.stream, type: typeName, schemaVersion: version,
            effectiveOn: effectiveOn.description, actor: candidate.actor, payload: candidate.payload,
            canonicalPayload: String(decoding: canonical, as: UTF8.self), recordedAt: candidate.recordedAt,
            claimed: candidate.claimed)
        // Here, not where the event is sealed: an import checks on one core and seals on the other.
        pending.makeHashPrefix()
        return CheckedEvent(act: act, effectiveOn: effectiveOn, actor: actor, pending: pending)
    }

    /// Control characters are refused in the actor and in every string of the payload, named by its JSON path.
    /// `payloadMayHoldForbidden`: false when a scan of every string of the payload found none that may.
    static func checkText(_ candidate: Candidate, payloadMayHoldForbidden: Bool, invalid: (String) -> LedgerError) throws(LedgerError) {
        for (name, value) in [("actor.name", candidate.actor.name), ("actor.unit", candidate.actor.unit)] {
            if let (position, scalar) = TextSafety.firstForbidden(in: value, multiLine: false) {
                throw invalid("\(name) has the control character \(TextSafety.name(scalar)) at position \(position + 1); text may not carry control characters")
            }
        }
        if candidate.actor.name.count > TextSafety.maximumActorNameLength {
            throw invalid("actor.name is \(candidate.actor.name.count) characters, over the \(TextSafety.maximumActorNameLength)-character limit")
        }
        guard payloadMayHoldForbidden else { return }
        // A payload that may not be clean is walked without paths first (a line feed in prose is allowed); one
        // that is not is walked again, in key order, to name its first forbidden character and where it is.
        func clean(_ value: JSONValue, key: String?) -> Bool {
            switch value {
            case .string(let text): TextSafety.firstForbidden(in: text, multiLine: key.map(TextSafety.multiLineFields.contains) ?? false) == nil
            case .array(let items): items.allSatisfy { clean($0, key: key) }
            case .object(let members): members.allSatisfy { clean($0.value, key: $0.key) }
            case .null, .bool, .integer: true
            }
        }
        guard !clean(candidate.payload, key: nil) else { return }
        func walk(_ value: JSONValue, path: String, key: String?) throws(LedgerError) {
            switch value {
            case .string(let text):
                let multiLine = key.map(TextSafety.multiLineFields.contains) ?? false
                if let (position, scalar) = TextSafety.firstForbidden(in: text, multiLine: multiLine) {
                    let allowed = multiLine ? " (only line feeds, in prose fields)" : (scalar.value == 0x0A ? " (a line feed only in prose fields)" : "")
                    throw invalid("payload \(path) has the control character \(TextSafety.name(scalar)) at position \(position + 1); text may not carry control characters\(allowed)")
                }
            case .array(let items):
                for (index, item) in items.enumerated() { try walk(item, path: "\(path)[\(index)]", key: key) }
            case .object(let members):
                for (name, member) in members { try walk(member, path: "\(path).\(name)", key: name) }  // in canonical order
            case .null, .bool, .integer:
                break
            }
        }
        try walk(candidate.payload, path: "$", key: nil)
    }

    /// The registry stream's payloads: a policy as `Policy` reads it, a holiday year as the calendar loader checks it.
    static func referenceEvent(_ type: ReferenceEventType, _ payload: JSONValue,
                                       invalid: (String) -> LedgerError) throws(LedgerError) -> ReferenceEvent
    {
        switch type {
        case .policyAdopted:
            do {
                return .policyAdopted(try Policy(json: Data(payload.canonicalBytes)))
            } catch {
                throw invalid("policy-adopted payload: \(error)")
            }
        case .holidayCalendarPublished:
            let year: HolidayYear
            do {
                year = try HolidayYear(from: JSONValueDecoder().decoder(for: payload))
            } catch let error as DecodingError {
                throw invalid("holiday-calendar-published payload \(error.pathAndReason)")
            } catch {
                throw invalid("holiday-calendar-published payload: \(error)")
            }
            do {
                try HolidayCalendar.check(year)
            } catch {
                throw invalid("holiday-calendar-published payload: \(error)")
            }
            return .holidayCalendarPublished(year)
        }
    }
}
