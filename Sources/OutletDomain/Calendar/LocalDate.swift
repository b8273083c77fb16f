import CanonicalJSON

/// A calendar date in Asia/Shanghai, the unit every period of the Measures is counted in (DOMAIN.md §3).
///
/// Kept as year, month and day rather than a `Date` so that no time zone or clock can shift a legal
/// date; day arithmetic goes through a day count since 1970-01-01. Packed into 8 bytes, because a
/// timeline keeps many dates for every event of a national registry.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    private let packedYear: Int32
    private let packedMonth: UInt8
    private let packedDay: UInt8

    public var year: Int { Int(packedYear) }
    public var month: Int { Int(packedMonth) }
    public var day: Int { Int(packedDay) }

    /// A valid Gregorian date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.init(unchecked: year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        guard let date = Canonical.withUTF8(text, { Self(utf8: $0) }) else { return nil }
        self = date
    }

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes where they lie (a stored row's column, a line of an
    /// import): the fold reads a date per event, and a copy of them was an allocation per event.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var description: String {
        if (0...9999).contains(year) {
            // Ten ASCII digits and dashes, made in place: a roster of tens of thousands writes several per entry.
            return String(unsafeUninitializedCapacity: 10) { text in
                write(into: text)
                return 10
            }
        }
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `YYYY-MM-DD` into the first ten bytes of `text`, for a year of four digits.
    package func write(into text: UnsafeMutableBufferPointer<UInt8>) {
        Self.writeDigits(year, endingAt: 4, width: 4, into: text)
        Self.writeDigits(month, endingAt: 7, width: 2, into: text)
        Self.writeDigits(day, endingAt: 10, width: 2, into: text)
        text[4] = UInt8(ascii: "-")
        text[7] = UInt8(ascii: "-")
    }

    /// The last `width` decimal digits of `value`, ending before `end`: a date's or a time's fields written in place.
    package static func writeDigits(_ value: Int, endingAt end: Int, width: Int, into text: UnsafeMutableBufferPointer<UInt8>) {
        var value = value
        for index in stride(from: end - 1, through: end - width, by: -1) {
            text[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01 (`civil_from_days`).
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + days)
    }

    /// The corresponding day `months` later, or that month's last day if there is none
    /// (Civil Code Art. 202: 2024-08-31 + 6 months is 2025-02-28).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let newYear = total / 12
        let newMonth = total % 12 + 1
        let newDay = min(day, Self.daysInMonth(year: newYear, month: newMonth))
        return LocalDate(unchecked: newYear, newMonth, newDay)
    }

    /// For arithmetic, which may leave the years 1–9999 that input is limited to without failing.
    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        packedYear = Int32(clamping: year)
        packedMonth = UInt8(month)
        packedDay = UInt8(day)
    }

    public func adding(years: Int) -> LocalDate {
        adding(months: years * 12)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        ((dayNumber % 7 + 7 + 3) % 7) + 1
    }
}

extension LocalDate: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a calendar date (YYYY-MM-DD)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
