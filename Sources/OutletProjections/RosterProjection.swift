import OutletDomain

/// One outlet on the roster 名录 (Art. 6(4), 16) on a date.
public struct RosterEntry: Sendable, Equatable {
    public enum Level: String, Sendable {
        case municipal, provincial, national
    }

    public var uscc: USCC
    /// nil for an outlet included under Art. 7.
    public var outletNo: String?
    /// The institution as its state records it, shared rather than copied: copied, its dozen strings were
    /// a dozen reference counts per entry, each a cache miss, and most of what an entry cost.
    fileprivate let recorded: Shared<Institution>
    public var name: String { recorded.value.name }
    public var category: Category { recorded.value.category }
    public var district: String { recorded.value.district }
    public var address: String { recorded.value.address }
    public var principal: Principal { recorded.value.principal }
    public var contact: Contact { recorded.value.contact }
    public var level: Level
    /// The registration date, or the inclusion date of an included outlet.
    public var registeredOn: LocalDate
    /// The last valid day; nil for an included outlet.
    public var validThrough: LocalDate?
    public var serviceItems: [String]
    public var underRectification: Bool
    public var rectificationDeadline: LocalDate?
    /// Past years on the roster without an annual summary (Art. 18: due 12-31 of each year).
    public var overdueSummaries: YearSet
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
        return elementsInShares(range.count, of: Self.itemsPerShare) { offset in
            let place = range.lowerBound + offset
            prefetchStates(of: order.places, ahead: place, before: range.upperBound)
            return entry(at: order.places[place], on: date)
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

    func entry(at place: VersionIndex.Winner, on date: LocalDate) -> RosterEntry {
        let number = index.outletNumber(of: place)
        // Built straight from the state where it lies: built in `withState`'s closure, the entry was copied out
        // of it and the first destroyed (six reference counts more).
        if let state = stateInPlace(at: place) { return entry(index.institutions[Int(place.institution)], state, outletNo: number, on: date) }
        return withState(at: place) { uscc, state in entry(uscc, state, outletNo: number, on: date) }
    }

    /// The entry of an outlet the index put on the roster on `date`, under `outletNo` (nil: included), its
    /// state read where it lies, field by field, its place on the roster from the standing's values
    /// (`RosterPlace`): `status(on:periods:)`, which the compiler cannot see into, took a copy of the whole state
    /// first, and each of the state's parts' reference counts was a cache miss of its own.
    @inline(never)
    private func entry(_ uscc: USCC, _ state: UnsafePointer<InstitutionState>, outletNo number: String?, on date: LocalDate) -> RosterEntry {
        guard let place = RosterPlace(state.pointee.standing, applying: state.pointee.hasOpenApplication), place.holds(on: date),
              let institution = state.pointee.sharedInstitution
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
        // compiler kept the copy (its three reference counts and their undoing, per entry).
        return RosterEntry(
            uscc: uscc, outletNo: number, recorded: institution, level: level, registeredOn: since, validThrough: place.validThrough,
            serviceItems: state.pointee.serviceItems, underRectification: rectificationDeadline != nil,
            rectificationDeadline: rectificationDeadline, overdueSummaries: overdue)
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
