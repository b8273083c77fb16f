/// An event as the fold reads it (`evolve`): its place, its day and, of its payload, only what the
/// state keeps. The rest of a payload (an application's team and cases, a summary's text, every
/// reason) is the rules' and the notices' business, so a replay need not read it: the ledger reads
/// these facts straight from the stored bytes, and `DomainEvent.folded` gives the same from a payload.
public struct FoldEvent: Sendable, Equatable {
    public let seq: Int64
    public let effectiveOn: LocalDate
    public let facts: Facts
    /// Worked out once, where the event is made: a getter switching over `facts` copied them for every
    /// projection that asked (a new application's strings retained and released on the folding core).
    public let type: EventType

    public init(seq: Int64, effectiveOn: LocalDate, facts: Facts) {
        self.seq = seq
        self.effectiveOn = effectiveOn
        type = facts.type
        self.facts = facts
    }

    /// One case per event type, with what `evolve` reads of its payload.
    public enum Facts: Sendable, Equatable {
        case submitted(Institution, serviceItems: [String])
        case recommended
        case publicized(noticeNo: String)
        case objection(id: String)
        case objectionResolved(id: String, outcome: ObjectionResolved.Outcome)
        case registered
        case declined
        case infoChanged(InfoChanged.Changes)
        case annualSummaryFiled(year: Int)
        case rectificationOrdered
        case rectificationCompleted
        case revoked(Revoked.Ground)
        case barred3Years(Barred3Years.Ground)
        case renewed
        case terminated
        case autoIncluded(AutoIncluded.Level, Institution, serviceItems: [String])
        case inclusionEnded
        case superseded(Superseded.Designation)
        case retracted(targetSeq: Int64)

        public var type: EventType {
            switch self {
            case .submitted: .submitted
            case .recommended: .recommended
            case .publicized: .publicized
            case .objection: .objection
            case .objectionResolved: .objectionResolved
            case .registered: .registered
            case .declined: .declined
            case .infoChanged: .infoChanged
            case .annualSummaryFiled: .annualSummaryFiled
            case .rectificationOrdered: .rectificationOrdered
            case .rectificationCompleted: .rectificationCompleted
            case .revoked: .revoked
            case .barred3Years: .barred3Years
            case .renewed: .renewed
            case .terminated: .terminated
            case .autoIncluded: .autoIncluded
            case .inclusionEnded: .inclusionEnded
            case .superseded: .superseded
            case .retracted: .retracted
            }
        }
    }
}

extension EventPayload {
    /// What the fold reads of this payload.
    public var facts: FoldEvent.Facts {
        switch self {
        case .submitted(let submitted): .submitted(submitted.institution, serviceItems: submitted.serviceItems)
        case .recommended: .recommended
        case .publicized(let publicized): .publicized(noticeNo: publicized.noticeNo)
        case .objection(let objection): .objection(id: objection.objectionId)
        case .objectionResolved(let resolved): .objectionResolved(id: resolved.objectionId, outcome: resolved.outcome)
        case .registered: .registered
        case .declined: .declined
        case .infoChanged(let changed): .infoChanged(changed.changes)
        case .annualSummaryFiled(let summary): .annualSummaryFiled(year: summary.year)
        case .rectificationOrdered: .rectificationOrdered
        case .rectificationCompleted: .rectificationCompleted
        case .revoked(let revoked): .revoked(revoked.ground)
        case .barred3Years(let barred): .barred3Years(barred.ground)
        case .renewed: .renewed
        case .terminated: .terminated
        case .autoIncluded(let included): .autoIncluded(included.level, included.institution, serviceItems: included.serviceItems)
        case .inclusionEnded: .inclusionEnded
        case .superseded(let superseded): .superseded(superseded.designation)
        case .retracted(let retraction): .retracted(targetSeq: Int64(retraction.targetSeq))
        }
    }
}

extension DomainEvent {
    /// The event as the fold reads it.
    public var folded: FoldEvent { FoldEvent(seq: seq, effectiveOn: effectiveOn, facts: payload.facts) }
}
