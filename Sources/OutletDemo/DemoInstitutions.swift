import CanonicalJSON
import OutletDomain
import OutletLedger
import OutletCore

/// The sixty institutions of the demo: every district and every category, with names and USCCs that
/// look like Shenyang's (valid check characters, invented bodies).
struct DemoInstitution {
    let index: Int
    let uscc: USCC
    let name: String
    let category: Category
    let district: Policy.District

    static let stems: [Category: [String]] = [
        .university: ["理工大学", "师范学院", "职业技术学院", "工程学院", "医科大学", "航空学院", "建筑大学", "农业大学", "科技学院"],
        .researchInstitute: ["科技情报研究所", "材料研究院", "机械研究所", "化工研究院", "信息技术研究所", "工业设计研究院", "环境科学研究院", "生物工程研究所", "能源研究所"],
        .industryOrganization: ["装备制造业协会", "软件行业协会", "汽车零部件产业联盟", "医药行业协会", "新材料产业联盟", "机器人产业协会", "食品工业协会", "电子商务协会", "集成电路产业联盟"],
        .productivityPromotion: ["生产力促进中心", "科技企业孵化器", "创新创业服务中心", "技术转移中心", "产业园服务中心", "众创空间", "科技成果转化中心", "中小企业服务中心", "高新区创新中心"],
        .libraryMuseum: ["图书馆", "科学技术馆", "工业博物馆", "少儿图书馆", "文化馆", "档案馆", "博物馆", "科普馆", "数字图书馆"],
        .marketService: ["知识产权代理有限公司", "专利事务所", "知识产权运营有限公司", "商标事务所", "知识产权咨询有限公司", "专利信息服务有限公司", "知识产权评估有限公司", "科技信息咨询有限公司", "知识产权服务有限公司"],
        .other: ["知识产权研究会", "知识产权保护协会", "知识产权服务联盟", "知识产权维权援助中心", "知识产权发展研究中心", "知识产权人才培训中心", "知识产权信息中心", "知识产权公共服务站", "知识产权交流中心"],
    ]

    init(index: Int, policy: Policy) {
        self.index = index
        let categories = Category.allCases
        category = categories[index % categories.count]
        district = policy.districts[index % policy.districts.count]
        let place = district.name.hasSuffix("新区") ? String(district.name.dropLast(2)) : String(district.name.dropLast())
        let stems = Self.stems[category]!
        name = "沈阳\(place)\(stems[(index / categories.count) % stems.count])"
        let kind = switch category {
        case .university, .researchInstitute, .libraryMuseum: "12"
        case .industryOrganization, .other: "51"
        case .productivityPromotion: "52"
        case .marketService: "91"
        }
        let serial = String(1_000_000 + index * 7919).suffix(7)
        uscc = USCC.completing("\(kind)\(district.code)MB\(serial)")!
    }

    var applicant: EnvelopeActor { EnvelopeActor(role: "applicant", unit: uscc.code, name: "\(name)知识产权部") }
    var districtBureau: EnvelopeActor { EnvelopeActor(role: "district-bureau", unit: district.code, name: "\(district.name)市场监督管理局") }

    var institution: JSONValue {
        [
            "name": .string(name), "uscc": .string(uscc.code), "nature": category == .marketService ? "企业" : "事业单位",
            "category": .string(category.rawValue), "district": .string(district.code),
            "address": .string("沈阳市\(district.name)创新路\(index + 1)号"),
            "principal": ["name": .string(Self.person(index)), "title": "负责人"], "totalStaff": .integer(Int64(40 + index * 13 % 900)),
            "department": ["name": "知识产权信息服务部", "head": .string(Self.person(index + 7)), "phone": .string("024-2\(String(3_000_000 + index * 137))")],
            "contact": ["name": .string(Self.person(index + 3)), "phone": .string("138\(String(40_000_000 + index * 7331))")],
        ]
    }

    static func person(_ seed: Int) -> String {
        let family = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]
        let given = ["明", "华", "强", "芳", "静", "磊", "洋", "丽", "伟", "敏", "军", "娜", "杰", "涛", "霞"]
        return family[seed % family.count] + given[(seed * 7 + 3) % given.count]
    }

    var serviceItems: [JSONValue] {
        let items = ["专利信息检索", "知识产权信息利用培训", "专利导航分析", "商标查询咨询", "知识产权政策宣讲", "专利预警分析", "科技查新"]
        return (0..<3).map { .string(items[(index + $0 * 2) % items.count]) }
    }

    func application(on date: LocalDate) -> JSONValue {
        let team: [JSONValue] = (0..<4).map { member in
            ["name": .string(Self.person(index + member * 5)), "fullTime": .bool(member < 3), "education": member == 0 ? "博士" : "硕士",
             "qualifications": member == 0 ? ["专利代理师"] : [], "bio": "从事知识产权信息服务工作"]
        }
        return [
            "institution": institution, "serviceTargets": "沈阳市创新主体和社会公众", "serviceItems": .array(serviceItems),
            "ipCategories": ["patent", "trademark"], "serviceModes": ["online", "offline"],
            "foundation": "拥有知识产权数据库和检索分析工具，近两年开展公益服务。", "team": .array(team),
            "developmentPlan": "三年内建成面向重点产业的知识产权信息服务能力。",
            "cases": [["name": "重点企业专利分析", "period": .string("\(date.year - 1)年"), "content": "完成专利分析报告"]],
            "infrastructure": ["databases": ["CNIPA专利检索及分析系统"], "tools": ["自建检索平台"]],
            "materials": ["application-form", "license-copy", "service-rules", "work-report", "staff-credentials"],
            "declaration": ["handler": .string(Self.person(index + 3)), "principal": .string(Self.person(index)),
                            "date": .string(date.adding(days: -3).description), "sealed": true],
        ]
    }

    func summary(_ year: Int) -> JSONValue {
        ["year": .integer(Int64(year)), "overview": .string("\(year)年开展知识产权信息服务\(20 + index)场"),
         "cases": [["name": "企业专利检索服务", "period": .string("\(year)年"), "content": "为企业提供检索分析"]],
         "lessons": "加强人员培训", "nextYearPlan": "拓展专利导航服务"]
    }
}
