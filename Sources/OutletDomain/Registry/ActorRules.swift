/// Who may record which act (DOMAIN.md §1 and the "who" column of §4).
extension Decider {
    /// The "who" column: the roles that may record `type` (the pages offer a form only to these).
    public static func allowedRoles(_ type: EventType) -> Set<Actor.Role> {
        switch type {
        case .submitted: [.applicant, .districtBureau]
        case .recommended: [.districtBureau]
        case .objection: [.public, .applicant, .districtBureau, .cityBureau]
        case .declined: [.districtBureau, .cityBureau]
        case .infoChanged: [.applicant, .cityBureau]
        case .annualSummaryFiled: [.applicant]
        case .publicized, .objectionResolved, .registered, .rectificationOrdered, .rectificationCompleted, .revoked,
             .barred3Years, .renewed, .terminated, .autoIncluded, .inclusionEnded, .superseded, .retracted:
            [.cityBureau]
        }
    }

    func checkActor(_ event: DomainEvent, stream: USCC, state: InstitutionState) throws(Refusal) {
        let actor = event.actor
        let article = event.type.article
        let allowed = Self.allowedRoles(event.type)
        guard allowed.contains(actor.role) else {
            let names = Actor.Role.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: " or ")
            throw .actor(article, "\(event.type.rawValue) is recorded by \(names), not by \(actor.role.rawValue)")
        }
        switch actor.role {
        case .applicant:
            guard actor.unit == stream.code else {
                throw .actor(article, "an applicant acts for itself: actor unit \"\(actor.unit)\" must be the stream's USCC \(stream)")
            }
        case .cityBureau:
            guard actor.unit == policy.cityBureauUnit else {
                throw .actor("Art. 3", "the city bureau's unit is \(policy.cityBureauUnit), not \"\(actor.unit)\"")
            }
        case .districtBureau:
            guard policy.district(actor.unit) != nil else {
                throw .actor("Art. 6(2)", "district bureau unit \"\(actor.unit)\" is not a district of Shenyang")
            }
            let district: String? = switch event.payload {
            case .submitted(let submitted): submitted.institution.district
            default: state.application?.district ?? state.institution?.district
            }
            if let district, district != actor.unit {
                let name = policy.district(district)?.name ?? district
                throw .actor("Art. 6(2)", "the applicant is in \(name) (\(district)); the district bureau \(actor.unit) does not act for it")
            }
            if event.type == .declined, state.application?.recommendedOn != nil {
                throw .actor("Art. 6(2)", "the district bureau declines only before recommending; once recommended, the city bureau decides")
            }
        case .public, .system:
            break
        }
    }
}
