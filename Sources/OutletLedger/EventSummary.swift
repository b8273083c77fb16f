import OutletDomain

/// What an event changed, in a few words, for `history`.
public enum EventSummary {
    public static func describe(_ event: RecordedEvent, periods: Periods) -> String {
        let on = LocalDate(event.envelope.effectiveOn)!
        switch event.payload {
        case .submitted(let submitted):
            return "applied: \(submitted.institution.name), \(submitted.institution.category.chineseName), district \(submitted.institution.district)"
        case .recommended(let recommended): return "recommended: \(recommended.opinion)"
        case .publicized(let publicized):
            return "publicized under notice \(publicized.noticeNo); window ends \(periods.publicityWindowEnd(on).date)"
        case .objection(let objection): return "objection \(objection.objectionId): \(objection.grounds)"
        case .objectionResolved(let resolved): return "objection \(resolved.objectionId) \(resolved.outcome.rawValue): \(resolved.reason)"
        case .registered: return "registered; valid through \(periods.validThrough(registeredOn: on))"
        case .declined(let declined): return "declined at \(declined.stage.rawValue): \(declined.reason)" + (declined.ground.map { " (\($0.rawValue))" } ?? "")
        case .infoChanged(let changed):
            let changes = changed.changes
            let fields: [(String, Bool)] = [
                ("name", changes.name != nil), ("address", changes.address != nil), ("district", changes.district != nil),
                ("principal", changes.principal != nil), ("contact", changes.contact != nil), ("department", changes.department != nil),
                ("serviceItems", changes.serviceItems != nil), ("website", changes.website != nil), ("wechat", changes.wechat != nil),
            ]
            return "changed " + fields.filter(\.1).map(\.0).joined(separator: ", ")
        case .annualSummaryFiled(let summary): return "annual summary of \(summary.year) filed"
        case .rectificationOrdered(let ordered):
            return "rectification ordered: \(ordered.reason); due \(periods.rectificationDeadline(on).date)"
        case .rectificationCompleted: return "rectification completed"
        case .revoked(let revoked): return "revoked (\(revoked.ground.rawValue)): \(revoked.detail)"
        case .barred3Years(let barred): return "barred through \(periods.barredThrough(on)) (\(barred.ground.rawValue))"
        case .renewed: return "renewed"
        case .terminated(let terminated): return "terminated at its request of \(terminated.requestedOn): \(terminated.reason)"
        case .autoIncluded(let included): return "included as a \(included.level.rawValue) outlet (\(included.reference))"
        case .inclusionEnded(let ended): return "inclusion ended: \(ended.reason)"
        case .superseded(let superseded): return "superseded: designated \(superseded.designation.rawValue)"
        case .retracted(let retracted): return "retracted seq \(retracted.targetSeq): \(retracted.reason)"
        }
    }
}
