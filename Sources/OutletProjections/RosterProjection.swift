import OutletDomain

/// One outlet on the roster 名录 (Art. 6(4), 16) on a date.
public struct RosterEntry: Sendable, Equatable {
    public enum Level: String, Sendable {
        case municipal, provincial, national
    }

    public var uscc: USCC
    /// nil for an outlet included under Art. 7.
    public var outletNo: String?
    public var name: String
    public var category: Category
    public var district: String
    public var address: String
    public var principal: Principal
    public var contact: Contact
    public var level: Level
    /// The registration date, or the inclusion date of an included outlet.
    public var registeredOn: LocalDate
    /// The last valid day; nil for an included outlet.
    public var validThrough: LocalDate?
    public var serviceItems: [String]
    public var underRectification: Bool
    public var rectificationDeadline: LocalDate?
    /// Past years on the roster without an annual summary (Art. 18: due 12-31 of each year).
    public var overdueSummaries: [Int]
}

extension RegistryProjection {
    /// The institutions active or included on `date`, registered outlets by number, then included ones.
    public func roster(on date: LocalDate) -> [RosterEntry] {
        let places = rosterPlaces(on: date)
        return places.map { entry(at: $0, on: date) }
    }

    /// Entries `offset ..< offset + limit` of the roster on `date` (fewer at its end), and how many it has:
    /// the order is worked out for all, the entries built for the page alone.
    public func roster(on date: LocalDate, offset: Int, limit: Int) -> (entries: [RosterEntry], total: Int) {
        let places = rosterPlaces(on: date)
        let page = places.dropFirst(offset).prefix(limit)
        return (page.map { entry(at: $0, on: date) }, places.count)
    }

    /// An outlet's place on the roster before its entry is built: what orders it, and what the entry reads.
    private struct RosterPlace {
        let uscc: USCC
        let outletNo: String?
        let level: RosterEntry.Level
        let since: LocalDate
        let status: StatusReport
        let state: InstitutionState
        let institution: Institution
    }

    /// The roster on `date` in its order: registered outlets by number, then included ones, each by USCC.
    private func rosterPlaces(on date: LocalDate) -> [RosterPlace] {
        var places: [RosterPlace] = []
        // Only a registered or included standing can be on the roster: the full status is worked out for those alone.
        forEachState(on: date, marked: .rosterStanding) { uscc, state in
            guard let institution = state.institution else { return }
            let status = state.status(on: date, periods: periods)
            switch state.standing {
            case .registered(let on, _) where status.status == .active:
                places.append(RosterPlace(uscc: uscc, outletNo: outletNumber(of: state), level: .municipal, since: on, status: status,
                                          state: state, institution: institution))
            case .included(let included, let on):
                places.append(RosterPlace(uscc: uscc, outletNo: nil, level: included == .national ? .national : .provincial, since: on,
                                          status: status, state: state, institution: institution))
            default:
                return
            }
        }
        // Sorting positions by keys held apart: a place is large, and a sort moves what it sorts. The keys
        // are ASCII, so their bytes order them as their characters do, without Unicode comparison.
        let keys = places.map { (outletNo: $0.outletNo ?? "~", uscc: $0.uscc.code) }
        let order = keys.indices.sorted { a, b in
            keys[a].outletNo == keys[b].outletNo
                ? keys[a].uscc.utf8.lexicographicallyPrecedes(keys[b].uscc.utf8)
                : keys[a].outletNo.utf8.lexicographicallyPrecedes(keys[b].outletNo.utf8)
        }
        return order.map { places[$0] }
    }

    private func entry(at place: RosterPlace, on date: LocalDate) -> RosterEntry {
        let state = place.state, institution = place.institution, status = place.status
        let overdue = state.summaryYearsDue(through: date.adding(days: -1)).filter { !state.summaryYears.contains($0) }
        return RosterEntry(
            uscc: place.uscc, outletNo: place.outletNo, name: institution.name, category: institution.category,
            district: institution.district, address: institution.address, principal: institution.principal,
            contact: institution.contact, level: place.level, registeredOn: place.since, validThrough: status.validThrough,
            serviceItems: state.serviceItems, underRectification: status.rectificationDeadline != nil,
            rectificationDeadline: status.rectificationDeadline, overdueSummaries: overdue)
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
        forEachState(on: date, marked: .barred) { uscc, state in
            guard let bar = state.bar(on: date) else { return }
            bans.append(BanEntry(uscc: uscc, name: state.institution?.name ?? "", ground: bar.ground, from: bar.from, through: bar.through))
        }
        return bans.sorted { ($0.from, $0.uscc) < ($1.from, $1.uscc) }
    }
}
