// Payloads of the application procedure of Art. 5 and 6: submitted → recommended → publicized →
// (objections) → registered or declined.

/// 提交申请 (Art. 5, 6(1)): the application form and its materials.
public struct Submitted: Sendable, Hashable, Codable {
    public var institution: Institution
    /// 服务对象.
    public var serviceTargets: String
    /// 服务事项清单.
    public var serviceItems: [String]
    public var ipCategories: [IPCategory]
    public var serviceModes: [ServiceMode]
    /// 工作基础和优势特点.
    public var foundation: String
    public var team: [TeamMember]
    public var developmentPlan: String
    public var cases: [ServiceCase]
    public var infrastructure: Infrastructure
    /// The documents of Art. 5, by kind (`application-form`, `license-copy`, …).
    public var materials: [String]
    public var declaration: Declaration

    public init(institution: Institution, serviceTargets: String, serviceItems: [String], ipCategories: [IPCategory],
                serviceModes: [ServiceMode], foundation: String, team: [TeamMember], developmentPlan: String,
                cases: [ServiceCase], infrastructure: Infrastructure, materials: [String], declaration: Declaration)
    {
        self.institution = institution
        self.serviceTargets = serviceTargets
        self.serviceItems = serviceItems
        self.ipCategories = ipCategories
        self.serviceModes = serviceModes
        self.foundation = foundation
        self.team = team
        self.developmentPlan = developmentPlan
        self.cases = cases
        self.infrastructure = infrastructure
        self.materials = materials
        self.declaration = declaration
    }
}

/// A member of the service team (Art. 4(1) asks for three or more full-time).
public struct TeamMember: Sendable, Hashable, Codable {
    public var name: String
    public var fullTime: Bool
    public var education: String
    public var qualifications: [String]
    public var bio: String

    public init(name: String, fullTime: Bool, education: String, qualifications: [String], bio: String) {
        self.name = name
        self.fullTime = fullTime
        self.education = education
        self.qualifications = qualifications
        self.bio = bio
    }
}

/// Databases and tools (Art. 4(3) asks for at least one database).
public struct Infrastructure: Sendable, Hashable, Codable {
    public var databases: [String]
    public var tools: [String]

    public init(databases: [String], tools: [String]) {
        self.databases = databases
        self.tools = tools
    }
}

/// 申请备案机构意见: signed by the handler and the principal, sealed (form note 6).
public struct Declaration: Sendable, Hashable, Codable {
    public var handler: String
    public var principal: String
    public var date: LocalDate
    public var sealed: Bool

    public init(handler: String, principal: String, date: LocalDate, sealed: Bool) {
        self.handler = handler
        self.principal = principal
        self.date = date
        self.sealed = sealed
    }
}

/// 择优推荐 (Art. 6(2)).
public struct Recommended: Sendable, Hashable, Codable {
    public var opinion: String
    public var head: String

    public init(opinion: String, head: String) {
        self.opinion = opinion
        self.head = head
    }
}

/// 审核确定并公示 (Art. 6(3)).
public struct Publicized: Sendable, Hashable, Codable {
    public var noticeNo: String
    public var reviewOpinion: String

    public init(noticeNo: String, reviewOpinion: String) {
        self.noticeNo = noticeNo
        self.reviewOpinion = reviewOpinion
    }
}

/// 异议 raised during publicity (Art. 6(3)).
public struct Objection: Sendable, Hashable, Codable {
    public struct RaisedBy: Sendable, Hashable, Codable {
        public var name: String
        public var contact: String

        public init(name: String, contact: String) {
            self.name = name
            self.contact = contact
        }
    }

    public var objectionId: String
    public var raisedBy: RaisedBy
    public var grounds: String

    public init(objectionId: String, raisedBy: RaisedBy, grounds: String) {
        self.objectionId = objectionId
        self.raisedBy = raisedBy
        self.grounds = grounds
    }
}

public struct ObjectionResolved: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case upheld, dismissed
    }

    public var objectionId: String
    public var outcome: Outcome
    public var reason: String

    public init(objectionId: String, outcome: Outcome, reason: String) {
        self.objectionId = objectionId
        self.outcome = outcome
        self.reason = reason
    }
}

/// 正式备案 (Art. 6(3), 16); `decision` is the 备案部门意见.
public struct Registered: Sendable, Hashable, Codable {
    public var decision: String

    public init(decision: String) {
        self.decision = decision
    }
}

public struct Declined: Sendable, Hashable, Codable {
    /// Where in the procedure the application stopped.
    public enum Stage: String, Sendable, Hashable, Codable, CaseIterable {
        case district, review, publicity
    }

    /// The only Art. 19 ground a decline can carry; it must travel with `barred-3-years`.
    public enum Ground: String, Sendable, Hashable, Codable, CaseIterable {
        case falseMaterials = "false-materials"
    }

    public var stage: Stage
    public var reason: String
    public var ground: Ground?

    public init(stage: Stage, reason: String, ground: Ground?) {
        self.stage = stage
        self.reason = reason
        self.ground = ground
    }
}
