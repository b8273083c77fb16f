import CanonicalJSON
import Foundation
import OutletDomain
import OutletNotices

/// A submitted HTML form (`application/x-www-form-urlencoded`): its fields in order, a name may repeat
/// (checkboxes).
struct FormData: Sendable {
    let fields: [(name: String, value: String)]

    init(urlEncoded body: String) {
        fields = body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring?) -> String {
                guard let text else { return "" }
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                // Browsers send a textarea's line breaks as CR LF; the ledger's prose takes LF alone (TextSafety).
                return (spaced.removingPercentEncoding ?? spaced).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            }
            return (decode(parts.first), decode(parts.count > 1 ? parts[1] : nil))
        }
    }

    subscript(name: String) -> String? { fields.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The one-time id the page put in the form, which becomes the event's id (a second press of the button
    /// is then the same event); a new one if the form came without a well-formed one.
    var formID: String {
        self["formID"].flatMap { BrowserSessions.isID($0) ? $0 : nil } ?? BrowserSessions.randomID()
    }
}

/// One field of an act's form: where its value goes in the payload (`cases.0.name`: member `name` of the
/// first case), its label, and how the text becomes JSON.
struct FormField: Sendable {
    enum Kind: Sendable {
        case text, textarea, date, number
        /// One item per line: an array of strings.
        case lines
        case choice([(value: String, label: String)])
        case choices([(value: String, label: String)])
        case yesNo
    }

    let path: String
    let label: String
    let kind: Kind
    /// Left empty, the member is left out (the schema and the rules then say whether that is allowed).
    var optional = false

    /// `team.1` for `team.1.name`: the row of a list the field belongs to, if any.
    var row: String? {
        let segments = path.split(separator: ".")
        guard let index = segments.firstIndex(where: { Int($0) != nil }) else { return nil }
        return segments[...index].joined(separator: ".")
    }

    /// A checkbox or a list of them: says nothing about whether its row was filled in.
    var isChoiceOnly: Bool {
        switch kind {
        case .yesNo, .choices, .choice: true
        default: false
        }
    }

    init(_ path: String, _ label: String, _ kind: Kind = .text, optional: Bool = false) {
        self.path = path
        self.label = label
        self.kind = kind
        self.optional = optional
    }
}

/// The form of one act: the fields of its payload (the event's JSON Schema, in Chinese), built into the
/// payload the API takes. The schema and the rules still decide; the form only collects.
struct ActForm: Sendable {
    let type: EventType
    let fields: [FormField]

