/// The "allowed only when" column of DOMAIN.md §4, one method per event type, each refusal naming
/// its article and the dates or values that decided it.
struct Rules {
    let periods: Periods
    let event: DomainEvent
    let state: InstitutionState

    var policy: Policy { periods.policy }
    var day: LocalDate { event.effectiveOn }

    /// The materials Art. 5 lists, by the kind names the payload uses.
    static let requiredMaterials = ["application-form", "license-copy", "service-rules", "work-report", "staff-credentials"]
    static let minimumFullTimeStaff = 3

    // MARK: Application (Art. 4–7)

    /// Art. 4(2): an outlet offers at least one service item, in at least one IP category and one mode;
    /// Art. 4(3): it has at least one patent or other IP database.
    static func checkServiceScope(serviceItems: [String], ipCategories: Int? = nil, serviceModes: Int? = nil,
                                  databases: Int? = nil) throws(Refusal)
    {
        guard !serviceItems.isEmpty else {
            throw Refusal("Art. 4(2)", "no service item is listed; an outlet offers at least one (公共服务事项)")
        }
        if let ipCategories, ipCategories == 0 {
            throw Refusal("Art. 4(2)", "no IP category is listed; the services cover at least one (专利、商标、地理标志…)")
        }
        if let serviceModes, serviceModes == 0 {
            throw Refusal("Art. 4(2)", "no service mode is listed; services are offered online, offline or both")
        }
        if let databases, databases == 0 {
            throw Refusal("Art. 4(3)", "no database is listed; an outlet has at least one patent or other IP database (检索数据库)")
        }
    }

    func submitted(_ submitted: Submitted) throws(Refusal) {
        let institution = submitted.institution
        guard policy.district(institution.district) != nil else {
            throw Refusal("Art. 4(1)", "district \(institution.district) is not in Shenyang; an outlet must be registered in one of its \(policy.districts.count) districts and counties")
        }
        try Self.checkServiceScope(serviceItems: submitted.serviceItems, ipCategories: submitted.ipCategories.count,
                                   serviceModes: submitted.serviceModes.count, databases: submitted.infrastructure.databases.count)
        let fullTime = submitted.team.filter(\.fullTime).count
        guard fullTime >= Self.minimumFullTimeStaff else {
            throw Refusal("Art. 4(1)", "the team has \(fullTime) full-time member\(fullTime == 1 ? "" : "s"); at least \(Self.minimumFullTimeStaff) are required (3名以上专职人员)")
        }
        let missing = Self.requiredMaterials.filter { !submitted.materials.contains($0) }
        guard missing.isEmpty else {
            throw Refusal("Art. 5", "materials lack \(missing.joined(separator: ", "))")
        }
        guard submitted.declaration.sealed else {
            throw Refusal("附件1 填表说明六", "the application form is not sealed and signed (否则视为无效申请)")
        }
        if let application = state.application {
            throw Refusal("Art. 6(1)", "an application submitted \(application.submittedOn) is still open; it must be registered or declined first")
        }
        if state.isActive(on: day), let validThrough = state.lastValidDay {
            throw Refusal("Art. 16", "the outlet is registered and valid through \(validThrough); it is renewed, not registered again")
        }
        if case .included(let level, let since) = state.standing {
            throw Refusal("Art. 7", "the institution is a \(level.rawValue) outlet included since \(since); it needs no application")
        }
        if case .superseded(let on, let designation) = state.standing {
            throw Refusal("Art. 7", "the institution was designated \(designation == .tisc ? "a TISC" : "a university IP information centre") on \(on) and is outside the municipal registry")
        }
        if let bar = state.bar(on: day) {
            throw Refusal("Art. 19", "the institution is barred from applying from \(bar.from) through \(bar.through) (\(bar.ground.rawValue)); an application is possible from \(bar.through.adding(days: 1))")
        }
    }

    func openApplication(_ act: String) throws(Refusal) -> InstitutionState.Application {
        guard let application = state.application else {
            throw Refusal(event.type.article, "there is no open application to \(act)")
        }
        return application
    }

    func recommended() throws(Refusal) {
        let application = try openApplication("recommend")
        if let on = application.recommendedOn {
            throw Refusal("Art. 6(2)", "the application was already recommended on \(on)")
        }
    }

