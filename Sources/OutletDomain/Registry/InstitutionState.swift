/// One institution as the fold of its live events (`evolve`): what it applied with, where its
/// application stands, whether and until when it is registered, its rectifications, summaries and bars.
///
/// Dates that depend only on the act are fixed here (the last valid day); deadlines that depend on
/// the holiday calendar are computed when asked, at the date asked.
public struct InstitutionState: Sendable {
    /// The institution as last recorded (application or inclusion, then info changes).
    public var institution: Institution? { recordedInstitution?.value }
    /// Its name, read without copying the rest of it.
    public var name: String? { recordedInstitution?.value.name }
    /// The box of that institution, the same object in every version until a change: snapshots key by it.
    /// Inlinable, so that reading it through a state's address does not copy the whole state for the call.
    @inlinable public var sharedInstitution: Shared<Institution>? { recordedInstitution }
    /// Shared by every version of a timeline until a change: a timeline keeps a state per event.
    @usableFromInline private(set) var recordedInstitution: Shared<Institution>?
    public private(set) var serviceItems: [String] = []
    /// The open application: the latest `submitted` not yet followed by `registered` or `declined`.
    public private(set) var application: Application?
    /// An application is open. Asked through one of its dates: `application != nil` copied the whole of it
    /// (its district and objections counted) for every roster entry and index row that asked.
    @inlinable public var hasOpenApplication: Bool { application?.submittedOn != nil }
    public private(set) var standing: Standing = .none
    /// The date an open rectification was ordered.
    public private(set) var rectificationOrderedOn: LocalDate?
    /// The spells the institution was on the roster, for annual summaries (Art. 18).
    public private(set) var rosterSpells: [RosterSpell] = [] {
        didSet { summaryYearBits = SummaryYearBits(spells: rosterSpells, filed: summaryYears) }
    }
    /// The years whose annual summary was filed, ascending: a handful per outlet, so an array (a set, hashed
    /// and allocated anew in every version that changes it, was an eighth of restoring a snapshot).
    public private(set) var summaryYears: [Int] = [] {
        didSet { summaryYearBits = SummaryYearBits(spells: rosterSpells, filed: summaryYears) }
    }
    /// The two above as bits, in the state itself: what a roster entry asks of them.
    public private(set) var summaryYearBits = SummaryYearBits()
    public private(set) var bars: [Bar] = []
    /// The newest live event: the ordering rule of DOMAIN.md §3 compares candidates with it.
    public private(set) var latest: (seq: Int64, effectiveOn: LocalDate)?
    /// Every registration, with how it ended: the calendar's validity ends and renewal windows.
    public private(set) var registrations: [RegistrationRecord] = []
    /// Every rectification order and whether it was completed: the calendar's deadlines.
    public private(set) var rectifications: [RectificationRecord] = []
    /// Every publicity date: the calendar's window ends.
    public private(set) var publicityDates: [LocalDate] = []
    /// The level of an included outlet (Art. 7).
    public var inclusionLevel: AutoIncluded.Level? {
        if case .included(let level, _) = standing { return level }
        return nil
    }

    public init() {}

    /// Where in a state lie the references to the parts a roster entry reads (the institution's box and the
    /// service items; the spells and filed years it asks through `summaryYearBits`), for a loop over many
    /// states to ask for them ahead: each is an object of its own on the heap, and a cache miss when its
    /// reference count moves. Two integers, not an array: an array read in that loop on every core is a
    /// reference count of its own that both cores move, one cache line passed between them for every entry.
    public static let entryPartOffsets: (institution: Int, serviceItems: Int)? = {
        guard let institution = MemoryLayout<InstitutionState>.offset(of: \.recordedInstitution),
              let serviceItems = MemoryLayout<InstitutionState>.offset(of: \.serviceItems)
        else { return nil }
        return (institution, serviceItems)
    }()

    public struct Application: Sendable, Equatable {
        public let submittedOn: LocalDate
        public let district: String

        public init(submittedOn: LocalDate, district: String) {
            self.submittedOn = submittedOn
            self.district = district
        }

