import Foundation
import OutletDomain
import OutletProjections

/// Who issues notices and how to object: data the bureau can change (`notice-config.json`, or `--config`).
public struct NoticeConfig: Sendable, Codable, Equatable {
    public struct Contact: Sendable, Codable, Equatable {
        public var department: String
        public var phone: String
        public var email: String
        public var address: String
    }

    public var authority: String
    public var objectionContact: Contact

    /// `notice-config.json` as shipped, read once.
    public static func bundled() throws -> NoticeConfig {
        try loaded.get()
    }

    private static let loaded = Result { () throws -> NoticeConfig in
        guard let url = Bundle.module.url(forResource: "notice-config", withExtension: "json") else {
            throw NoticeRenderer.TemplateError(description: "the bundled notice-config.json is missing from this installation")
        }
        return try JSONDecoder().decode(NoticeConfig.self, from: Data(contentsOf: url))
    }
}

/// The words of a notice, drawn from projections only: what the templates render.
public struct NoticeContent {
    public let projection: RegistryProjection
    public let config: NoticeConfig

    public init(projection: RegistryProjection, config: NoticeConfig) {
        self.projection = projection
        self.config = config
    }

    var policy: Policy { projection.periods.policy }
    var periods: Periods { projection.periods }

    /// 2025年10月9日: Arabic numerals, no leading zeros (GB/T 9704-2012).
    public static func chineseDate(_ date: LocalDate) -> String {
        "\(date.year)年\(date.month)月\(date.day)日"
    }

    func districtName(_ code: String) -> String { policy.district(code)?.name ?? code }

    public static func groundWords(_ ground: Barred3Years.Ground) -> String {
        switch ground {
        case .falseMaterials: "在备案过程中提供虚假材料"
        case .unrelatedCommercialActivity: "以市级网点名义开展与知识产权公共服务无关的商业经营活动"
        case .illegalActivity: "从事违法违规活动"
        }
    }

    public static func levelWords(_ level: RosterEntry.Level) -> String {
        switch level {
        case .municipal: "市级"
        case .provincial: "省级（自动纳入）"
        case .national: "国家级（自动纳入）"
        }
    }

    public static func kindWords(_ kind: CalendarEntry.Kind, _ date: LocalDate) -> String {
        switch kind {
        case .publicityEnds: "公示期届满"
        case .validityEnds: "备案有效期届满，期满未延续的不再列入名录"
        case .renewalWindowOpens: "可申请期满复审、延续备案"
        case .rectificationDeadline: "整改期限届满，到期仍不符合规定的将撤销备案"
        case .annualSummaryDue: "报送\(date.year)年度工作总结（第十八条）"
        case .banEnds: "三年内不接受备案申请的限制期满"
        }
    }

    func numbered(_ items: [[String: Any]]) -> [[String: Any]] {
        items.enumerated().map { index, item in item.merging(["number": index + 1]) { old, _ in old } }
    }

    /// The context of one notice, for its template; `date` is the notice's own date.
    /// What a notice says, and about which dates.
    public struct Context {
        /// The date the notice's data is as of (the projection digest's date).
        public let date: LocalDate
        /// The newest date of the acts it announces: it may not be issued before that day.
        public let dataThrough: LocalDate?
        /// How many entries it announces: a notice with none is not issued (DOMAIN.md §7).
        public let count: Int
        public let values: [String: Any]
        /// The logged acts it announces, in the order listed: what its proofs of inclusion are for.
        public let acts: [Act]
    }

    /// One act a notice announces: the event (by seq) behind one of its entries.
    public struct Act: Sendable, Equatable {
        /// The entry's number in the notice.
        public let number: Int
        public let name: String
        public let seq: Int64
        public let type: EventType
    }

    /// The live event of one of `types` that an entry's standing on `date` rests on: the newest such.
    func act(of uscc: USCC, _ types: Set<EventType>, on date: LocalDate) -> (seq: Int64, type: EventType)? {
        guard let timeline = projection.timeline(of: uscc) else { return nil }
        return timeline.versions(knownAt: projection.knownAt).last { types.contains($0.type) && $0.effectiveOn <= date }.map { ($0.seq, $0.type) }
    }

