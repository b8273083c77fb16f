/// The rules of the Measures (DOMAIN.md §1, §3, §4): whether proposed events may be appended to an
/// institution's stream. Pure: the history, the policy and the holiday calendar come in as values.
public struct Decider: Sendable {
    public let periods: Periods
    public var policy: Policy { periods.policy }

    public init(periods: Periods) {
        self.periods = periods
    }

    /// What a decision leaves: warnings about period computations and the stream's state after it.
    public struct Decision: Sendable {
        public let warnings: [String]
        public let state: InstitutionState
    }

    /// Decides the events proposed for one stream in one call, in order, each against the state left by
    /// the stream's history and the proposals before it. Returns warnings about period computations;
    /// throws the first refusal. An Art. 19 revocation or decline must travel with its bar.
    public func decide(_ proposed: [DomainEvent], stream: USCC, history: [DomainEvent]) throws(Refusal) -> [String] {
        let state = InstitutionState.fold(Retractions.live(history), periods: periods)
        return try decide(proposed, stream: stream, state: state, history: history).warnings
    }

    /// The same, from the stream's state already folded (a cache of it); `history`, the stream's stored
    /// events, is needed only when a retraction is proposed (nil otherwise).
    public func decide(_ proposed: [DomainEvent], stream: USCC, state initial: InstitutionState,
                       history: [DomainEvent]?) throws(Refusal) -> Decision
    {
        precondition(history != nil || !proposed.contains { $0.type == .retracted }, "a retraction is decided on the stream's history")
        var all = history ?? []
        var state = initial
        var warnings: [String] = []
        var awaitingBar: (event: DomainEvent, ground: Barred3Years.Ground)?
        func refuse(_ refusal: Refusal, _ event: DomainEvent) -> Refusal {
            var located = refusal
            located.seq = event.seq
            return located
        }
        for event in proposed {
            do {
                try Self.checkAdmissible(event, stream: stream)
                try checkActor(event, stream: stream, state: state)
            } catch {
                throw refuse(error, event)
            }
            if let pending = awaitingBar {
                guard case .barred3Years(let bar) = event.payload else {
                    throw refuse(Self.unpairedArt19(pending.event), pending.event)
                }
                guard bar.ground == pending.ground, event.effectiveOn == pending.event.effectiveOn else {
                    throw refuse(Refusal("Art. 19", "barred-3-years must carry the ground (\(pending.ground.rawValue)) and date (\(pending.event.effectiveOn)) of the \(pending.event.type.rawValue) it follows"), event)
                }
                awaitingBar = nil
            } else if event.type == .barred3Years {
                throw refuse(Refusal("Art. 19", "barred-3-years is appended only in the same call as, right after, a revoked or declined on an Art. 19 ground"), event)
            }
            do {
                warnings += try decide(event, stream: stream, state: state, all: all)
            } catch {
                throw refuse(error, event)
            }
            awaitingBar = Self.art19Ground(of: event).map { (event, $0) }
            all.append(event)
            if event.type == .retracted {
                state = InstitutionState.fold(Retractions.live(all), periods: periods)
            } else {
                state.evolve(event, periods: periods)
            }
        }
        if let pending = awaitingBar { throw refuse(Self.unpairedArt19(pending.event), pending.event) }
        return Decision(warnings: warnings, state: state)
    }

    /// The bars the proposed events entail (Art. 19: 三年内不接受申请), where the caller asks the domain to
    /// derive them: after each revocation or decline on an Art. 19 ground that the next proposed event
    /// does not already bar, a `barred-3-years` on the same day with the same ground. The payloads are
    /// those of the proposed events in order (nil: not an institution's act); keyed by the index each follows.
    public static func entailedBars(_ proposed: [EventPayload?]) -> [Int: Barred3Years] {
        var bars: [Int: Barred3Years] = [:]
        for (index, payload) in proposed.enumerated() {
            guard let ground = payload.flatMap(art19Ground(of:)) else { continue }
            if index + 1 < proposed.count, case .barred3Years? = proposed[index + 1] { continue }
            bars[index] = Barred3Years(ground: ground)
        }
        return bars
    }

    /// Whether an act must be followed, in what the rules are offered with it, by its bar (Art. 19): what a
    /// caller that cuts a long log into pieces must not cut after.
    public static func awaitsItsBar(_ payload: EventPayload) -> Bool {
        art19Ground(of: payload) != nil
    }

    /// The bar ground an Art. 19 revocation or decline calls for.
    static func art19Ground(of event: DomainEvent) -> Barred3Years.Ground? {
        art19Ground(of: event.payload)
    }

    static func art19Ground(of payload: EventPayload) -> Barred3Years.Ground? {
        switch payload {
        case .revoked(let revoked): Barred3Years.Ground(rawValue: revoked.ground.rawValue)
        case .declined(let declined): declined.ground.flatMap { Barred3Years.Ground(rawValue: $0.rawValue) }
        default: nil
        }
    }

    static func unpairedArt19(_ event: DomainEvent) -> Refusal {
        Refusal("Art. 19", "a \(event.type.rawValue) on an Art. 19 ground must be followed, in the same call, by its barred-3-years (三年内不接受申请)")
    }

    /// What makes an offer an act of this stream at all (DOMAIN.md §2, §3): the institution it names is
    /// the stream's, and it is not recorded before it takes effect.
    static func checkAdmissible(_ event: DomainEvent, stream: USCC) throws(Refusal) {
        if let institution = event.payload.institution, institution.uscc != stream {
            throw .input("DOMAIN.md §2", "payload institution.uscc \(institution.uscc) differs from the stream \(stream)")
        }
        if let recordedOn = event.recordedOn, event.effectiveOn > recordedOn {
            throw .input("DOMAIN.md §3", "effectiveOn \(event.effectiveOn) is later than the recording date \(recordedOn) (Asia/Shanghai); acts are recorded once they take effect")
        }
    }

    /// One event, its actor already checked, against the state before it.
    func decide(_ event: DomainEvent, stream: USCC, state: InstitutionState, all: [DomainEvent]) throws(Refusal) -> [String] {
        if event.type != .retracted, let latest = state.latest, event.effectiveOn < latest.effectiveOn {
            throw Refusal("DOMAIN.md §3", "effectiveOn \(event.effectiveOn) is earlier than the stream's latest live event (seq \(latest.seq), effective \(latest.effectiveOn)); retract that event first to record an earlier act")
        }
        let rules = Rules(periods: periods, event: event, state: state)
        switch event.payload {
        case .submitted(let submitted): try rules.submitted(submitted)
        case .recommended: try rules.recommended()
        case .publicized: try rules.publicized()
        case .objection(let objection): return try rules.objection(objection)
        case .objectionResolved(let resolved): try rules.objectionResolved(resolved)
        case .registered: return try rules.registered()
        case .declined(let declined): try rules.declined(declined)
        case .infoChanged(let changed): try rules.infoChanged(changed)
        case .annualSummaryFiled(let summary): try rules.annualSummaryFiled(summary)
        case .rectificationOrdered: try rules.rectificationOrdered()
        case .rectificationCompleted: return try rules.rectificationCompleted()
        case .revoked(let revoked): return try rules.revoked(revoked)
        case .barred3Years: try rules.barred()
        case .renewed: try rules.renewed()
        case .terminated: try rules.requireActive("terminated")
        case .autoIncluded(let included): try rules.autoIncluded(included)
        case .inclusionEnded: try rules.inclusionEnded()
        case .superseded: try rules.requireActive("superseded")
        case .retracted(let retraction): try rules.retracted(retraction, stream: stream, all: all)
        }
        return []
    }
}