        public var recommendedOn: LocalDate?
        public var publicity: Publicity?
        /// In the order raised.
        public var objections: [ObjectionRecord] = []

        public var openObjections: [ObjectionRecord] { objections.filter { $0.outcome == nil } }
        public var hasUpheldObjection: Bool { objections.contains { $0.outcome == .upheld } }
    }

    public struct Publicity: Sendable, Equatable {
        public let on: LocalDate
        public let noticeNo: String
    }

    public struct ObjectionRecord: Sendable, Equatable {
        public let id: String
        public let raisedOn: LocalDate
        public var outcome: ObjectionResolved.Outcome?
    }

    public enum Standing: Sendable, Equatable {
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

    public struct RegistrationRecord: Sendable, Equatable {
        /// The `registered` event's seq, which the outlet number is attached to.
        public let seq: Int64
        public let on: LocalDate
        public var validThrough: LocalDate
        /// Revoked, terminated or superseded on this day; nil if it runs (or ran) its course.
        public var endedOn: LocalDate?
    }

    public struct RectificationRecord: Sendable, Equatable {
        public let orderedOn: LocalDate
        public var completedOn: LocalDate?
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
        rosterYears(through: date).contains(year)
    }

    /// The years the institution was on the roster some day, up to `date`: each owes a summary (Art. 18).
    public func rosterYears(through date: LocalDate) -> [Int] {
        // Rarely more than a few spells: a sorted array without duplicates, no set.
        var years: [Int] = []
        for spell in rosterSpells {
            let end = min(spell.through ?? date, date)
            guard spell.from <= end else { continue }
            years.append(contentsOf: spell.from.year...end.year)
        }
        years.sort()
        var unique: [Int] = []
        for year in years where unique.last != year { unique.append(year) }
        return unique
    }

    /// On the roster on `date` as its spells stand (a registration's spell runs to its last valid day
    /// unless the outlet left earlier).
    public func isOnRoster(on date: LocalDate) -> Bool {
        rosterSpells.contains { $0.from <= date && ($0.through.map { date <= $0 } ?? true) }
    }

    /// The years whose annual summary is owed, up to `date`: those on whose 12-31 the outlet was on the
    /// roster (Art. 18; DOMAIN.md §3: an outlet that leaves owes nothing for the year it left).
    public func summaryYearsDue(through date: LocalDate) -> [Int] {
        var years: [Int] = []
        Self.forEachSummaryYearDue(spells: rosterSpells, through: date) { years.append($0) }
        return years
    }

    /// The years owed a summary up to `date` (`summaryYearsDue`) whose summary is not filed (Art. 18).
    public func unfiledSummaryYears(through date: LocalDate) -> YearSet {
        summaryYearBits.unfiled(through: date) ?? YearSet(Self.unfiledSummaryYears(spells: rosterSpells, filed: summaryYears, through: date))
    }

    /// `unfiledSummaryYears(through:)` of a state read where it lies (a roster entry, the calendar), to which a
    /// state passed to a call, or captured, is a copy of the whole of it first (a dozen reference counts, each a
    /// cache miss). The bits answer; the spells and filed years, objects of their own, are read only if not.
    @inline(__always)
    public static func unfiledSummaryYears(of state: UnsafePointer<InstitutionState>, through date: LocalDate) -> YearSet {
        state.pointee.summaryYearBits.unfiled(through: date)
            ?? YearSet(unfiledSummaryYears(spells: state.pointee.rosterSpells, filed: state.pointee.summaryYears, through: date))
    }

    /// The unfiled years from the spells and filed years themselves, without the years due as an array first.
    private static func unfiledSummaryYears(spells: [RosterSpell], filed: [Int], through date: LocalDate) -> [Int] {
        var unfiled: [Int] = []
        forEachSummaryYearDue(spells: spells, through: date) { year in
            if !filed.contains(year) { unfiled.append(year) }
        }
        return unfiled
    }

    /// The year of the last 12-31 on or before `date`: the last year whose summary can be owed through it.
    static func lastYearEnd(onOrBefore date: LocalDate) -> Int {
        date.month == 12 && date.day == 31 ? date.year : date.year - 1
    }