    /// The payload the filled form makes; a field that cannot become JSON (a number that is not one) is `400`.
    func payload(from form: FormData) throws(Problem) -> JSONValue {
        // A row of a list (a team member, a case) is there when any of its text is filled in; a blank row drops out.
        let filledRows = Set(fields.compactMap { field -> String? in
            guard let row = field.row, !field.isChoiceOnly, !(form[field.path] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            return row
        })
        var root = Node.object([:])
        for field in fields {
            if let row = field.row, !filledRows.contains(row) { continue }
            guard let value = try value(of: field, in: form) else { continue }
            root.set(value, at: field.path.split(separator: ".").map(String.init))
        }
        return root.json
    }

    private func value(of field: FormField, in form: FormData) throws(Problem) -> JSONValue? {
        let text = (form[field.path] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        switch field.kind {
        case .text, .textarea, .date:
            if text.isEmpty && field.optional { return nil }
            return .string(text)
        case .number:
            // Left empty, the member is missing: the schema names it.
            if text.isEmpty { return nil }
            guard let number = Int64(text) else { throw Problem.badRequest("「\(field.label)」须填写整数，而不是 \"\(text)\"") }
            return .integer(number)
        case .lines:
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if lines.isEmpty && field.optional { return nil }
            return .array(lines.map(JSONValue.string))
        case .choice:
            if text.isEmpty && field.optional { return nil }
            return .string(text)
        case .choices:
            return .array(form.all(field.path).map(JSONValue.string))
        case .yesNo:
            return .bool(text == "yes")
        }
    }

    /// A payload under construction: arrays by index, so that rows the clerk left empty drop out.
    private indirect enum Node {
        case object([String: Node])
        case array([Int: Node])
        case leaf(JSONValue)

        mutating func set(_ value: JSONValue, at path: [String]) {
            guard let first = path.first else {
                self = .leaf(value)
                return
            }
            let rest = Array(path.dropFirst())
            if let index = Int(first) {
                var items: [Int: Node] = if case .array(let items) = self { items } else { [:] }
                var child = items[index] ?? (rest.first.flatMap(Int.init) != nil ? .array([:]) : .object([:]))
                child.set(value, at: rest)
                items[index] = child
                self = .array(items)
            } else {
                var members: [String: Node] = if case .object(let members) = self { members } else { [:] }
                var child = members[first] ?? (rest.first.flatMap(Int.init) != nil ? .array([:]) : .object([:]))
                child.set(value, at: rest)
                members[first] = child
                self = .object(members)
            }
        }

        var json: JSONValue {
            switch self {
            case .leaf(let value): value
            case .object(let members): .object(JSONObject(members.mapValues(\.json)))
            case .array(let items): .array(items.sorted { $0.key < $1.key }.map(\.value.json))
            }
        }
    }
}

extension ActForm {
    static let categories = Category.allCases.map { ($0.rawValue, $0.chineseName) }
    static let ipCategories = [("patent", "专利"), ("trademark", "商标"), ("geographical-indication", "地理标志"), ("copyright", "版权"),
                               ("integrated-circuit-layout", "集成电路布图设计"), ("plant-variety", "植物新品种"), ("other", "其他")]
    static let materials = [("application-form", "申请表（附件1）"), ("license-copy", "营业执照或法人证书复印件"), ("service-rules", "服务规章制度"),
                            ("work-report", "工作报告"), ("staff-credentials", "服务人员资质证明")]

    /// The publicity page's objection form (Art. 6(3)); the objection's id is the server's to give.
    static let objection = ActForm(type: .objection, fields: [
        FormField("raisedBy.name", "异议人姓名（可不填）"), FormField("raisedBy.contact", "联系方式（可不填）"), FormField("grounds", "异议理由", .textarea),
    ])

    /// The form of `type`, with the districts of the policy in force; nil for acts recorded only by the
    /// command line (corrections, inclusions from the national and provincial lists).
    static func of(_ type: EventType, districts: [Policy.District]) -> ActForm? {
        let districtChoices = districts.map { ($0.code, "\($0.name)（\($0.code)）") }
        let fields: [FormField]
        switch type {
        case .submitted:
            fields = [
                FormField("institution.name", "单位名称"), FormField("institution.uscc", "统一社会信用代码"),
                FormField("institution.nature", "单位性质"), FormField("institution.category", "机构类别（第八条）", .choice(categories)),
                FormField("institution.district", "所在区县", .choice(districtChoices)), FormField("institution.address", "地址"),
                FormField("institution.principal.name", "主要负责人"), FormField("institution.principal.title", "主要负责人职务"),
                FormField("institution.totalStaff", "职工总数", .number),
                FormField("institution.department.name", "知识产权信息服务部门"), FormField("institution.department.head", "部门负责人"),
                FormField("institution.department.phone", "部门电话"),
                FormField("institution.contact.name", "联系人"), FormField("institution.contact.phone", "联系电话"),
                FormField("serviceTargets", "服务对象", .textarea), FormField("serviceItems", "服务事项（每行一项）", .lines),
                FormField("ipCategories", "服务涉及的知识产权类别", .choices(ipCategories)),
                FormField("serviceModes", "服务方式", .choices([("online", "线上"), ("offline", "线下")])),
                FormField("foundation", "工作基础", .textarea),
            ] + ["一", "二", "三", "四", "五"].enumerated().flatMap { index, number in
                [FormField("team.\(index).name", "服务人员\(number) 姓名"), FormField("team.\(index).fullTime", "服务人员\(number) 专职", .yesNo),
                 FormField("team.\(index).education", "服务人员\(number) 学历"),
                 FormField("team.\(index).qualifications", "服务人员\(number) 资质（每行一项，可不填）", .lines),
                 FormField("team.\(index).bio", "服务人员\(number) 简介", .textarea)]
            } + [
                FormField("developmentPlan", "发展规划", .textarea),
                FormField("cases.0.name", "服务案例一 名称"), FormField("cases.0.period", "服务案例一 时间"),
                FormField("cases.0.content", "服务案例一 内容", .textarea),
                FormField("cases.1.name", "服务案例二 名称"), FormField("cases.1.period", "服务案例二 时间"),
                FormField("cases.1.content", "服务案例二 内容", .textarea),
                FormField("infrastructure.databases", "数据库（每行一项）", .lines), FormField("infrastructure.tools", "检索分析工具（每行一项）", .lines),
                FormField("materials", "申请材料（第五条）", .choices(materials)),
                FormField("declaration.handler", "经办人"), FormField("declaration.principal", "单位负责人"),
                FormField("declaration.date", "申报日期", .date), FormField("declaration.sealed", "已加盖单位公章", .yesNo),
            ]
        case .recommended:
            fields = [FormField("opinion", "推荐意见", .textarea), FormField("head", "区县局负责人")]
        case .publicized:
            fields = [FormField("noticeNo", "公示文号"), FormField("reviewOpinion", "审核意见", .textarea)]
        case .objection:
            return objection
        case .objectionResolved:
            fields = [FormField("objectionId", "异议编号"),
                      FormField("outcome", "处理结果", .choice([("upheld", "异议成立"), ("dismissed", "异议不成立")])),
                      FormField("reason", "理由", .textarea)]
        case .registered:
            fields = [FormField("decision", "备案决定", .textarea)]
        case .declined:
            fields = [FormField("stage", "环节", .choice([("district", "区县推荐"), ("review", "市局审核"), ("publicity", "公示")])),
                      FormField("reason", "理由", .textarea),
                      FormField("ground", "如系提供虚假材料", .choice([("", "否"), ("false-materials", "是：提供虚假材料（第十九条）")]), optional: true)]
        case .infoChanged:
            fields = [FormField("changes.name", "新单位名称", optional: true), FormField("changes.address", "新地址", optional: true),
                      FormField("changes.contact.name", "新联系人", optional: true), FormField("changes.contact.phone", "新联系电话", optional: true),
                      FormField("changes.serviceItems", "新服务事项（每行一项）", .lines, optional: true),
                      FormField("changes.wechat", "微信公众号", optional: true)]
        case .annualSummaryFiled:
            fields = [FormField("year", "年度", .number), FormField("overview", "工作概况", .textarea),
                      FormField("cases.0.name", "典型案例一 名称"), FormField("cases.0.period", "典型案例一 时间"),
                      FormField("cases.0.content", "典型案例一 内容", .textarea),
                      FormField("cases.1.name", "典型案例二 名称"), FormField("cases.1.period", "典型案例二 时间"),
                      FormField("cases.1.content", "典型案例二 内容", .textarea),
                      FormField("cases.2.name", "典型案例三 名称"), FormField("cases.2.period", "典型案例三 时间"),
                      FormField("cases.2.content", "典型案例三 内容", .textarea),
                      FormField("lessons", "经验与不足", .textarea), FormField("nextYearPlan", "下一年度工作计划", .textarea)]
        case .rectificationOrdered:
            fields = [FormField("reason", "整改事由", .textarea)]
        case .rectificationCompleted:
            fields = [FormField("verification", "整改核查意见", .textarea)]
        case .revoked:
            fields = [FormField("ground", "撤销事由", .choice(Revoked.Ground.allCases.map { ($0.rawValue, Words.revocationGround($0)) })),
                      FormField("detail", "具体情况", .textarea)]
        case .barred3Years:
            fields = [FormField("ground", "事由", .choice(Barred3Years.Ground.allCases.map { ($0.rawValue, NoticeContent.groundWords($0)) }))]
        case .renewed:
            fields = [FormField("reviewOpinion", "复审意见", .textarea)]
        case .terminated:
            fields = [FormField("reason", "理由", .textarea), FormField("requestedOn", "网点提出申请日期", .date),
                      FormField("basis", "依据", .choice([("voluntary", "网点主动申请"), ("no-longer-eligible", "不再符合条件")]))]
        case .autoIncluded, .inclusionEnded, .superseded, .retracted:
            return nil
        }
        return ActForm(type: type, fields: fields)
    }
}