    /// The notice's words, signed on `issuedOn`.
    public func context(for request: NoticeRequest, issuedOn: LocalDate) -> Context {
        var values: [String: Any] = ["authority": config.authority, "issued": Self.chineseDate(issuedOn)]
        let date: LocalDate
        var dataThrough: LocalDate?
        var acts: [Act] = []
        switch request {
        case .publicity(let on, let noticeNo):
            var entries: [[String: Any]] = []
            var windows: Set<String> = []
            var numbers: Set<String> = []
            var day = on ?? LocalDate(dayNumber: 0)
            var announced: [(name: String, seq: Int64)] = []
            for timeline in projection.timelines.sorted(by: { $0.uscc < $1.uscc }) {
                for version in timeline.versions(knownAt: projection.knownAt) where version.type == .publicized {
                    guard let publicized = version.state.application?.publicity else { continue }
                    guard on.map({ version.effectiveOn == $0 }) ?? true, noticeNo.map({ publicized.noticeNo == $0 }) ?? true else { continue }
                    let institution = version.state.institution
                    let opens = periods.policy.periodRule == .civilCode ? version.effectiveOn.adding(days: 1) : version.effectiveOn
                    let window = Self.chineseDate(opens) + "至" + Self.chineseDate(periods.publicityWindowEnd(version.effectiveOn).date)
                    windows.insert(window)
                    numbers.insert(publicized.noticeNo)
                    day = max(day, version.effectiveOn)
                    announced.append((institution?.name ?? "", version.seq))
                    entries.append([
                        "name": institution?.name ?? "", "uscc": timeline.uscc.code,
                        "category": institution?.category.chineseName ?? "", "district": districtName(institution?.district ?? ""),
                        "serviceItems": version.state.serviceItems.joined(separator: "；"), "window": window,
                        "noticeNo": publicized.noticeNo,
                    ])
                }
            }
            date = day
            values["title"] = "关于沈阳市知识产权信息公共服务网点备案名单的公示"
            values["noticeNos"] = numbers.sorted().joined(separator: "、")
            values["windows"] = windows.sorted().joined(separator: "；")
            values["count"] = entries.count
            values["entries"] = numbered(entries)
            acts = announced.enumerated().map { Act(number: $0.offset + 1, name: $0.element.name, seq: $0.element.seq, type: .publicized) }
            values["contact"] = ["department": config.objectionContact.department, "phone": config.objectionContact.phone,
                                 "email": config.objectionContact.email, "address": config.objectionContact.address]
        case .roster(let asOf):
            date = asOf
            let roster = projection.roster(on: asOf)
            // A roster lists registrations (Art. 6(4)) and inclusions (Art. 7).
            acts = roster.enumerated().compactMap { index, entry in
                act(of: entry.uscc, [.registered, .autoIncluded], on: asOf).map { Act(number: index + 1, name: entry.name, seq: $0.seq, type: $0.type) }
            }
            let entries: [[String: Any]] = roster.map { entry in
                ["outletNo": entry.outletNo ?? "—", "name": entry.name, "uscc": entry.uscc.code, "category": entry.category.chineseName,
                 "district": districtName(entry.district), "address": entry.address, "level": Self.levelWords(entry.level),
                 "contact": "\(entry.contact.name) \(entry.contact.phone)",
                 "validThrough": entry.validThrough.map(Self.chineseDate) ?? "—",
                 "serviceItems": entry.serviceItems.joined(separator: "；")]
            }
            values["title"] = "关于公布沈阳市知识产权信息公共服务网点名录的公告"
            values["count"] = entries.count
            values["entries"] = numbered(entries)
        case .revocation(let from, let to):
            date = to
            var entries: [(LocalDate, [String: Any], [(Int64, EventType)])] = []
            for timeline in projection.timelines.sorted(by: { $0.uscc < $1.uscc }) {
                for version in timeline.versions(knownAt: projection.knownAt) where version.effectiveOn >= from && version.effectiveOn <= to {
                    guard version.type == .barred3Years, let bar = version.state.bars.last else { continue }
                    let revocation = version.state.standing
                    let act: String = if case .revoked = revocation { "撤销市级网点备案" } else { "不予备案" }
                    // The 通报 announces the revocation or decline and the bar that follows from it (Art. 19).
                    let decision = self.act(of: timeline.uscc, [.revoked, .declined], on: version.effectiveOn)
                        .flatMap { $0.seq < version.seq ? [($0.seq, $0.type)] : nil } ?? []
                    entries.append((version.effectiveOn, [
                        "name": version.state.institution?.name ?? "", "uscc": timeline.uscc.code,
                        "act": act, "on": Self.chineseDate(version.effectiveOn),
                        "ground": Self.groundWords(bar.ground), "barredThrough": Self.chineseDate(bar.through),
                    ], decision + [(version.seq, .barred3Years)]))
                }
            }
            dataThrough = entries.map(\.0).max()
            values["title"] = "关于撤销沈阳市知识产权信息公共服务网点备案资格的通报"
            values["range"] = Self.chineseDate(from) + "至" + Self.chineseDate(to)
            values["count"] = entries.count
            let listed = entries.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
            values["entries"] = numbered(listed.map(\.1))
            acts = listed.enumerated().flatMap { index, entry in
                entry.2.map { Act(number: index + 1, name: entry.1["name"] as? String ?? "", seq: $0.0, type: $0.1) }
            }
        case .reminders(let from, let to):
            date = from
            let entries: [[String: Any]] = projection.calendar(from: from, to: to, asOf: from).entries.map { entry in
                ["date": Self.chineseDate(entry.date), "name": entry.name, "uscc": entry.uscc.code, "item": Self.kindWords(entry.kind, entry.date)]
            }
            values["title"] = "关于沈阳市知识产权信息公共服务网点有关事项到期的提醒"
            values["range"] = Self.chineseDate(from) + "至" + Self.chineseDate(to)
            values["count"] = entries.count
            values["entries"] = numbered(entries)
        }
        values["date"] = Self.chineseDate(date)
        switch request {
        case .publicity, .roster: dataThrough = date
        case .revocation, .reminders: break
        }
        return Context(date: date, dataThrough: dataThrough, count: values["count"] as? Int ?? 0, values: values, acts: acts)
    }
}