    /// Each year `summaryYearsDue` holds, once, in its order.
    private static func forEachSummaryYearDue(spells: [RosterSpell], through date: LocalDate, _ body: (Int) -> Void) {
        var previous: Int?
        for spell in spells {
            let end = min(spell.through ?? date, date)
            guard spell.from <= end else { continue }
            // Every 12-31 from the first year's to the year before the end's is in the spell; the end's own
            // only if the spell runs through it.
            let last = lastYearEnd(onOrBefore: end)
            guard spell.from.year <= last else { continue }
            for year in spell.from.year...last where previous != year {
                body(year)
                previous = year
            }
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
        evolve(event.folded, periods: periods)
    }

    /// Applies one live, accepted event, of which the fold reads only its facts. Consumed: a fold hands over
    /// an event it is done with, and the institution it records moves into the state rather than being copied.
    public mutating func evolve(_ event: consuming FoldEvent, periods: Periods) {
        let day = event.effectiveOn
        if event.type != .retracted { latest = (event.seq, day) }
        switch event.facts {
        case .submitted(let institution, let items):
            recordedInstitution = Shared(institution)
            serviceItems = items
            application = Application(submittedOn: day, district: institution.district)
            standing = .applying
        case .recommended:
            application?.recommendedOn = day
        case .publicized(let noticeNo):
            application?.publicity = Publicity(on: day, noticeNo: noticeNo)
            publicityDates.append(day)
        case .objection(let id):
            application?.objections.append(ObjectionRecord(id: id, raisedOn: day))
        case .objectionResolved(let id, let outcome):
            if let index = application?.objections.firstIndex(where: { $0.id == id }) {
                application?.objections[index].outcome = outcome
            }
        case .registered:
            application = nil
            let validThrough = periods.validThrough(registeredOn: day)
            standing = .registered(on: day, validThrough: validThrough)
            rosterSpells.append(RosterSpell(from: day, through: validThrough))
            registrations.append(RegistrationRecord(seq: event.seq, on: day, validThrough: validThrough))
        case .declined:
            application = nil
            standing = .declined(on: day)
        case .infoChanged(let changes):
            apply(changes)
        case .annualSummaryFiled(let year):
            // Where it goes in order; a year filed twice (the rules refuse it) is kept once.
            let at = summaryYears.firstIndex { $0 >= year } ?? summaryYears.endIndex
            if at == summaryYears.endIndex || summaryYears[at] != year { summaryYears.insert(year, at: at) }
        case .rectificationOrdered:
            rectificationOrderedOn = day
            rectifications.append(RectificationRecord(orderedOn: day))
        case .rectificationCompleted:
            rectificationOrderedOn = nil
            if !rectifications.isEmpty { rectifications[rectifications.count - 1].completedOn = day }
        case .revoked(let ground):
            leaveRoster(on: day)
            standing = .revoked(on: day, ground: ground)
        case .barred3Years(let ground):
            bars.append(Bar(from: day, through: periods.barredThrough(day), ground: ground))
        case .renewed:
            if case .registered(let since, let validThrough) = standing {
                let renewed = periods.renewedThrough(validThrough)
                standing = .registered(on: since, validThrough: renewed)
                if !rosterSpells.isEmpty { rosterSpells[rosterSpells.count - 1].through = renewed }
                if !registrations.isEmpty { registrations[registrations.count - 1].validThrough = renewed }
            }
        case .terminated:
            leaveRoster(on: day)
            standing = .terminated(on: day)
        case .autoIncluded(let level, let institution, let items):
            recordedInstitution = Shared(institution)
            serviceItems = items
            standing = .included(level: level, on: day)
            rosterSpells.append(RosterSpell(from: day, through: nil))
        case .inclusionEnded:
            leaveRoster(on: day)
            standing = .inclusionEnded(on: day)
        case .superseded(let designation):
            leaveRoster(on: day)
            standing = .superseded(on: day, designation: designation)
        case .retracted:
            break
        }
    }

    /// The act takes effect on `day`: the outlet was on the roster through the day before.
    private mutating func leaveRoster(on day: LocalDate) {
        rectificationOrderedOn = nil
        if case .registered = standing, !registrations.isEmpty { registrations[registrations.count - 1].endedOn = day }
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
        recordedInstitution = Shared(changed)
    }
}

extension InstitutionState {
    /// Everything a state holds, for snapshots: `InstitutionState(parts:)` gives back the same state.
    package struct Parts: Sendable {
        /// Shared between the versions of a timeline until the institution changes.
        package var institution: Shared<Institution>?
        package var serviceItems: [String]
        package var application: Application?
        package var standing: Standing
        package var rectificationOrderedOn: LocalDate?
        package var rosterSpells: [RosterSpell]
        package var summaryYears: [Int]
        package var bars: [Bar]
        package var latest: (seq: Int64, effectiveOn: LocalDate)?
        package var registrations: [RegistrationRecord]
        package var rectifications: [RectificationRecord]
        package var publicityDates: [LocalDate]
    }

