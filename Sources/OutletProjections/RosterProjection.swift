import OutletDomain

/// One outlet on the roster 名录 (Art. 6(4), 16) on a date.
///
/// Its institution and service items are read where the state it was worked out from lies, in the timelines
/// of the projection that built it, and `holder` keeps that projection: a projection's storage is never changed
/// in place while another value holds it, so what the entry reads stays as it was. Held by the entry itself,
/// the institution's box and the items' array were two reference counts per entry, each a cache miss when the
/// roster was built and again when it was freed — most of a held roster's time. A holder is one object per
/// share of a roster, in the cache of the core that builds the share.
public struct RosterEntry: @unchecked Sendable, Equatable {
    public enum Level: String, Sendable {
        case municipal, provincial, national
    }

    public let uscc: USCC
    /// nil for an outlet included under Art. 7.
    public let outletNo: String?
    /// The box of the institution as its state records it, borrowed (`holder` keeps it): not even touched
    /// while the roster is built. Each field below is read from the box itself: a computed `Institution`
    /// between would copy the whole of it (a dozen strings' reference counts) for every field read.
    fileprivate let recorded: Unmanaged<Shared<Institution>>
    public var name: String { recorded.takeUnretainedValue().value.name }
    public var category: Category { recorded.takeUnretainedValue().value.category }
    public var district: String { recorded.takeUnretainedValue().value.district }
    public var address: String { recorded.takeUnretainedValue().value.address }
    public var principal: Principal { recorded.takeUnretainedValue().value.principal }
    public var contact: Contact { recorded.takeUnretainedValue().value.contact }
    public let level: Level
    /// The registration date, or the inclusion date of an included outlet.
    public let registeredOn: LocalDate
    /// The last valid day; nil for an included outlet.
    public let validThrough: LocalDate?
    public var serviceItems: [String] { state.pointee.serviceItems }
    public let underRectification: Bool
    public let rectificationDeadline: LocalDate?
    /// Past years on the roster without an annual summary (Art. 18: due 12-31 of each year).
    public let overdueSummaries: YearSet
    /// The state the entry was worked out from, where it lies: `holder` keeps it.
    fileprivate let state: UnsafePointer<InstitutionState>
    /// What keeps `state` (and so `recorded`) where it lies and as it is. Nil only for an entry written and
    /// dropped within the call that read its state (a roster's JSON, written as it is read).
    fileprivate let holder: AnyObject?

    public static func == (left: RosterEntry, right: RosterEntry) -> Bool {
        left.uscc == right.uscc && left.outletNo == right.outletNo && left.level == right.level
            && left.registeredOn == right.registeredOn && left.validThrough == right.validThrough
            && left.underRectification == right.underRectification && left.rectificationDeadline == right.rectificationDeadline
            && left.overdueSummaries == right.overdueSummaries && left.recorded.takeUnretainedValue() == right.recorded.takeUnretainedValue()
            && left.serviceItems == right.serviceItems
    }
}

/// What keeps the states a share of roster entries read where they lie: the projection they were read from,
/// held and never read.
private final class ProjectionHolder: Sendable {
    let projection: RegistryProjection

    init(_ projection: RegistryProjection) {
        self.projection = projection
    }
}

/// A state copied out for one entry, which owns it: one not held in a timeline of the projection (decoded
/// alone from a snapshot, or reached through its array where the slot's layout is not the one checked).
private final class StateHolder: @unchecked Sendable {
    let state: UnsafeMutablePointer<InstitutionState>

    init(copying state: UnsafePointer<InstitutionState>) {
        self.state = .allocate(capacity: 1)
        self.state.initialize(to: state.pointee)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }
}

/// The roster on a date in its order, before any entry is built: which version of which outlet stands in
/// each place. Worked out once for a basis (a date, a seq), it serves every page of that basis and its
/// digest; a reader keeps it (`Ledger`'s memo) so that the next page costs its own entries alone.
public struct RosterOrder: Sendable {
    let places: [VersionIndex.Winner]
    /// The basis it was worked out for: it is read only with a projection of that date and seq.
    fileprivate let date: LocalDate
    fileprivate let knownAt: Int64

    /// How many outlets are on the roster.
    public var count: Int { places.count }
}

extension RegistryProjection {
    /// The institutions active or included on `date`, registered outlets by number, then included ones.
    public func roster(on date: LocalDate) -> [RosterEntry] {
        roster(rosterOrder(on: date), on: date, offset: 0, limit: .max)
    }

    /// Entries `offset ..< offset + limit` of the roster on `date` (fewer at its end), and how many it has:
    /// the order is worked out for all, the entries built for the page alone.
    public func roster(on date: LocalDate, offset: Int, limit: Int) -> (entries: [RosterEntry], total: Int) {
        let order = rosterOrder(on: date)
        return (roster(order, on: date, offset: offset, limit: limit), order.count)
    }

