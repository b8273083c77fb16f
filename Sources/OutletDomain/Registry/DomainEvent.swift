/// An event as the rules read it: typed, dated, attributed, with its payload decoded.
public struct DomainEvent: Sendable {
    /// Global position; for a candidate, the one it will have if accepted.
    public let seq: Int64
    public let type: EventType
    public let effectiveOn: LocalDate
    public let actor: Actor
    public let payload: EventPayload
    /// The day the ledger records it (Asia/Shanghai): an act is never recorded before it takes effect.
    /// nil where only the fold reads the event.
    public let recordedOn: LocalDate?

    public init(seq: Int64, type: EventType, effectiveOn: LocalDate, actor: Actor, payload: EventPayload, recordedOn: LocalDate? = nil) {
        self.seq = seq
        self.type = type
        self.effectiveOn = effectiveOn
        self.actor = actor
        self.payload = payload
        self.recordedOn = recordedOn
    }
}

/// Corrections without rewriting history (DOMAIN.md §4 `retracted`).
public enum Retractions {
    /// The seqs the given events retract.
    public static func targets(_ events: [DomainEvent]) -> Set<Int64> {
        Set(events.compactMap { event in
            if case .retracted(let retraction) = event.payload { return Int64(retraction.targetSeq) }
            return nil
        })
    }

    /// The events that count: neither retracted nor retractions, in their order.
    public static func live(_ events: [DomainEvent]) -> [DomainEvent] {
        let retracted = targets(events)
        return events.filter { $0.type != .retracted && !retracted.contains($0.seq) }
    }
}

/// Why the Measures forbid an act: the article and the dates or values that decided it.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// A rule of the Measures forbids the act, or the offer cannot be an act at all (dated after it is
    /// recorded, naming another institution than its stream): both decided here, told apart at the edge.
    public enum Kind: Sendable, Equatable {
        /// A rule of the Measures on the act itself (its stage, dates, windows).
        case rule
        /// The "who" column (DOMAIN.md §4): this actor may not record this act for this institution.
        case actor
        /// Not an act at all.
        case input
    }

    public let article: String
    public let reason: String
    /// The proposed event refused, when several were proposed together.
    public var seq: Int64?
    public var kind: Kind = .rule

    public init(_ article: String, _ reason: String, seq: Int64? = nil) {
        self.article = article
        self.reason = reason
        self.seq = seq
    }

    /// A refusal by the "who" column: the actor may not record the act (its role, unit or district).
    public static func actor(_ article: String, _ reason: String) -> Refusal {
        var refusal = Refusal(article, reason)
        refusal.kind = .actor
        return refusal
    }

    /// An offer that cannot be an act, whatever the Measures say.
    public static func input(_ article: String, _ reason: String) -> Refusal {
        var refusal = Refusal(article, reason)
        refusal.kind = .input
        return refusal
    }

    public var description: String { "refused (\(article)): \(reason)" }
}
