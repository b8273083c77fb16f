/// One institution as the fold of its live events (`evolve`): what it applied with, where its
/// application stands, whether and until when it is registered, its rectifications, summaries and bars.
///
/// Dates that depend only on the act are fixed here (the last valid day); deadlines that depend on
/// the holiday calendar are computed when asked, at the date asked.
public struct InstitutionState: Sendable {
    /// The institution as last recorded (application or inclusion, then info changes).
    public private(set) var institution: Institution?
    public private(set) var serviceItems: [String] = []
    /// The open application: the latest `submitted` not yet followed by `registered` or `declined`.
    public private(set) var application: Application?
    public private(set) var standing: Standing = .none
    /// The date an open rectification was ordered.
    public private(set) var rectificationOrderedOn: LocalDate?
    /// The spells the institution was on the roster, for annual summaries (Art. 18).
    public private(set) var rosterSpells: [RosterSpell] = []
    /// The years whose annual summary was filed.
    public private(set) var summaryYears: Set<Int> = []
    public private(set) var bars: [Bar] = []
    /// The newest live event: the ordering rule of DOMAIN.md §3 compares candidates with it.
    public private(set) var latest: (seq: Int64, effectiveOn: LocalDate)?

    public init() {}

    public struct Application: Sendable {
        public let submittedOn: LocalDate
        public let district: String
        public var recommendedOn: LocalDate?
        public var publicity: Publicity?
        /// In the order raised.
        public var objections: [ObjectionRecord] = []

        public var openObjections: [ObjectionRecord] { objections.filter { $0.outcome == nil } }
        public var hasUpheldObjection: Bool { objections.contains { $0.outcome == .upheld } }
    }

    public struct Publicity: Sendable {
        public let on: LocalDate
        public let noticeNo: String
    }

    public struct ObjectionRecord: Sendable {
        public let id: String
        public let raisedOn: LocalDate
        public var outcome: ObjectionResolved.Outcome?
    }

    public enum Standing: Sendable {
        case none
        case applying
        case declined(on: LocalDate)
        /// `validThrough` is the last valid day, moved by renewals.
        case registered(on: LocalDate, validThrough: LocalDate)
        case included(level: AutoIncluded.Level, on: LocalDate)
        case revoked(on: LocalDate, ground: Revoked.Ground)
        case terminated(on: LocalDate)
        case superseded(on: LocalDate, designation: Superseded.Designation)
        case inclusionEnded(on: LocalDate)
    }

    public struct RosterSpell: Sendable, Equatable {
        public let from: LocalDate
        /// nil while an inclusion lasts (it has no end date of its own).
        public var through: LocalDate?
    }

    public struct Bar: Sendable, Equatable {
        public let from: LocalDate
        public let through: LocalDate
        public let ground: Barred3Years.Ground
    }

    /// Registered and within validity on `date` (DOMAIN.md §4 "active").
    public func isActive(on date: LocalDate) -> Bool {
        if case .registered(let since, let validThrough) = standing { return since <= date && date <= validThrough }
        return false
    }

    public var isIncluded: Bool {
        if case .included = standing { return true }
        return false
    }

    public var lastValidDay: LocalDate? {
        if case .registered(_, let validThrough) = standing { return validThrough }
        return nil
    }

    /// The bar in force on `date`, if any (Art. 19).
    public func bar(on date: LocalDate) -> Bar? {
        bars.last { $0.from <= date && date <= $0.through }
    }

    /// On the roster some day of `year`, as known on `date`.
    public func wasOnRoster(in year: Int, asOf date: LocalDate) -> Bool {
        let first = LocalDate(year: year, month: 1, day: 1)!, last = LocalDate(year: year, month: 12, day: 31)!
        return rosterSpells.contains { spell in
            let end = min(spell.through ?? date, date)
            return spell.from <= last && end >= first && spell.from <= end
        }
    }

    /// The fold of live events, oldest first.
    public static func fold(_ events: some Sequence<DomainEvent>, periods: Periods) -> InstitutionState {
        var state = InstitutionState()
        for event in events { state.evolve(event, periods: periods) }
        return state
    }

    /// Applies one live, accepted event.
    public mutating func evolve(_ event: DomainEvent, periods: Periods) {
        let day = event.effectiveOn
        if event.type != .retracted { latest = (event.seq, day) }
        switch event.payload {
        case .submitted(let submitted):
            institution = submitted.institution
            serviceItems = submitted.serviceItems
            application = Application(submittedOn: day, district: submitted.institution.district)
            standing = .applying
        case .recommended:
            application?.recommendedOn = day
        case .publicized(let publicized):
            application?.publicity = Publicity(on: day, noticeNo: publicized.noticeNo)
        case .objection(let objection):
            application?.objections.append(ObjectionRecord(id: objection.objectionId, raisedOn: day))
        case .objectionResolved(let resolved):
            if let index = application?.objections.firstIndex(where: { $0.id == resolved.objectionId }) {
                application?.objections[index].outcome = resolved.outcome
            }
        case .registered:
            application = nil
            let validThrough = periods.validThrough(registeredOn: day)
            standing = .registered(on: day, validThrough: validThrough)
            rosterSpells.append(RosterSpell(from: day, through: validThrough))
        case .declined:
            application = nil
            standing = .declined(on: day)
        case .infoChanged(let changed):
            apply(changed.changes)
        case .annualSummaryFiled(let summary):
            summaryYears.insert(summary.year)
        case .rectificationOrdered:
            rectificationOrderedOn = day
        case .rectificationCompleted:
            rectificationOrderedOn = nil
        case .revoked(let revoked):
            leaveRoster(on: day)
            standing = .revoked(on: day, ground: revoked.ground)
        case .barred3Years(let barred):
            bars.append(Bar(from: day, through: periods.barredThrough(day), ground: barred.ground))
        case .renewed:
            if case .registered(let since, let validThrough) = standing {
                let renewed = periods.renewedThrough(validThrough)
                standing = .registered(on: since, validThrough: renewed)
                if !rosterSpells.isEmpty { rosterSpells[rosterSpells.count - 1].through = renewed }
            }
        case .terminated:
            leaveRoster(on: day)
            standing = .terminated(on: day)
        case .autoIncluded(let included):
            institution = included.institution
            serviceItems = included.serviceItems
            standing = .included(level: included.level, on: day)
            rosterSpells.append(RosterSpell(from: day, through: nil))
        case .inclusionEnded:
            leaveRoster(on: day)
            standing = .inclusionEnded(on: day)
        case .superseded(let superseded):
            leaveRoster(on: day)
            standing = .superseded(on: day, designation: superseded.designation)
        case .retracted:
            break
        }
    }

    /// The act takes effect on `day`: the outlet was on the roster through the day before.
    private mutating func leaveRoster(on day: LocalDate) {
        rectificationOrderedOn = nil
        guard !rosterSpells.isEmpty else { return }
        let last = rosterSpells.count - 1
        let dayBefore = day.adding(days: -1)
        rosterSpells[last].through = min(rosterSpells[last].through ?? dayBefore, dayBefore)
    }

    private mutating func apply(_ changes: InfoChanged.Changes) {
        if let items = changes.serviceItems { serviceItems = items }
        guard var changed = institution else { return }
        if let name = changes.name { changed.name = name }
        if let address = changes.address { changed.address = address }
        if let district = changes.district { changed.district = district }
        if let principal = changes.principal { changed.principal = principal }
        if let contact = changes.contact { changed.contact = contact }
        if let department = changes.department { changed.department = department }
        if let website = changes.website { changed.website = website }
        if let wechat = changes.wechat { changed.wechat = wechat }
        institution = changed
    }
}
