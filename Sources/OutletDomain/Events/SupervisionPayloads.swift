// Payloads of supervision over a registered outlet: Art. 16–19.

/// 重要信息变更 (Art. 17). Only the fields present change.
public struct InfoChanged: Sendable, Hashable, Codable {
    public struct Changes: Sendable, Hashable, Codable {
        public var name: String?
        public var address: String?
        public var district: String?
        public var principal: Principal?
        public var contact: Contact?
        public var department: Department?
        public var serviceItems: [String]?
        public var website: Website?
        public var wechat: String?

        /// No change yet: what the ledger reads a stored change into, member by member.
        public init() {}
    }

    public var changes: Changes

    public init(changes: Changes) {
        self.changes = changes
    }
}

/// 工作总结表 (Art. 18, 附件2), due by the end of each year on the roster.
public struct AnnualSummaryFiled: Sendable, Hashable, Codable {
    public var year: Int
    public var overview: String
    public var cases: [ServiceCase]
    public var lessons: String
    public var nextYearPlan: String

    public init(year: Int, overview: String, cases: [ServiceCase], lessons: String, nextYearPlan: String) {
        self.year = year
        self.overview = overview
        self.cases = cases
        self.lessons = lessons
        self.nextYearPlan = nextYearPlan
    }
}

/// 整改 ordered (Art. 18): six months to comply.
public struct RectificationOrdered: Sendable, Hashable, Codable {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

public struct RectificationCompleted: Sendable, Hashable, Codable {
    public var verification: String

    public init(verification: String) {
        self.verification = verification
    }
}

/// 撤销备案 (Art. 18, 19).
public struct Revoked: Sendable, Hashable, Codable {
    public enum Ground: String, Sendable, Hashable, Codable, CaseIterable {
        /// Art. 18: still non-compliant when the rectification period ended.
        case failedRectification = "failed-rectification"
        /// Art. 19: 提供虚假材料.
        case falseMaterials = "false-materials"
        /// Art. 19: 以网点名义开展与知识产权公共服务无关的商业经营活动.
        case unrelatedCommercialActivity = "unrelated-commercial-activity"
        /// Art. 19: 从事违法违规活动.
        case illegalActivity = "illegal-activity"
    }

    public var ground: Ground
    public var detail: String

    public init(ground: Ground, detail: String) {
        self.ground = ground
        self.detail = detail
    }
}

/// 三年内不接受市级网点备案申请 (Art. 19).
public struct Barred3Years: Sendable, Hashable, Codable {
    public enum Ground: String, Sendable, Hashable, Codable, CaseIterable {
        case falseMaterials = "false-materials"
        case unrelatedCommercialActivity = "unrelated-commercial-activity"
        case illegalActivity = "illegal-activity"
    }

    public var ground: Ground

    public init(ground: Ground) {
        self.ground = ground
    }
}

/// 期满复审合格，延续三年 (Art. 16).
public struct Renewed: Sendable, Hashable, Codable {
    public var reviewOpinion: String

    public init(reviewOpinion: String) {
        self.reviewOpinion = reviewOpinion
    }
}

/// 终止网点资格 at the outlet's request (Art. 17). Schema version 2; see `Upcasting`.
public struct Terminated: Sendable, Hashable, Codable {
    /// Why the outlet asked to stop (added in v2; every v1 termination was of the first kind).
    public enum Basis: String, Sendable, Hashable, Codable, CaseIterable {
        /// 基础设施等发生变化，不再符合备案条件 (Art. 17, second sentence).
        case noLongerEligible = "no-longer-eligible"
        /// The outlet withdraws of its own accord.
        case voluntary
    }

    public var reason: String
    public var requestedOn: LocalDate
    public var basis: Basis

    public init(reason: String, requestedOn: LocalDate, basis: Basis) {
        self.reason = reason
        self.requestedOn = requestedOn
        self.basis = basis
    }
}
