/// The publicity notices 公示 issued so far, registry-wide: a notice number names one publicity date
/// (Art. 6(3)), so that one 公示 never shows two windows. A retracted publicity keeps its number used.
public struct PublicityNotices: Sendable {
    public private(set) var dates: [String: LocalDate] = [:]

    public init() {}

    /// Records the notice of a `publicized` event, refusing a number already used on another date.
    public mutating func record(noticeNo: String, on date: LocalDate) throws(Refusal) {
        if let used = dates[noticeNo], used != date {
            throw Refusal("Art. 6(3)", "notice \(noticeNo) was issued on \(used); a publicity on \(date) needs a notice number of its own")
        }
        dates[noticeNo] = date
    }
}
