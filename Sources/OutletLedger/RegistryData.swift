import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore

/// A holiday file a query or notice is asked with instead of the ledger's data, and how answers name it.
public struct WhatIfHolidays: Sendable {
    public let calendar: HolidayCalendar
    /// The SHA-256 of the file: what provenance lines and projection JSON record.
    public let identity: String

    /// `ledger` where the ledger's own data counts, else `what-if-<sha256>`.
    public static func label(_ whatIf: WhatIfHolidays?) -> String {
        whatIf.map { "what-if-\($0.identity)" } ?? "ledger"
    }
}

/// The registry's data files: the default policy and the holiday calendar, shipped as resources so
/// that the bureau can change them without touching code.
public enum RegistryData {
    /// The settings keys under which `init` stores the policy and holiday years it chose, until the
    /// first append records them in the chain (the genesis).
    static let policySetting = "policy"
    static let holidaysSetting = "holidays"
    /// The actor name of the genesis events.
    static let cityBureauName = "沈阳市知识产权局"

    /// `Resources/default-policy.json`: the periods of DOMAIN.md §3 and Shenyang's districts. A bundled
    /// file that is missing or broken is an error naming it (exit 69), never a trap.
    public static var defaultPolicy: Policy {
        get throws(LedgerError) { try loadedPolicy.get() }
    }

    /// `Resources/holidays-cn.json` as the years `holiday-calendar-published` records (the genesis's default).
    public static var bundledHolidayYears: [HolidayYear] {
        get throws(LedgerError) { try loadedHolidayYears.get() }
    }

    private static let loadedPolicy = bundled("default-policy") { data in try Policy(json: data) }
    private static let loadedHolidayYears = bundled("holidays-cn") { data in try HolidayCalendar.publishedYears(json: data) }

    /// A JSON resource shipped with the program, read and parsed once.
    private static func bundled<Value>(_ name: String, _ parse: (Data) throws -> Value) -> Result<Value, LedgerError> {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json"), let data = FileManager.default.contents(atPath: url.path) else {
            return .failure(LedgerError(.ledgerUnusable, "the bundled \(name).json is missing from this installation"))
        }
        do {
            return .success(try parse(data))
        } catch {
            return .failure(LedgerError(.ledgerUnusable, "the bundled \(name).json does not read: \(error)"))
        }
    }

    /// A holiday file's years, for `init --holidays` and `holidays publish`.
    public static func holidayYears(file path: String) throws(LedgerError) -> [HolidayYear] {
        try load("holiday file", path) { data in try HolidayCalendar.publishedYears(json: data) }
    }

    /// A year as the payload of `holiday-calendar-published`.
    public static func payload(of year: HolidayYear) -> JSONValue {
        .object(["year": .integer(Int64(year.year)), "holidays": .array(year.holidays.map(JSONValue.string)),
                 "workdays": .array(year.workdays.map(JSONValue.string)), "source": .string(year.source)])
    }

    static func encode(_ years: [HolidayYear]) -> String {
        JSONValue.array(years.map(payload(of:))).canonicalString
    }

    static func decodeHolidays(_ text: String) throws -> [HolidayYear] {
        try JSONDecoder().decode([HolidayYear].self, from: Data(text.utf8))
    }

    /// A user's holiday file, for a what-if query (never for a decision).
    public static func holidays(file path: String) throws(LedgerError) -> WhatIfHolidays {
        let calendar = try load("holiday file", path) { data in try HolidayCalendar(json: data) }
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        return WhatIfHolidays(calendar: calendar, identity: HashChain.sha256Hex(bytes))
    }

    /// A user's policy file for `init`.
    public static func policy(file path: String) throws(LedgerError) -> Policy {
        try load("policy file", path) { data in try Policy(json: data) }
    }

    /// Reads and parses a user's data file; either failure is invalid input naming the file.
    private static func load<Value>(_ kind: String, _ path: String, _ parse: (Data) throws -> Value) throws(LedgerError) -> Value {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.invalidInput, "cannot read \(kind) \(path)")
        }
        do {
            return try parse(data)
        } catch {
            throw LedgerError(.invalidInput, "\(error)", location: path)
        }
    }
}
