/// The applicant's basic information, as in part 一 of the application form (附件1).
public struct Institution: Sendable, Hashable, Codable {
    public var name: String
    public var uscc: USCC
    /// 单位性质, e.g. 事业单位, 企业.
    public var nature: String
    public var category: Category
    /// GB/T 2260 district code; must be one of Shenyang's (Art. 4(1)).
    public var district: String
    public var address: String
    public var principal: Principal
    public var totalStaff: Int
    public var department: Department
    public var contact: Contact
    public var website: Website?
    public var wechat: String?

    public init(name: String, uscc: USCC, nature: String, category: Category, district: String, address: String,
                principal: Principal, totalStaff: Int, department: Department, contact: Contact, website: Website?, wechat: String?)
    {
        self.name = name
        self.uscc = uscc
        self.nature = nature
        self.category = category
        self.district = district
        self.address = address
        self.principal = principal
        self.totalStaff = totalStaff
        self.department = department
        self.contact = contact
        self.website = website
        self.wechat = wechat
    }
}

/// The seven kinds of outlet of Art. 8.
public enum Category: String, Sendable, Hashable, Codable, CaseIterable {
    /// 高校
    case university
    /// 科研机构、科技情报机构
    case researchInstitute = "research-institute"
    /// 行业组织
    case industryOrganization = "industry-organization"
    /// 生产力促进机构
    case productivityPromotion = "productivity-promotion"
    /// 公共图书馆、博物馆
    case libraryMuseum = "library-museum"
    /// 市场化服务机构
    case marketService = "market-service"
    /// 其他知识产权机构
    case other

    /// The name Art. 8 gives the kind, for notices and tables.
    public var chineseName: String {
        switch self {
        case .university: "高校"
        case .researchInstitute: "科研机构、科技情报机构"
        case .industryOrganization: "行业组织"
        case .productivityPromotion: "生产力促进机构"
        case .libraryMuseum: "公共图书馆、博物馆"
        case .marketService: "市场化服务机构"
        case .other: "其他知识产权机构"
        }
    }
}

/// 主要负责人及职务.
public struct Principal: Sendable, Hashable, Codable {
    public var name: String
    public var title: String

    public init(name: String, title: String) {
        self.name = name
        self.title = title
    }
}

/// 知识产权信息公共服务工作部门.
public struct Department: Sendable, Hashable, Codable {
    public var name: String
    public var head: String
    public var phone: String

    public init(name: String, head: String, phone: String) {
        self.name = name
        self.head = head
        self.phone = phone
    }
}

/// 工作联系人.
public struct Contact: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String

    public init(name: String, phone: String) {
        self.name = name
        self.phone = phone
    }
}

/// 网站/平台名称及网址.
public struct Website: Sendable, Hashable, Codable {
    public var name: String
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// The IP categories an outlet serves (Art. 4(2)).
public enum IPCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case patent, trademark, copyright, other
    case geographicalIndication = "geographical-indication"
    case integratedCircuitLayout = "integrated-circuit-layout"
    case plantVariety = "plant-variety"
}

/// 线上或线下服务 (Art. 4(2)).
public enum ServiceMode: String, Sendable, Hashable, Codable, CaseIterable {
    case online, offline
}

/// A success story (成功案例) in an application or an annual summary.
public struct ServiceCase: Sendable, Hashable, Codable {
    public var name: String
    public var period: String
    public var content: String

    public init(name: String, period: String, content: String) {
        self.name = name
        self.period = period
        self.content = content
    }
}
