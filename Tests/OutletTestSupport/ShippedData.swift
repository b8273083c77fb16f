import Foundation
import OutletDomain

/// The shipped policy and holiday data, read from the repository (the domain itself reads no files).
public enum ShippedData {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/OutletLedger/Resources")

    public static let policy = try! Policy(json: Data(contentsOf: resources.appendingPathComponent("default-policy.json")))
    public static let holidays = try! HolidayCalendar(json: Data(contentsOf: resources.appendingPathComponent("holidays-cn.json")))
    public static let periods = Periods(policy: policy, calendar: holidays)

    public static func periods(rule: PeriodRule) -> Periods {
        var policy = policy
        policy.periodRule = rule
        return Periods(policy: policy, calendar: holidays)
    }
}

public func day(_ text: String) -> LocalDate { LocalDate(text)! }
