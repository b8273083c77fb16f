import OutletDomain

/// Random histories that the rules accept: proposals are drawn at random and kept only if decided.
package struct RandomHistory {
    typealias H = GoldenHistory
    package let streams = [H.a, H.b, H.c, H.d]
    let decider = Decider(periods: ShippedData.periods)
    package var log: [(USCC, DomainEvent)] = []

    package init(seed: UInt64, attempts: Int = 200) {
        var random = SplitMix64(state: seed)
        var lastDate: [USCC: LocalDate] = [:]
        for _ in 0..<attempts {
            let uscc = streams.randomElement(using: &random)!
            let history = log.filter { $0.0 == uscc }.map(\.1)
            let state = InstitutionState.fold(Retractions.live(history), periods: decider.periods)
            let date = (lastDate[uscc] ?? LocalDate("2024-01-02")!).adding(days: Int.random(in: 0...60, using: &random))
            let seq = Int64(log.count + 1)
            for proposal in proposals(uscc, state: state, history: history, date: date, seq: seq, random: &random) {
                if (try? decider.decide(proposal, stream: uscc, history: history)) != nil {
                    log += proposal.map { (uscc, $0) }
                    if proposal[0].type != .retracted { lastDate[uscc] = proposal[0].effectiveOn }
                    break
                }
            }
        }
    }

    func proposals(_ uscc: USCC, state: InstitutionState, history: [DomainEvent], date: LocalDate, seq: Int64,
                   random: inout SplitMix64) -> [[DomainEvent]]
    {
        func event(_ type: EventType, _ payload: EventPayload, by actor: Actor = H.city, at offset: Int64 = 0) -> DomainEvent {
            DomainEvent(seq: seq + offset, type: type, effectiveOn: date, actor: actor, payload: payload)
        }
        let district = state.application?.district ?? "210103"
        var options: [[DomainEvent]] = [
            [event(.submitted, H.submitted(uscc, "机构", "university", "210103"), by: H.applicant(uscc))],
            [event(.recommended, H.recommended, by: H.district(district))],
            [event(.publicized, H.publicized("n-\(seq)"))],
            [event(.objection, H.payload(.objection, #"{"objectionId":"o-\#(seq)","raisedBy":{"name":"","contact":""},"grounds":"g"}"#), by: Actor(role: .public))],
            [event(.registered, H.registered)],
            [event(.annualSummaryFiled, H.summary(date.year - Int.random(in: 0...1, using: &random)), by: H.applicant(uscc))],
            [event(.rectificationOrdered, H.payload(.rectificationOrdered, #"{"reason":"r"}"#))],
            [event(.rectificationCompleted, H.payload(.rectificationCompleted, #"{"verification":"v"}"#))],
            [event(.revoked, H.payload(.revoked, #"{"ground":"failed-rectification","detail":"d"}"#))],
            [event(.revoked, H.payload(.revoked, #"{"ground":"illegal-activity","detail":"d"}"#)),
             event(.barred3Years, H.payload(.barred3Years, #"{"ground":"illegal-activity"}"#), at: 1)],
            [event(.renewed, H.payload(.renewed, #"{"reviewOpinion":"ok"}"#))],
            [event(.terminated, H.payload(.terminated, #"{"reason":"r","requestedOn":"2024-01-01","basis":"voluntary"}"#))],
            [event(.autoIncluded, H.included(uscc, "网点", "national"))],
            [event(.inclusionEnded, H.payload(.inclusionEnded, #"{"reason":"r"}"#))],
            [event(.superseded, H.payload(.superseded, #"{"designation":"tisc"}"#))],
            [event(.infoChanged, H.payload(.infoChanged, #"{"changes":{"name":"新名称\#(seq)"}}"#))],
        ]
        for stage in ["district", "review", "publicity"] {
            options.append([event(.declined, H.payload(.declined, #"{"stage":"\#(stage)","reason":"r"}"#))])
        }
        if let open = state.application?.openObjections.first {
            options.append([event(.objectionResolved, H.payload(.objectionResolved, #"{"objectionId":"\#(open.id)","outcome":"\#(Bool.random(using: &random) ? "upheld" : "dismissed")","reason":"r"}"#))])
        }
        if let lastValidDay = state.lastValidDay, state.isActive(on: date) {
            // Leap to the renewal window, or rarely, a renewal would be out of reach of random steps.
            let renewal = decider.periods.renewalWindowOpens(lastValidDay).adding(days: Int.random(in: 0...150, using: &random))
            options.append([DomainEvent(seq: seq, type: .renewed, effectiveOn: max(renewal, date), actor: H.city,
                                        payload: H.payload(.renewed, #"{"reviewOpinion":"ok"}"#))])
        }
        if let latest = Retractions.live(history).last {
            options.append([event(.retracted, H.payload(.retracted, #"{"targetSeq":\#(latest.seq),"reason":"r"}"#))])
        }
        options.shuffle(using: &random)
        return options
    }
}
