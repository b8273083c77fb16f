import OutletDomain
import OutletNotices

/// The pages' words: the Measures' own terms (名录, 公示, 异议, 备案, 整改, 撤销, 年度工作总结) for every
/// value the ledger keeps in English, and dates both as `YYYY-MM-DD` and in the Chinese long form.
enum Words {
    static func event(_ type: EventType) -> String {
        switch type {
        case .submitted: "提交备案申请"
        case .recommended: "区县局择优推荐"
        case .publicized: "公示"
        case .objection: "提出异议"
        case .objectionResolved: "异议处理"
        case .registered: "正式备案"
        case .declined: "不予备案"
        case .infoChanged: "重要信息变更"
        case .annualSummaryFiled: "报送年度工作总结"
        case .rectificationOrdered: "责令整改"
        case .rectificationCompleted: "整改完成"
        case .revoked: "撤销备案"
        case .barred3Years: "三年内不受理备案申请"
        case .renewed: "期满复审、延续备案"
        case .terminated: "终止网点资格"
        case .autoIncluded: "自动纳入名录"
        case .inclusionEnded: "自动纳入终止"
        case .superseded: "网点备案资格自动取消"
        case .retracted: "更正（撤回一项记录）"
        }
    }

    static func event(_ raw: String) -> String { EventType(rawValue: raw).map(event) ?? raw }

    static func status(_ status: StatusReport.Status) -> String {
        switch status {
        case .applying: "申请中"
        case .declined: "不予备案"
        case .active: "有效（已备案）"
        case .included: "自动纳入"
        case .expired: "备案有效期已满"
        case .revoked: "已撤销备案"
        case .terminated: "已终止网点资格"
        case .superseded: "备案资格已自动取消"
        case .none: "无在册记录"
        }
    }

    static func stage(_ stage: StatusReport.Stage) -> String {
        switch stage {
        case .submitted: "待区县局推荐"
        case .recommended: "已推荐，待公示"
        case .inPublicity: "公示中"
        case .awaitingDecision: "公示期满，待作出备案决定"
        case .objectionPending: "有异议待处理"
        }
    }

    static func role(_ role: String, unit: String) -> String {
        switch role {
        case "city-bureau": "沈阳市知识产权局"
        case "district-bureau": "区县局（\(unit)）"
        case "applicant": "申请单位（\(unit)）"
        case "auditor": "审计"
        default: "公众"
        }
    }

    static func revocationGround(_ ground: Revoked.Ground) -> String {
        switch ground {
        case .failedRectification: "整改期满仍不符合要求（第十八条）"
        case .falseMaterials: "提供虚假材料（第十九条）"
        case .unrelatedCommercialActivity: "以网点名义开展与知识产权公共服务无关的商业经营活动（第十九条）"
        case .illegalActivity: "从事违法违规活动（第十九条）"
        }
    }

    /// 2025-10-09（2025年10月9日）
    static func date(_ date: LocalDate?) -> String {
        guard let date else { return "" }
        return "\(date)（\(NoticeContent.chineseDate(date))）"
    }

    /// "Art. 6(3), 16" as the Measures cite themselves: 第六条第三款、第十六条.
    static func article(_ citation: String) -> String {
        guard citation.hasPrefix("Art. ") else { return citation == "correction" ? "更正" : citation }
        let parts = citation.dropFirst(5).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.map { part -> String in
            let number = part.prefix { $0.isNumber }
            var text = "第\(numeral(Int(number) ?? 0))条"
            if let open = part.firstIndex(of: "("), let close = part.firstIndex(of: ")"), let clause = Int(part[part.index(after: open)..<close]) {
                text += "第\(numeral(clause))款"
            }
            return text
        }.joined(separator: "、")
    }

    /// 1–99 in Chinese numerals, as article numbers are written.
    static func numeral(_ number: Int) -> String {
        let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        guard number > 0, number < 100 else { return String(number) }
        if number < 10 { return digits[number] }
        let tens = number / 10, ones = number % 10
        return (tens == 1 ? "" : digits[tens]) + "十" + (ones == 0 ? "" : digits[ones])
    }

    /// The heading of an error page, by the kind of the API's problem document.
    static func problemHeading(_ problem: Problem) -> String {
        switch problem.kind {
        case "refused-by-rule": "不符合《办法》的规定"
        case "not-allowed", "forbidden": "无权办理此项"
        case "unauthorized": "需要登录"
        case "invalid-input": "填写有误"
        case "not-found": "未找到"
        case "conflict", "stream-moved": "与登记簿现有记录冲突"
        case "too-large": "提交内容过大"
        case "rate-limited": "提交过于频繁"
        case "csrf": "表单已失效"
        case "storage": "登记簿暂时无法使用"
        default: "出错了"
        }
    }
}
