import CanonicalJSON

/// One stored event, exactly as DOMAIN.md §5 and `envelope.v1.schema.json` describe it.
public struct Envelope: Sendable, Hashable {
    public var seq: Int64
    public var eventId: String
    public var stream: String
    public var streamVersion: Int64
    public var type: String
    public var schemaVersion: Int64
    /// `YYYY-MM-DD`.
    public var effectiveOn: String
    /// RFC 3339 UTC with milliseconds.
    public var recordedAt: String
    public var actor: EnvelopeActor
    /// The payload's canonical JSON text, as stored.
    public var payload: String
    public var prevHash: String
    public var hash: String

    public init(seq: Int64, eventId: String, stream: String, streamVersion: Int64, type: String,
                schemaVersion: Int64, effectiveOn: String, recordedAt: String, actor: EnvelopeActor,
                payload: String, prevHash: String, hash: String)
    {
        self.seq = seq
        self.eventId = eventId
        self.stream = stream
        self.streamVersion = streamVersion
        self.type = type
        self.schemaVersion = schemaVersion
        self.effectiveOn = effectiveOn
        self.recordedAt = recordedAt
        self.actor = actor
        self.payload = payload
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The envelope as a JSON value (for `--json` output).
    public func jsonValue() throws -> JSONValue {
        .object([
            "seq": .integer(seq), "eventId": .string(eventId), "stream": .string(stream),
            "streamVersion": .integer(streamVersion), "type": .string(type),
            "schemaVersion": .integer(schemaVersion), "effectiveOn": .string(effectiveOn),
            "recordedAt": .string(recordedAt), "actor": actor.jsonValue,
            "payload": try JSONParser.parse(payload), "prevHash": .string(prevHash), "hash": .string(hash),
        ])
    }
}

/// `{role, unit, name}`: the store keeps the words, the domain gives them meaning.
public struct EnvelopeActor: Sendable, Hashable {
    public var role: String
    public var unit: String
    public var name: String

    public init(role: String, unit: String, name: String) {
        self.role = role
        self.unit = unit
        self.name = name
    }

    public var jsonValue: JSONValue {
        .object(["role": .string(role), "unit": .string(unit), "name": .string(name)])
    }
}

/// An event offered for appending; the store assigns `seq`, `streamVersion`, the hashes and, unless
/// importing, `recordedAt`.
public struct PendingEvent: Sendable, Hashable {
    /// nil: the store generates one.
    public var eventId: String? {
        didSet { hashPrefix = Cached() }
    }
    public var stream: String
    public var type: String
    public var schemaVersion: Int64
    public var effectiveOn: String {
        didSet { hashPrefix = Cached() }
    }
    public var actor: EnvelopeActor {
        didSet { hashPrefix = Cached() }
    }
    public var payload: JSONValue {
        didSet {
            canonicalPayload = payload.canonicalString
            hashPrefix = Cached()
        }
    }
    /// The payload as the envelope will hold it, made where the event is made (an import's checking thread),
    /// not where it is sealed.
    public private(set) var canonicalPayload: String
    /// `HashChain.prefix` of this event's actor, effectiveOn, eventId and payload, where its check made it (an
    /// event with an id of its own): its sealing then hashes only the rest. Dropped when any of them is set.
    package private(set) var hashPrefix = Cached<HashPrefix>()
    /// Only `import` may carry one: the recording time of a migrated log.
    public var recordedAt: Timestamp?
    /// What an exported line claims its position was; the store refuses the line if its own differs.
    public var claimed: ClaimedPosition?

    public init(eventId: String? = nil, stream: String, type: String, schemaVersion: Int64, effectiveOn: String,
                actor: EnvelopeActor, payload: JSONValue, recordedAt: Timestamp? = nil,
                claimed: ClaimedPosition? = nil)
    {
        self.init(eventId: eventId, stream: stream, type: type, schemaVersion: schemaVersion, effectiveOn: effectiveOn,
                  actor: actor, payload: payload, canonicalPayload: payload.canonicalString, recordedAt: recordedAt,
                  claimed: claimed)
    }

    /// With the payload's canonical form already made (by a check that walked the payload for it anyway).
    package init(eventId: String?, stream: String, type: String, schemaVersion: Int64, effectiveOn: String,
                 actor: EnvelopeActor, payload: JSONValue, canonicalPayload: String, recordedAt: Timestamp?,
                 claimed: ClaimedPosition?)
    {
        assert(canonicalPayload == payload.canonicalString, "the payload's canonical form")
        self.eventId = eventId
        self.stream = stream
        self.type = type
        self.schemaVersion = schemaVersion
        self.effectiveOn = effectiveOn
        self.actor = actor
        self.payload = payload
        self.canonicalPayload = canonicalPayload
        self.recordedAt = recordedAt
        self.claimed = claimed
    }

    /// Feeds the chain hash the members this event has before it is sealed (see `hashPrefix`).
    package mutating func makeHashPrefix() {
        guard let eventId else { return }
        hashPrefix = Cached(HashChain.prefix(actor: actor, effectiveOn: effectiveOn, eventId: eventId, payload: canonicalPayload))
    }
}

/// A value kept beside others to spare making it again, which equality and hashing ignore.
public struct Cached<Value: Sendable>: Sendable, Hashable {
    public let value: Value?

    public init(_ value: Value? = nil) {
        self.value = value
    }

    public static func == (_: Self, _: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

/// The chain fields of an exported envelope, checked when it is imported again.
public struct ClaimedPosition: Sendable, Hashable {
    public var seq: Int64?
    public var streamVersion: Int64?
    public var prevHash: String?
    public var hash: String?

    public init(seq: Int64? = nil, streamVersion: Int64? = nil, prevHash: String? = nil, hash: String? = nil) {
        self.seq = seq
        self.streamVersion = streamVersion
        self.prevHash = prevHash
        self.hash = hash
    }
}
