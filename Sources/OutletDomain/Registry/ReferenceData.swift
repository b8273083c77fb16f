import Foundation
import Synchronization

/// The registry's own stream, beside one stream per institution: the policy and the holiday calendar
/// that the rules and the queries count periods with, recorded in the chain like every act, so that
/// nothing a decision or an answer depends on lives outside it.
public enum ReferenceStream {
    public static let id = "registry"
}

/// The events of the registry stream.
public enum ReferenceEventType: String, Sendable, Hashable, CaseIterable {
    /// The policy of DOMAIN.md §3 (periods, period rule, districts), adopted once, at the ledger's start.
    case policyAdopted = "policy-adopted"
    /// One year of the State Council General Office's holiday notice (国务院办公厅关于部分节假日安排的通知);
    /// published again for the same year, it corrects the earlier data from then on.
    case holidayCalendarPublished = "holiday-calendar-published"
}

/// One year's rest days as the notice gives them.
public struct HolidayYear: Sendable, Hashable, Codable {
    public var year: Int
    /// `MM-DD` or `MM-DD..MM-DD`.
    public var holidays: [String]
    /// Weekend days that are working days (调休上班), `MM-DD`.
    public var workdays: [String]
    /// The notice transcribed.
    public var source: String

    public init(year: Int, holidays: [String], workdays: [String], source: String) {
        self.year = year
        self.holidays = holidays
        self.workdays = workdays
        self.source = source
    }
}

public enum ReferenceEvent: Sendable, Hashable {
    case policyAdopted(Policy)
    case holidayCalendarPublished(HolidayYear)

    public var type: ReferenceEventType {
        switch self {
        case .policyAdopted: .policyAdopted
        case .holidayCalendarPublished: .holidayCalendarPublished
        }
    }
}

/// The reference data recorded in the chain, and what was in force at any position of the log.
///
/// In force at seq S: the adopted policy, and for each year the holiday data of the newest
/// `holiday-calendar-published` at or before S. The *genesis* (the policy and the holiday years
/// recorded right after it) is in force from the log's start: a ledger migrated from format 2 records
/// its genesis after the events it already held, which were decided under that same data.
public struct ReferenceData: Sendable {
    public private(set) var policy: Policy?
    public private(set) var policySeq: Int64?
    public private(set) var years: [(seq: Int64, data: HolidayYear)] = []
    /// The last seq of the genesis: the policy and the holiday events right after it.
    public private(set) var genesisEnd: Int64 = 0
    private var lastEffective: LocalDate?
    /// The periods already built from this data, by `version(atSeq:)`: a holiday calendar is built by
    /// parsing every year's notice, and every append asks for the periods in force. Copies of one value
    /// share it; `record` gives the value it changes a memo of its own, keeping the versions whose data
    /// it leaves as they were (two copies that record different years never see each other's periods).
    private var built = BuiltPeriods()

    public init() {}

    /// Decides one event of the registry stream by its rules, and records it.
    public mutating func record(_ event: ReferenceEvent, seq: Int64, actor: Actor, effectiveOn: LocalDate,
                                recordedOn: LocalDate? = nil) throws(Refusal)
    {
        let article = "DOMAIN.md §3"
        if let recordedOn, effectiveOn > recordedOn {
            throw .input(article, "effectiveOn \(effectiveOn) is later than the recording date \(recordedOn) (Asia/Shanghai); acts are recorded once they take effect")
        }
        if let lastEffective, effectiveOn < lastEffective {
            throw Refusal(article, "effectiveOn \(effectiveOn) is earlier than the registry stream's latest event (effective \(lastEffective))")
        }
        switch event {
        case .policyAdopted(let adopted):
            if let policySeq {
                throw Refusal(article, "the policy is adopted once, when the ledger starts (seq \(policySeq)); it is not changed afterwards")
            }
            try Self.checkCityBureau(actor, unit: adopted.cityBureauUnit, type: event.type)
            policy = adopted
            policySeq = seq
            genesisEnd = seq
            built = BuiltPeriods()
        case .holidayCalendarPublished(let year):
            guard let policy else {
                throw Refusal(article, "holiday data is published after the policy is adopted (no policy-adopted yet)")
            }
            try Self.checkCityBureau(actor, unit: policy.cityBureauUnit, type: event.type)
            // Versions up to the current count name the same years before this one as after it.
            built = built.keeping(through: years.count)
            years.append((seq, year))
            if seq == genesisEnd + 1 { genesisEnd = seq }
        }
        lastEffective = effectiveOn
    }