    func publicized() throws(Refusal) {
        let application = try openApplication("publicize")
        guard application.recommendedOn != nil else {
            throw Refusal("Art. 6(2)", "the district bureau has not recommended the application; the city bureau reviews only recommended applications")
        }
        if let publicity = application.publicity {
            throw Refusal("Art. 6(3)", "the application was already publicized on \(publicity.on) under notice \(publicity.noticeNo)")
        }
    }

    func objection(_ objection: Objection) throws(Refusal) -> [String] {
        let application = try openApplication("object to")
        guard let publicity = application.publicity else {
            throw Refusal("Art. 6(3)", "the application has not been publicized; objections are raised during the publicity window")
        }
        let window = periods.publicityWindowEnd(publicity.on)
        guard day >= publicity.on, day <= window.date else {
            throw Refusal("Art. 6(3)", "the publicity window of notice \(publicity.noticeNo) ran \(publicity.on) to \(window.date); an objection on \(day) is outside it")
        }
        if application.objections.contains(where: { $0.id == objection.objectionId }) {
            throw Refusal("Art. 6(3)", "objection \(objection.objectionId) was already raised")
        }
        return window.warnings
    }

    func objectionResolved(_ resolved: ObjectionResolved) throws(Refusal) {
        let application = try openApplication("resolve an objection to")
        guard let objection = application.objections.first(where: { $0.id == resolved.objectionId }) else {
            throw Refusal("Art. 6(3)", "no objection \(resolved.objectionId) was raised against this application")
        }
        if let outcome = objection.outcome {
            throw Refusal("Art. 6(3)", "objection \(resolved.objectionId) was already resolved (\(outcome.rawValue))")
        }
    }

    func registered() throws(Refusal) -> [String] {
        let application = try openApplication("register")
        guard let publicity = application.publicity else {
            throw Refusal("Art. 6(3)", "the application has not been publicized; registration follows a 5-day publicity without objection")
        }
        let window = periods.publicityWindowEnd(publicity.on)
        guard day > window.date else {
            throw Refusal("Art. 6(3)", "the publicity window of notice \(publicity.noticeNo) ends \(window.date); registration is possible from \(window.date.adding(days: 1))")
        }
        if let open = application.openObjections.first {
            throw Refusal("Art. 6(3)", "objection \(open.id), raised \(open.raisedOn), is still open; it must be resolved first")
        }
        if application.hasUpheldObjection {
            throw Refusal("Art. 6(3)", "an objection was upheld (公示有异议); the application can only be declined")
        }
        return window.warnings
    }

    func declined(_ declined: Declined) throws(Refusal) {
        let application = try openApplication("decline")
        let stage: Declined.Stage = application.publicity != nil ? .publicity : application.recommendedOn != nil ? .review : .district
        guard declined.stage == stage else {
            throw Refusal("Art. 6", "the application is at the \(stage.rawValue) stage, not \(declined.stage.rawValue)")
        }
    }

    // MARK: Supervision (Art. 16–19)

    /// `treatment`: what is done to the outlet, e.g. "renewed", "ordered to rectify".
    func requireActive(_ treatment: String) throws(Refusal) {
        guard state.isActive(on: day) else {
            throw Refusal(event.type.article, "only a registered outlet within its validity can be \(treatment); \(describeStanding())")
        }
    }

    /// The standing in words, for refusals.
    func describeStanding() -> String {
        switch state.standing {
        case .registered(_, let validThrough) where day > validThrough: "its registration expired after \(validThrough)"
        case .registered(let since, _) where day < since: "it is registered only from \(since)"
        case .registered(_, let validThrough): "it is registered through \(validThrough)"
        case .none, .inclusionEnded: "it is not on the roster"
        case .applying: "it is still applying"
        case .declined(let on): "its application was declined on \(on)"
        case .included(let level, _): "it is a \(level.rawValue) outlet included under Art. 7, not registered"
        case .revoked(let on, _): "its registration was revoked on \(on)"
        case .terminated(let on): "its registration was terminated on \(on)"
        case .superseded(let on, _): "it was superseded on \(on)"
        }
    }

    func infoChanged(_ changed: InfoChanged) throws(Refusal) {
        guard state.isActive(on: day) || state.isIncluded else {
            throw Refusal("Art. 17", "only an outlet on the roster reports changes; \(describeStanding())")
        }
        if let items = changed.changes.serviceItems { try Self.checkServiceScope(serviceItems: items) }
        if let district = changed.changes.district, policy.district(district) == nil {
            throw Refusal("Art. 4(1)", "district \(district) is not in Shenyang; an outlet must stay registered in Shenyang")
        }
    }