    /// Entries `offset ..< offset + limit` of `order` (fewer at its end), which was worked out for this basis.
    /// A long run of them is built in shares on every core: each entry reads its own state, and memory
    /// latency, not arithmetic, is what an entry costs.
    public func roster(_ order: RosterOrder, on date: LocalDate, offset: Int, limit: Int) -> [RosterEntry] {
        checkBasis(of: order, on: date)
        let range = (offset..<(offset + min(limit, Int.max - offset))).clamped(to: 0..<order.count)
        return elementsInShares(range.count, of: Self.itemsPerShare, sharing: { ProjectionHolder(self) }) { offset, holder in
            let place = range.lowerBound + offset
            // The versions alone: the entry reads its state's own words, not the objects it refers to.
            prefetchStates(of: order.places, ahead: place, before: range.upperBound, parts: false)
            return entry(at: order.places[place], on: date, heldBy: holder)
        }
    }

    func checkBasis(of order: RosterOrder, on date: LocalDate) {
        precondition(order.date == date && order.knownAt == knownAt, "a roster order is read at its own basis")
    }

    /// The roster on `date` in its order: registered outlets by number, then included ones, each by USCC.
    /// Members and order come from the version index's columns; the full status is worked out for an entry.
    public func rosterOrder(on date: LocalDate) -> RosterOrder {
        RosterOrder(places: index.roster(on: date, knownAt: knownAt), date: date, knownAt: knownAt)
    }

    /// The entry at `place`, its state kept by `holder` (a holder of this projection; nil: the entry is dropped
    /// within the caller's call). A state no timeline of this projection holds is copied out for the entry.
    func entry(at place: VersionIndex.Winner, on date: LocalDate, heldBy holder: AnyObject?) -> RosterEntry {
        let number = index.outletNumber(of: place)
        // Built straight from the state where it lies: built in `withState`'s closure, the entry was copied out
        // of it and the first destroyed (six reference counts more).
        if let state = stateInPlace(at: place) {
            return entry(index.institutions[Int(place.institution)], state, outletNo: number, on: date, heldBy: holder)
        }
        return withState(at: place) { uscc, state in
            let copy = StateHolder(copying: state)
            return entry(uscc, UnsafePointer(copy.state), outletNo: number, on: date, heldBy: copy)
        }
    }

    /// The entry of an outlet the index put on the roster on `date`, under `outletNo` (nil: included), its
    /// state read where it lies, field by field, its place on the roster from the standing's values
    /// (`RosterPlace`): `status(on:periods:)`, which the compiler cannot see into, took a copy of the whole state
    /// first, and each of the state's parts' reference counts was a cache miss of its own. One body for the
    /// three ways `entry(at:)` reaches a state, not inlined into each.
    @inline(never)
    private func entry(_ uscc: USCC, _ state: UnsafePointer<InstitutionState>, outletNo number: String?, on date: LocalDate,
                       heldBy holder: AnyObject?) -> RosterEntry {
        guard let place = RosterPlace(state.pointee.standing, applying: state.pointee.hasOpenApplication), place.holds(on: date),
              let institution = state.pointee.sharedInstitution.map(Unmanaged.passUnretained)
        else { preconditionFailure("a place on the roster is an outlet's") }
        let level: RosterEntry.Level, since: LocalDate, rectificationDeadline: LocalDate?
        switch place {
        case .registered(let on, _):
            (level, since) = (.municipal, on)
            // Art. 18: only an outlet in force is ordered to rectify.
            rectificationDeadline = state.pointee.rectificationOrderedOn.map { periods.rectificationDeadline($0).date }
        case .included(let included, let on):
            (level, since, rectificationDeadline) = (included == .national ? .national : .provincial, on, nil)
        }
        let overdue = InstitutionState.unfiledSummaryYears(of: state, through: date.adding(days: -1))
        // The memberwise initializer: one written out built the entry on the stack and copied it out, and the
        // compiler kept the copy (its reference counts and their undoing, per entry).
        return RosterEntry(
            uscc: uscc, outletNo: number, recorded: institution, level: level, registeredOn: since, validThrough: place.validThrough,
            underRectification: rectificationDeadline != nil, rectificationDeadline: rectificationDeadline, overdueSummaries: overdue,
            state: state, holder: holder)
    }
}

/// An institution barred on a date (Art. 19).
public struct BanEntry: Sendable, Equatable {
    public var uscc: USCC
    public var name: String
    public var ground: Barred3Years.Ground
    public var from: LocalDate
    public var through: LocalDate
}

extension RegistryProjection {
    /// The institutions barred from applying on `date`, by the bar's first day.
    public func bans(on date: LocalDate) -> [BanEntry] {
        var bans: [BanEntry] = []
        forEachState(on: date, marked: .barred) { _, uscc, state in
            guard let bar = state.bar(on: date) else { return }
            bans.append(BanEntry(uscc: uscc, name: state.name ?? "", ground: bar.ground, from: bar.from, through: bar.through))
        }
        return bans.sorted { ($0.from, $0.uscc) < ($1.from, $1.uscc) }
    }
}