    private static func checkCityBureau(_ actor: Actor, unit: String, type: ReferenceEventType) throws(Refusal) {
        guard actor.role == .cityBureau, actor.unit == unit else {
            throw Refusal("Art. 3", "\(type.rawValue) is recorded by the city bureau (city-bureau:\(unit)), not by \(actor.role.rawValue):\(actor.unit)")
        }
    }

    /// Which data is in force at `seq`, as a number that changes exactly when it does (the count of
    /// entries recorded by then, which are the same entries in every copy that has that many): the key of
    /// the periods built from it.
    func version(atSeq seq: Int64) -> Int {
        guard policy != nil else { return -1 }
        let limit = max(seq, genesisEnd)
        // Entries are recorded in seq order: count those at or before the limit.
        var low = 0, high = years.count
        while low < high {
            let middle = (low + high) / 2
            if years[middle].seq <= limit { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The holiday years in force at `seq`, by year.
    public func holidayYears(atSeq seq: Int64) -> [HolidayYear] {
        let limit = max(seq, genesisEnd)
        var inForce: [Int: HolidayYear] = [:]
        for (recorded, data) in years where recorded <= limit { inForce[data.year] = data }
        return inForce.keys.sorted().map { inForce[$0]! }
    }

    /// The periods in force at `seq` (nil before any policy is recorded).
    public func periods(atSeq seq: Int64) -> Periods? {
        guard let policy else { return nil }
        let version = version(atSeq: seq)
        if let periods = built.byVersion.withLock({ $0[version] }) { return periods }
        let periods = Periods(policy: policy, calendar: HolidayCalendar.of(holidayYears(atSeq: seq)))
        built.byVersion.withLock { $0[version] = periods }
        return periods
    }

    private final class BuiltPeriods: Sendable {
        let byVersion: Mutex<[Int: Periods]>

        init(_ byVersion: [Int: Periods] = [:]) {
            self.byVersion = Mutex(byVersion)
        }

        /// A memo of its own with the periods of versions `...version`.
        func keeping(through version: Int) -> BuiltPeriods {
            BuiltPeriods(byVersion.withLock { $0.filter { $0.key <= version } })
        }
    }
}

extension HolidayCalendar {
    /// The calendar of published years; each was checked when it was recorded, so none is refused here.
    public static func of(_ years: [HolidayYear]) -> HolidayCalendar {
        var sources: [String] = []
        for year in years where !sources.contains(year.source) { sources.append(year.source) }
        let source = sources.isEmpty ? "no holiday data in the ledger" : sources.joined(separator: "; ")
        let data = Dictionary(years.map { ($0.year, Year(holidays: $0.holidays, workdays: $0.workdays)) }) { _, last in last }
        return (try? HolidayCalendar(source: source, years: data)) ?? HolidayCalendar.weekendsOnly(source: source)
    }

    static func weekendsOnly(source: String) -> HolidayCalendar {
        try! HolidayCalendar(source: source, years: [:])
    }

    /// The calendar file's years, one `HolidayYear` each, as `holiday-calendar-published` records them.
    public static func publishedYears(json: Data) throws(DataError) -> [HolidayYear] {
        _ = try HolidayCalendar(json: json)  // every entry checked as the loader checks it
        struct File: Decodable {
            var source: String
            var years: [String: Year]
        }
        guard let file = try? JSONDecoder().decode(File.self, from: json) else {
            throw DataError(description: "holiday data is not {source, years: {YYYY: {holidays, workdays}}}")
        }
        return file.years.compactMap { key, value in
            Int(key).map { HolidayYear(year: $0, holidays: value.holidays, workdays: value.workdays, source: file.source) }
        }.sorted { $0.year < $1.year }
    }

    /// Checks one published year as the calendar file's loader does.
    public static func check(_ year: HolidayYear) throws(DataError) {
        guard (1900...9999).contains(year.year) else { throw DataError(description: "holiday data: \(year.year) is not a year") }
        _ = try HolidayCalendar(source: year.source, years: [year.year: Year(holidays: year.holidays, workdays: year.workdays)])
    }
}
