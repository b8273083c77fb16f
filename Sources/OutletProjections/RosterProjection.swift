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
        var entries: [RosterEntry] = []
        var keys: [(outletNo: String, uscc: String)] = []
        for (uscc, timeline) in timelines {
            guard let state = self.state(of: timeline, on: date), let institution = state.institution else { continue }
            // Only a registered or included standing can be on the roster: the full status is worked out for those alone.
            switch state.standing {
            case .registered, .included: break
            default: continue
            }
            let status = state.status(on: date, periods: periods)
            let level: RosterEntry.Level
            let since: LocalDate
            switch state.standing {
            case .registered(let on, _) where status.status == .active:
                level = .municipal
                since = on
            case .included(let included, let on):
                level = included == .national ? .national : .provincial
                since = on
            default:
                continue
            }
            let overdue = state.summaryYearsDue(through: date.adding(days: -1)).filter { !state.summaryYears.contains($0) }
            let number = outletNumber(of: state)
            keys.append((number ?? "~", uscc.code))
            entries.append(RosterEntry(
                uscc: uscc, outletNo: number, name: institution.name, category: institution.category,
                district: institution.district, address: institution.address, principal: institution.principal,
                contact: institution.contact, level: level, registeredOn: since, validThrough: status.validThrough,
                serviceItems: state.serviceItems, underRectification: status.rectificationDeadline != nil,
                rectificationDeadline: status.rectificationDeadline, overdueSummaries: overdue))
        }
        // Sorting positions by keys held apart: an entry is large, and a sort moves what it sorts. The keys
        // are ASCII, so their bytes order them as their characters do, without Unicode comparison.
        let order = keys.indices.sorted { a, b in
            keys[a].outletNo == keys[b].outletNo
                ? keys[a].uscc.utf8.lexicographicallyPrecedes(keys[b].uscc.utf8)
                : keys[a].outletNo.utf8.lexicographicallyPrecedes(keys[b].outletNo.utf8)
        }
        return order.map { entries[$0] }
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
        timelines.compactMap { uscc, timeline -> BanEntry? in
            guard let state = self.state(of: timeline, on: date), let bar = state.bar(on: date) else { return nil }
            return BanEntry(uscc: uscc, name: state.institution?.name ?? "", ground: bar.ground, from: bar.from, through: bar.through)
        }.sorted { ($0.from, $0.uscc) < ($1.from, $1.uscc) }
    }
}
