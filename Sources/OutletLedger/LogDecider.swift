import OutletDomain
import OutletCore

/// An event of either kind of stream, as the rules read it.
enum DecidableEvent: Sendable {
    case institution(DomainEvent, stream: USCC)
    case reference(ReferenceEvent, seq: Int64, actor: Actor, effectiveOn: LocalDate, recordedOn: LocalDate?)

    var seq: Int64 {
        switch self {
        case .institution(let event, _): event.seq
        case .reference(_, let seq, _, _, _): seq
        }
    }
}

extension CheckedEvent {
    /// The event at `event` as the rules read it, sealed into the envelope at `envelope` (its seq and recording
    /// time). Read field by field in place: an event handed over as a value is copied whole first (its
    /// pending envelope too, a dozen reference counts) for the three fields read.
    static func decidable(_ event: UnsafePointer<CheckedEvent>, sealedAs envelope: UnsafePointer<Envelope>) -> DecidableEvent {
        let recordedOn = Timestamp(envelope.pointee.recordedAt)?.shanghaiDate
        switch event.pointee.act {
        case .institution(let type, let stream, let payload):
            return .institution(DomainEvent(seq: envelope.pointee.seq, type: type, effectiveOn: event.pointee.effectiveOn, actor: event.pointee.actor,
                                            payload: payload, recordedOn: recordedOn), stream: stream)
        case .reference(let reference):
            return .reference(reference, seq: envelope.pointee.seq, actor: event.pointee.actor, effectiveOn: event.pointee.effectiveOn,
                              recordedOn: recordedOn)
        }
    }
}

/// The rules applied to events in seq order, the same way when an append offers them and when
/// `verify` reads them back: reference data is decided and recorded as it comes, and each run of one
/// institution's consecutive events is decided against that institution's state, with the periods in
/// force at the run's position. (A run is the most one append could have offered together; what
/// depends on it is the Art. 19 pair, a revocation or decline and its bar, adjacent in one stream.)
struct LogDecider {
    /// Where an institution's state comes from the first time a pass meets it: its state after the
    /// events before `beforeSeq`, and, when `withHistory`, those events themselves (for a retraction).
    typealias StateSource = (_ stream: USCC, _ beforeSeq: Int64, _ withHistory: Bool) throws(LedgerError) -> (InstitutionState, [DomainEvent]?)

    var reference: ReferenceData
    /// Every publicity notice number so far (registry-wide, unlike the rest of the rules).
    var notices: PublicityNotices
    /// The periods where the chain records no policy yet: a new ledger's first append, or a ledger of
    /// format 2 opened read-only.
    let fallback: Periods
    let source: StateSource
    /// Each institution's state after the events decided so far.
    private(set) var states: [USCC: InstitutionState] = [:]
    /// Each institution's events decided in this pass, kept only where a later retraction may need them.
    private var decidedEvents: [USCC: [DomainEvent]] = [:]
    private let keepsDecidedEvents: Bool
    private(set) var warnings: [String] = []

    init(reference: ReferenceData, notices: PublicityNotices, fallback: Periods, keepsDecidedEvents: Bool,
         source: @escaping StateSource)
    {
        self.reference = reference
        self.notices = notices
        self.fallback = fallback
        self.keepsDecidedEvents = keepsDecidedEvents
        self.source = source
    }

    /// The periods in force at `seq`.
    func periods(atSeq seq: Int64) -> Periods {
        reference.periods(atSeq: seq) ?? fallback
    }

    /// Decides `events` (in seq order); a refusal is `refusedByRule` naming the event's seq and article.
    mutating func decide(_ events: [DecidableEvent]) throws(LedgerError) {
        var run: [DomainEvent] = []
        var runStream: USCC?
        for event in events {
            switch event {
            case .institution(let domainEvent, let stream):
                if let runStream, runStream != stream { try decideRun(run, stream: runStream); run.removeAll() }
                runStream = stream
                run.append(domainEvent)
                if case .publicized(let publicized) = domainEvent.payload {
                    do {
                        try notices.record(noticeNo: publicized.noticeNo, on: domainEvent.effectiveOn)
                    } catch {
                        throw LedgerError(.refusedByRule, error.reason, article: error.article, stream: stream.code, seq: domainEvent.seq)
                    }
                }
            case .reference(let referenceEvent, let seq, let actor, let effectiveOn, let recordedOn):
                if let runStream { try decideRun(run, stream: runStream); run.removeAll() }
                runStream = nil
                do {
                    try reference.record(referenceEvent, seq: seq, actor: actor, effectiveOn: effectiveOn, recordedOn: recordedOn)
                } catch {
                    throw LedgerError(refusal: error, stream: ReferenceStream.id, seq: seq)
                }
            }
        }
        if let runStream { try decideRun(run, stream: runStream) }
    }

    private mutating func decideRun(_ run: [DomainEvent], stream: USCC) throws(LedgerError) {
        let first = run[0].seq
        let needsHistory = run.contains { $0.type == .retracted }
        var state: InstitutionState
        var history: [DomainEvent]?
        if let known = states[stream] {
            // Met earlier in this pass: its state is here; its history, if needed, is the source's
            // (stored) events plus those this pass decided that the source does not hold yet.
            state = known
            if needsHistory { history = (try source(stream, first, true).1 ?? []) + (decidedEvents[stream] ?? []) }
        } else {
            (state, history) = try source(stream, first, needsHistory)
        }
        let decider = Decider(periods: periods(atSeq: first))
        do {
            let decision = try decider.decide(run, stream: stream, state: state, history: needsHistory ? (history ?? []) : nil)
            warnings += decision.warnings
            states[stream] = decision.state
            if keepsDecidedEvents { decidedEvents[stream, default: []] += run }
        } catch {
            // A rule names its article; an offer that cannot be an act is bad input, as the README's exit codes say.
            throw LedgerError(refusal: error, stream: stream.code, seq: error.seq ?? first)
        }
    }
}

extension LedgerError {
    /// A refusal by the domain: a rule names its article (the "who" column marked as such, for the doors
    /// that answer it apart); an offer that cannot be an act is bad input, as the README's exit codes say.
    init(refusal: Refusal, stream: String, seq: Int64) {
        switch refusal.kind {
        case .rule, .actor:
            self.init(.refusedByRule, refusal.reason, article: refusal.article, stream: stream, seq: seq)
            byActorRule = refusal.kind == .actor
        case .input:
            self.init(.invalidInput, refusal.reason, stream: stream, seq: seq)
        }
    }
}
