import Foundation
import OutletDomain

/// A recording time: UTC, millisecond precision, written as RFC 3339 `2025-10-10T08:00:00.123Z`.
///
/// Fixed width and always `Z`, so the text sorts as the time does and hashes the same everywhere.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.init(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z"),
              let date = LocalDate(String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let hour = number(11..<13), hour < 24, let minute = number(14..<16), minute < 60,
              let second = number(17..<19), second < 60, let millis = number(20..<23)
        else { return nil }
        let seconds = Int64(date.dayNumber) * 86_400 + hour * 3_600 + minute * 60 + second
        self.init(millisecondsSinceEpoch: seconds * 1000 + millis)
    }

    public var description: String {
        let millis = millisecondsSinceEpoch
        let days = Int(millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000)
        let withinDay = Int(millis - Int64(days) * 86_400_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: width - digits.count) + digits
        }
        let time = "\(pad(withinDay / 3_600_000, 2)):\(pad(withinDay / 60_000 % 60, 2)):"
            + "\(pad(withinDay / 1000 % 60, 2)).\(pad(withinDay % 1000, 3))"
        return "\(LocalDate(dayNumber: days))T\(time)Z"
    }

    /// The calendar date of this instant in Asia/Shanghai (UTC+8, no daylight saving since 1991),
    /// against which `effectiveOn` is checked.
    public var shanghaiDate: LocalDate {
        let shifted = millisecondsSinceEpoch + 8 * 3_600_000
        let days = shifted >= 0 ? shifted / 86_400_000 : (shifted - 86_399_999) / 86_400_000
        return LocalDate(dayNumber: Int(days))
    }
}

/// Where the ledger reads the time it stamps on `recordedAt`; injected so tests are deterministic.
public protocol LedgerClock: Sendable {
    func now() -> Timestamp
}

/// The machine's clock.
public struct SystemClock: LedgerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}

/// A clock set by hand: deterministic `recordedAt` in tests, and replays of a dated history.
public final class ManualClock: LedgerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time: Timestamp

    public init(_ time: Timestamp) {
        self.time = time
    }

    public func set(_ newTime: Timestamp) {
        lock.withLock { time = newTime }
    }

    public func now() -> Timestamp {
        lock.withLock { time }
    }
}
