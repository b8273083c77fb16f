import Foundation

/// Rest days under the State Council General Office's yearly holiday notice: weekends and statutory
/// holidays, less the swapped working days (调休上班). Data, not code: shipped as a resource and
/// replaceable by a user file, because a new notice is published every year.
public struct HolidayCalendar: Sendable, Hashable {
    public struct Year: Sendable, Hashable, Codable {
        /// `MM-DD` or `MM-DD..MM-DD`.
        public var holidays: [String]
        /// Weekend days that are working days (`MM-DD`).
        public var workdays: [String]
    }

    /// Why the data cannot be used, with the year and entry.
    public struct DataError: Error, CustomStringConvertible {
        public let description: String
    }

    private let holidays: Set<LocalDate>
    private let workdays: Set<LocalDate>
    /// The years the data covers; a period reaching past them gets a warning, never a silent guess.
    public let coveredYears: Set<Int>
    public let source: String

    public init(source: String, years: [Int: Year]) throws(DataError) {
        var holidays: Set<LocalDate> = []
        var workdays: Set<LocalDate> = []
        func day(_ year: Int, _ text: Substring) throws(DataError) -> LocalDate {
            guard let date = LocalDate("\(year)-\(text)") else {
                throw DataError(description: "holiday data \(year): \"\(text)\" is not a date (MM-DD)")
            }
            return date
        }
        for (year, entry) in years {
            for item in entry.holidays {
                let bounds = item.split(separator: ".", omittingEmptySubsequences: true)
                guard (1...2).contains(bounds.count) else {
                    throw DataError(description: "holiday data \(year): \"\(item)\" is neither MM-DD nor MM-DD..MM-DD")
                }
                let first = try day(year, bounds[0])
                let last = try day(year, bounds[bounds.count - 1])
                guard first <= last else { throw DataError(description: "holiday data \(year): \"\(item)\" ends before it starts") }
                for number in first.dayNumber...last.dayNumber { holidays.insert(LocalDate(dayNumber: number)) }
            }
            for item in entry.workdays { workdays.insert(try day(year, item[...])) }
        }
        self.holidays = holidays
        self.workdays = workdays
        self.coveredYears = Set(years.keys)
        self.source = source
    }

    /// Reads `{"source": "…", "years": {"2025": {"holidays": [...], "workdays": [...]}}}`.
    public init(json: Data) throws(DataError) {
        struct File: Decodable {
            var source: String
            var years: [String: Year]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch {
            throw DataError(description: "holiday data is not {source, years: {YYYY: {holidays, workdays}}}: \(error)")
        }
        var years: [Int: Year] = [:]
        for (key, value) in file.years {
            guard let year = Int(key), (1900...9999).contains(year) else {
                throw DataError(description: "holiday data: \"\(key)\" is not a year")
            }
            years[year] = value
        }
        try self.init(source: file.source, years: years)
    }

    public func covers(_ year: Int) -> Bool {
        coveredYears.contains(year)
    }

    /// A weekend that is not a swapped working day, or a statutory holiday.
    public func isRestDay(_ date: LocalDate) -> Bool {
        if holidays.contains(date) { return true }
        if workdays.contains(date) { return false }
        return date.weekday >= 6
    }
}
