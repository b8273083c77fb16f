import CanonicalJSON
import OutletDomain

/// The bureau's statistics on a date (Art. 10: 配合好知识产权管理部门统计工作).
public struct Statistics: Sendable, Equatable {
    public var outletsByCategory: [Category: Int] = [:]
    public var outletsByDistrict: [String: Int] = [:]
    public var outletsByLevel: [RosterEntry.Level: Int] = [:]
    public var applicationsByStage: [StatusReport.Stage: Int] = [:]
    /// For each year whose summaries were due by the date: how many were owed and how many filed (Art. 18).
    public var summaries: [(year: Int, owed: Int, filed: Int)] = []
    public var revocationsByYear: [Int: Int] = [:]
    public var barsByYear: [Int: Int] = [:]

    public static func == (lhs: Statistics, rhs: Statistics) -> Bool {
        lhs.jsonValue == rhs.jsonValue
    }

    public var jsonValue: JSONValue {
        func counts<Key>(_ values: [Key: Int], _ name: (Key) -> String) -> JSONValue {
            .object(JSONObject(values.map { (name($0.key), JSONValue.integer(Int64($0.value))) }))
        }
        return .object([
            "outletsByCategory": counts(outletsByCategory, \.rawValue),
            "outletsByDistrict": counts(outletsByDistrict) { $0 },
            "outletsByLevel": counts(outletsByLevel, \.rawValue),
            "applicationsByStage": counts(applicationsByStage, \.rawValue),
            "summaries": .array(summaries.map { ["year": .integer(Int64($0.year)), "owed": .integer(Int64($0.owed)), "filed": .integer(Int64($0.filed))] }),
            "revocationsByYear": counts(revocationsByYear) { String($0) },
            "barsByYear": counts(barsByYear) { String($0) },
        ])
    }
}

extension RegistryProjection {
    public func statistics(on date: LocalDate) -> Statistics {
        var statistics = Statistics()
        for entry in roster(on: date) {
            statistics.outletsByCategory[entry.category, default: 0] += 1
            statistics.outletsByDistrict[entry.district, default: 0] += 1
            statistics.outletsByLevel[entry.level, default: 0] += 1
        }
        var owed: [Int: Int] = [:], filed: [Int: Int] = [:]
        for timeline in timelines {
            guard let state = self.state(of: timeline, on: date) else { continue }
            if let stage = state.status(on: date, periods: periods).stage {
                statistics.applicationsByStage[stage, default: 0] += 1
            }
            for year in state.summaryYearsDue(through: date.adding(days: -1)) {
                owed[year, default: 0] += 1
                if state.summaryYears.contains(year) { filed[year, default: 0] += 1 }
            }
            for version in timeline.versions(knownAt: knownAt) where version.effectiveOn <= date {
                switch version.type {
                case .revoked: statistics.revocationsByYear[version.effectiveOn.year, default: 0] += 1
                case .barred3Years: statistics.barsByYear[version.effectiveOn.year, default: 0] += 1
                default: break
                }
            }
        }
        statistics.summaries = owed.keys.sorted().map { ($0, owed[$0]!, filed[$0] ?? 0) }
        return statistics
    }
}
