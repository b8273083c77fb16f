import Foundation
import OutletDomain
import OutletStore

/// The registry's data files: the default policy and the holiday calendar, shipped as resources so
/// that the bureau can change them without touching code.
public enum RegistryData {
    /// The settings key under which `init` stores the policy.
    static let policySetting = "policy"

    /// `Resources/default-policy.json`: the periods of DOMAIN.md §3 and Shenyang's districts.
    public static let defaultPolicy: Policy = {
        do {
            return try Policy(json: try Data(contentsOf: Bundle.module.url(forResource: "default-policy", withExtension: "json")!))
        } catch {
            fatalError("the bundled default policy does not load: \(error)")
        }
    }()

    /// `Resources/holidays-cn.json`: the State Council's holiday notices for the years shipped.
    public static let bundledHolidays: HolidayCalendar = {
        do {
            return try HolidayCalendar(json: try Data(contentsOf: Bundle.module.url(forResource: "holidays-cn", withExtension: "json")!))
        } catch {
            fatalError("the bundled holiday calendar does not load: \(error)")
        }
    }()

    /// A user's holiday file, replacing the bundled one (a new year's notice, say).
    public static func holidays(file path: String) throws(LedgerError) -> HolidayCalendar {
        try load("holiday file", path) { data in try HolidayCalendar(json: data) }
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