    func annualSummaryFiled(_ summary: AnnualSummaryFiled) throws(Refusal) {
        guard summary.year <= day.year else {
            throw Refusal("Art. 18", "a summary of \(summary.year) cannot be filed in \(day.year), before the year it reports on")
        }
        guard state.wasOnRoster(in: summary.year, asOf: day) else {
            throw Refusal("Art. 18", "the institution was not on the roster any day of \(summary.year); it owes no summary for it")
        }
        guard !state.summaryYears.contains(summary.year) else {
            throw Refusal("Art. 18", "the summary of \(summary.year) was already filed; one is filed per year")
        }
    }

    func rectificationOrdered() throws(Refusal) {
        try requireActive("ordered to rectify")
        if let ordered = state.rectificationOrderedOn {
            throw Refusal("Art. 18", "a rectification ordered \(ordered) is still open (deadline \(periods.rectificationDeadline(ordered).date))")
        }
    }

    func rectificationCompleted() throws(Refusal) -> [String] {
        guard let ordered = state.rectificationOrderedOn else {
            throw Refusal("Art. 18", "no rectification is open")
        }
        let deadline = periods.rectificationDeadline(ordered)
        guard day <= deadline.date else {
            throw Refusal("Art. 18", "the rectification ordered \(ordered) was due by \(deadline.date); after it the outlet is revoked, not completed (到期仍不符合规定的，撤销备案)")
        }
        return deadline.warnings
    }

    func revoked(_ revoked: Revoked) throws(Refusal) -> [String] {
        try requireActive("revoked")
        guard revoked.ground == .failedRectification else { return [] }
        guard let ordered = state.rectificationOrderedOn else {
            throw Refusal("Art. 18", "revocation for failed rectification needs an open rectification; none is open")
        }
        let deadline = periods.rectificationDeadline(ordered)
        guard day > deadline.date else {
            throw Refusal("Art. 18", "the rectification ordered \(ordered) runs through \(deadline.date); revocation for failing it is possible from \(deadline.date.adding(days: 1))")
        }
        return deadline.warnings
    }

    func barred() throws(Refusal) {
        if let bar = state.bar(on: day) {
            throw Refusal("Art. 19", "a bar from \(bar.from) through \(bar.through) is already in force")
        }
    }

    func renewed() throws(Refusal) {
        try requireActive("renewed")
        guard let lastValidDay = state.lastValidDay else { return }
        let opens = periods.renewalWindowOpens(lastValidDay)
        guard day >= opens else {
            throw Refusal("Art. 16", "the registration is valid through \(lastValidDay); renewal may be recorded from \(opens)")
        }
    }

    // MARK: Inclusion (Art. 7)

    func autoIncluded(_ included: AutoIncluded) throws(Refusal) {
        try Self.checkServiceScope(serviceItems: included.serviceItems)
        if state.isActive(on: day) || state.isIncluded {
            throw Refusal("Art. 7", "the institution is already on the roster; \(describeStanding())")
        }
        if let application = state.application {
            throw Refusal("Art. 7", "its application submitted \(application.submittedOn) is open; an included outlet needs none, so decline it first")
        }
    }

    func inclusionEnded() throws(Refusal) {
        guard state.isIncluded else {
            throw Refusal("Art. 7", "only an included outlet's inclusion can end; \(describeStanding())")
        }
    }

    // MARK: Corrections

    func retracted(_ retraction: Retracted, stream: USCC, all: [DomainEvent]) throws(Refusal) {
        let target = Int64(retraction.targetSeq)
        guard let targeted = all.first(where: { $0.seq == target }) else {
            throw Refusal("correction", "seq \(target) is not an event of stream \(stream)")
        }
        guard targeted.type != .retracted else {
            throw Refusal("correction", "seq \(target) is itself a retraction; record the retracted act again instead")
        }
        guard !Retractions.targets(all).contains(target) else {
            throw Refusal("correction", "seq \(target) is already retracted")
        }
        if let latest = Retractions.live(all).last, latest.seq != target {
            throw Refusal("correction", "seq \(target) is not the stream's latest live event (seq \(latest.seq) is); retract newest first, one at a time")
        }
    }
}