    package var parts: Parts {
        Parts(institution: recordedInstitution, serviceItems: serviceItems, application: application, standing: standing,
              rectificationOrderedOn: rectificationOrderedOn, rosterSpells: rosterSpells, summaryYears: summaryYears,
              bars: bars, latest: latest, registrations: registrations, rectifications: rectifications,
              publicityDates: publicityDates)
    }

    /// This state holding `box` for its institution, the same value in another box: a timeline continued from
    /// a snapshot decodes boxes of its own, and made whole again it shares the snapshot's, as one fold would.
    package mutating func share(_ box: Shared<Institution>) {
        precondition(box.value == recordedInstitution?.value, "a box of the same institution")
        recordedInstitution = box
    }

    package init(parts: Parts) {
        recordedInstitution = parts.institution
        serviceItems = parts.serviceItems
        application = parts.application
        standing = parts.standing
        rectificationOrderedOn = parts.rectificationOrderedOn
        rosterSpells = parts.rosterSpells
        summaryYears = parts.summaryYears
        summaryYearBits = SummaryYearBits(spells: parts.rosterSpells, filed: parts.summaryYears)
        bars = parts.bars
        latest = parts.latest
        registrations = parts.registrations
        rectifications = parts.rectifications
        publicityDates = parts.publicityDates
    }
}

/// An immutable value behind one reference, so that copies of a state share it.
public final class Shared<Value: Sendable>: Sendable {
    public let value: Value

    public init(_ value: Value) {
        self.value = value
    }
}

extension Shared: Equatable where Value: Equatable {
    public static func == (lhs: Shared, rhs: Shared) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }
}

// Public initializers of the parts, for snapshots restoring a state.

extension InstitutionState.Publicity {
    package init(restoring on: LocalDate, noticeNo: String) {
        self.on = on
        self.noticeNo = noticeNo
    }
}

extension InstitutionState.ObjectionRecord {
    package init(restoring id: String, raisedOn: LocalDate, outcome: ObjectionResolved.Outcome?) {
        self.id = id
        self.raisedOn = raisedOn
        self.outcome = outcome
    }
}

extension InstitutionState.RosterSpell {
    package init(restoring from: LocalDate, through: LocalDate?) {
        self.from = from
        self.through = through
    }
}

extension InstitutionState.RegistrationRecord {
    package init(restoring seq: Int64, on: LocalDate, validThrough: LocalDate, endedOn: LocalDate?) {
        self.seq = seq
        self.on = on
        self.validThrough = validThrough
        self.endedOn = endedOn
    }
}

extension InstitutionState.RectificationRecord {
    package init(restoring orderedOn: LocalDate, completedOn: LocalDate?) {
        self.orderedOn = orderedOn
        self.completedOn = completedOn
    }
}

extension InstitutionState.Bar {
    package init(restoring from: LocalDate, through: LocalDate, ground: Barred3Years.Ground) {
        self.from = from
        self.through = through
        self.ground = ground
    }
}
