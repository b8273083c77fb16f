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

    /// Parses an RFC 3339 time as people write it (§5.6): `YYYY-MM-DDTHH:MM:SS`, any fraction of a second
    /// (kept to the millisecond, rounded down), then `Z` or an offset `±HH:MM`; `t`, `z` and a space for `T`
    /// too. By hand, not with a date formatter: a query names one, and a formatter costs more than the query.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let date = bytes.withUnsafeBufferPointer({ LocalDate(utf8: UnsafeBufferPointer(rebasing: $0[0..<10])) })
        else { return nil }
        func digit(_ at: Int) -> Int64? {
            guard at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) else { return nil }
            return Int64(bytes[at] - UInt8(ascii: "0"))
        }
        func number(_ at: Int) -> Int64? { digit(at).flatMap { tens in digit(at + 1).map { tens * 10 + $0 } } }
        guard let hour = number(11), hour < 24, let minute = number(14), minute < 60, let second = number(17), second < 60 else { return nil }
        var at = 19, millis: Int64 = 0
        if bytes[at] == UInt8(ascii: ".") {
            at += 1
            let first = at
            while let value = digit(at) {
                if at - first < 3 { millis = millis * 10 + value }
                at += 1
            }
            guard at > first else { return nil }
            for _ in min(3, at - first)..<3 { millis *= 10 }
        }
        guard at < bytes.count else { return nil }
        var offset: Int64 = 0
        switch bytes[at] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            at += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard bytes.count == at + 6, bytes[at + 3] == UInt8(ascii: ":"), let hours = number(at + 1), hours < 24,
                  let minutes = number(at + 4), minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * (bytes[at] == UInt8(ascii: "+") ? 1 : -1)
            at += 6
        default:
            return nil
        }
        guard at == bytes.count else { return nil }
        let seconds = Int64(date.dayNumber) * 86_400 + hour * 3_600 + minute * 60 + second - offset * 60
        self.init(millisecondsSinceEpoch: seconds * 1000 + millis)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`: the RFC 3339 form a ledger writes, and no other.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "."), bytes[23] == UInt8(ascii: "Z")
        else { return nil }
        self.init(rfc3339: text)
    }

    public var description: String {
        let millis = millisecondsSinceEpoch
        let days = Int(millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000)
        let withinDay = Int(millis - Int64(days) * 86_400_000)
        let date = LocalDate(dayNumber: days)
        guard (0...9999).contains(date.year) else { return "\(date)T\(Self.clock(withinDay))Z" }
        // The 24 ASCII bytes made in place: every event sealed writes one (an import, a million), and the
        // interpolation of padded pieces was a tenth of sealing.
        return String(unsafeUninitializedCapacity: 24) { text in
            date.write(into: text)
            LocalDate.writeDigits(withinDay / 3_600_000, endingAt: 13, width: 2, into: text)
            LocalDate.writeDigits(withinDay / 60_000 % 60, endingAt: 16, width: 2, into: text)
            LocalDate.writeDigits(withinDay / 1000 % 60, endingAt: 19, width: 2, into: text)
            LocalDate.writeDigits(withinDay % 1000, endingAt: 23, width: 3, into: text)
            (text[10], text[13], text[16], text[19], text[23]) = (UInt8(ascii: "T"), UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "Z"))
            return 24
        }
    }

    /// `HH:MM:SS.mmm` of a millisecond within a day.
    private static func clock(_ withinDay: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(withinDay / 3_600_000, 2)):\(pad(withinDay / 60_000 % 60, 2)):\(pad(withinDay / 1000 % 60, 2)).\(pad(withinDay % 1000, 3))"
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
