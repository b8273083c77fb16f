import CanonicalJSON
import Foundation
import OutletDomain
import OutletLedger
import OutletCore

/// Builds the demo ledger: sixty institutions across all thirteen districts and seven categories,
/// from January 2024 to `today`, every act appended through `Ledger.append` (form checks and rules,
/// as any user's), recorded on the day it took effect.
public struct DemoRegistry {
    /// One call to `append`, recorded on `recordOn` (its events may be effective earlier: a correction).
    struct Act {
        let recordOn: LocalDate
        let order: Int
        let make: (Ledger) throws -> [Candidate]
    }

    public let today: LocalDate
    let periods: Periods
    private var acts: [Act] = []

    public init(today: LocalDate, periods: Periods) {
        self.today = today
        self.periods = periods
    }

    static let city = EnvelopeActor(role: "city-bureau", unit: "210100", name: "沈阳市知识产权局")
    static let objector = EnvelopeActor(role: "public", unit: "", name: "王某某")

    private mutating func act(_ day: LocalDate, _ make: @escaping (Ledger) throws -> [Candidate]) {
        acts.append(Act(recordOn: day, order: acts.count, make: make))
    }

    private mutating func record(_ day: LocalDate, _ type: String, _ who: DemoInstitution, by actor: EnvelopeActor, _ payload: JSONValue) {
        let candidate = Candidate(type: type, stream: who.uscc.code, effectiveOn: day.description, actor: actor, payload: payload)
        act(day) { _ in [candidate] }
    }

    // MARK: The procedures of the Measures

    /// Submitted, recommended a week later, publicized three weeks after that; returns the window's last day.
    @discardableResult
    private mutating func apply(_ who: DemoInstitution, on submitted: LocalDate, notice: String) -> LocalDate {
        record(submitted, "submitted", who, by: who.applicant, who.application(on: submitted))
        record(submitted.adding(days: 7), "recommended", who, by: who.districtBureau,
               ["opinion": "材料属实，符合备案条件，同意推荐", "head": .string(DemoInstitution.person(who.index + 11))])
        let publicized = submitted.adding(days: 28)
        record(publicized, "publicized", who, by: Self.city, ["noticeNo": .string(notice), "reviewOpinion": "符合备案条件，予以公示"])
        return periods.publicityWindowEnd(publicized).date
    }

    /// The whole procedure to registration on the day after the window; returns the registration date.
    @discardableResult
    private mutating func register(_ who: DemoInstitution, on submitted: LocalDate, notice: String) -> LocalDate {
        let registered = apply(who, on: submitted, notice: notice).adding(days: 1)
        record(registered, "registered", who, by: Self.city, ["decision": "公示无异议，同意备案为市级网点"])
        return registered
    }

    /// Annual summaries for the years on the roster before today, filed in January, except `missed`.
    private mutating func summaries(_ who: DemoInstitution, from registered: LocalDate, missing missed: Set<Int> = []) {
        for year in registered.year..<today.year where !missed.contains(year) {
            let filed = LocalDate(year: year + 1, month: 1, day: 10 + who.index % 15)!
            if filed <= today { record(filed, "annual-summary-filed", who, by: who.applicant, who.summary(year)) }
        }
    }

    private mutating func barred(_ who: DemoInstitution, on day: LocalDate, _ first: (String, JSONValue), ground: String) {
        let call = [Candidate(type: first.0, stream: who.uscc.code, effectiveOn: day.description, actor: Self.city, payload: first.1),
                    Candidate(type: "barred-3-years", stream: who.uscc.code, effectiveOn: day.description, actor: Self.city,
                              payload: ["ground": .string(ground)])]
        act(day) { _ in call }
    }

    // MARK: The sixty stories

    mutating func script(policy: Policy) {
        let who = (0..<60).map { DemoInstitution(index: $0, policy: policy) }
        func date(_ text: String) -> LocalDate { LocalDate(text)! }
        var notices = 0
        func notice(_ day: LocalDate) -> String {
            notices += 1
            return "\(day.year)-\(notices)"
        }

        // Registered in 2024: summaries (some missed), renewals once their window opens.
        for k in 0..<14 {
            let submitted = date("2024-01-08").adding(days: k * 9)
            let registered = register(who[k], on: submitted, notice: notice(submitted))
            summaries(who[k], from: registered, missing: k % 5 == 0 ? [2024] : k % 4 == 1 ? [2025] : [])
            let opens = periods.renewalWindowOpens(periods.validThrough(registeredOn: registered)).adding(days: 5)
            if k % 3 == 0, opens <= today {
                record(opens, "renewed", who[k], by: Self.city, ["reviewOpinion": "期满复审合格，延续三年"])
            }
        }
        // Registered 2024–2025; changes of information; rectifications completed, failed and open.
        for k in 14..<24 {
            let submitted = date("2024-06-03").adding(days: (k - 14) * 23)
            let registered = register(who[k], on: submitted, notice: notice(submitted))
            summaries(who[k], from: registered, missing: k == 16 ? [2024, 2025] : [])
            if k % 2 == 0 {
                record(registered.adding(days: 120), "info-changed", who[k], by: who[k].applicant,
                       ["changes": ["contact": ["name": .string(DemoInstitution.person(k + 20)), "phone": "13900000000"]]])
            }
            switch k {
            case 15:
                record(date("2025-06-02"), "rectification-ordered", who[k], by: Self.city, ["reason": "服务台账不完整"])
                record(date("2025-10-20"), "rectification-completed", who[k], by: Self.city, ["verification": "已补齐台账，经核查合格"])
            case 16:
                let ordered = date("2025-04-01")
                record(ordered, "rectification-ordered", who[k], by: Self.city, ["reason": "未按要求报送年度工作总结"])
                let after = periods.rectificationDeadline(ordered).date.adding(days: 3)
                record(after, "revoked", who[k], by: Self.city, ["ground": "failed-rectification", "detail": "整改期满仍未报送工作总结"])
            case 17:
                record(date("2026-08-03"), "rectification-ordered", who[k], by: Self.city, ["reason": "未面向社会公众提供免费服务"])
            default:
                break
            }
        }
        // Registered in 2025; one wrongly dated change retracted and recorded again.
        for k in 24..<34 {
            let submitted = date("2025-02-10").adding(days: (k - 24) * 17)
            let registered = register(who[k], on: submitted, notice: notice(submitted))
            summaries(who[k], from: registered)
            if k == 25 {
                let wrong = date("2025-08-20"), right = date("2025-08-15")
                record(wrong, "info-changed", who[k], by: Self.city, ["changes": ["address": "沈阳市沈河区青年大街100号"]])
                act(date("2025-08-22")) { ledger in
                    let target = try ledger.store.events(ofStream: who[k].uscc.code).last!.seq
                    return [Candidate(type: "retracted", stream: who[k].uscc.code, effectiveOn: "2025-08-22", actor: Self.city,
                                      payload: ["targetSeq": .integer(target), "reason": "变更生效日期录入错误，应为8月15日"]),
                            Candidate(type: "info-changed", stream: who[k].uscc.code, effectiveOn: right.description, actor: Self.city,
                                      payload: ["changes": ["address": "沈阳市沈河区青年大街100号"]])]
                }
            }
        }
        // Declined: at the district, at review.
        for k in 34..<37 {
            let submitted = date("2025-03-03").adding(days: (k - 34) * 30)
            record(submitted, "submitted", who[k], by: who[k].applicant, who[k].application(on: submitted))
            if k == 36 {
                record(submitted.adding(days: 7), "recommended", who[k], by: who[k].districtBureau, ["opinion": "同意推荐", "head": "王强"])
                record(submitted.adding(days: 20), "declined", who[k], by: Self.city, ["stage": "review", "reason": "数据库和检索工具不足"])
            } else {
                record(submitted.adding(days: 10), "declined", who[k], by: who[k].districtBureau, ["stage": "district", "reason": "专职人员证明材料不全"])
            }
        }
        // Objections: upheld (then declined), dismissed (then registered).
        for k in 37..<39 {
            let submitted = date("2025-05-06").adding(days: (k - 37) * 14)
            let windowEnds = apply(who[k], on: submitted, notice: notice(submitted))
            let raised = windowEnds.adding(days: -2)
            let decided = windowEnds.adding(days: 6)
            record(raised, "objection", who[k], by: Self.objector,
                   ["objectionId": .string("2025-O-\(k)"), "raisedBy": ["name": "王某某", "contact": "13700000000"], "grounds": "申报的服务案例与实际不符"])
            record(decided, "objection-resolved", who[k], by: Self.city,
                   ["objectionId": .string("2025-O-\(k)"), "outcome": k == 37 ? "upheld" : "dismissed", "reason": k == 37 ? "经核实，异议成立" : "经核实，异议不成立"])
            if k == 37 {
                record(decided, "declined", who[k], by: Self.city, ["stage": "publicity", "reason": "公示期间异议成立"])
            } else {
                record(decided, "registered", who[k], by: Self.city, ["decision": "异议不成立，同意备案"])
            }
        }
        // Art. 19: revocations and a decline with their three-year bars.
        let fraud = register(who[39], on: date("2024-04-01"), notice: notice(date("2024-04-01")))
        barred(who[39], on: fraud.adding(days: 420), ("revoked", ["ground": "false-materials", "detail": "申报团队资质证明造假"]), ground: "false-materials")
        let submitted40 = date("2025-08-04")
        record(submitted40, "submitted", who[40], by: who[40].applicant, who[40].application(on: submitted40))
        record(submitted40.adding(days: 7), "recommended", who[40], by: who[40].districtBureau, ["opinion": "同意推荐", "head": "李伟"])
        barred(who[40], on: submitted40.adding(days: 21), ("declined", ["stage": "review", "reason": "营业执照复印件系伪造", "ground": "false-materials"]), ground: "false-materials")
        let commercial = register(who[41], on: date("2024-09-02"), notice: notice(date("2024-09-02")))
        barred(who[41], on: commercial.adding(days: 500), ("revoked", ["ground": "unrelated-commercial-activity", "detail": "以网点名义开展商业推销"]), ground: "unrelated-commercial-activity")
        // Art. 7: national and provincial outlets included; one inclusion ended; a TISC supersession; a termination.
        for k in 42..<46 {
            let included = date("2024-03-15").adding(days: (k - 42) * 60)
            record(included, "auto-included", who[k], by: Self.city,
                   ["level": k < 44 ? "national" : "provincial", "reference": k < 44 ? "国家知识产权局公告第六批网点" : "辽宁省知识产权局认定通知",
                    "institution": who[k].institution, "serviceItems": .array(who[k].serviceItems)])
            summaries(who[k], from: included, missing: k == 44 ? [2025] : [])
        }
        record(date("2026-06-30"), "inclusion-ended", who[45], by: Self.city, ["reason": "省级网点资格到期未延续"])
        let tisc = register(who[46], on: date("2024-02-05"), notice: notice(date("2024-02-05")))
        record(tisc.adding(days: 600), "superseded", who[46], by: Self.city, ["designation": "tisc"])
        let ended = register(who[47], on: date("2024-03-04"), notice: notice(date("2024-03-04")))
        summaries(who[47], from: ended)
        record(date("2026-04-08"), "terminated", who[47], by: Self.city,
               ["reason": "检索设备和数据库停用，不再符合备案条件", "requestedOn": "2026-03-30", "basis": "no-longer-eligible"])
        // Applications under way today: submitted, recommended, in publicity, awaiting decision, objection pending.
        let base = today.adding(days: -60)
        for k in 48..<53 {
            let submitted = base.adding(days: (k - 48) * -8)
            switch k {
            case 48:
                record(today.adding(days: -3), "submitted", who[k], by: who[k].applicant, who[k].application(on: today.adding(days: -3)))
            case 49:
                record(today.adding(days: -20), "submitted", who[k], by: who[k].applicant, who[k].application(on: today.adding(days: -20)))
                record(today.adding(days: -5), "recommended", who[k], by: who[k].districtBureau, ["opinion": "同意推荐", "head": "赵磊"])
            case 50:
                let publicized = today.adding(days: -2)
                record(publicized.adding(days: -30), "submitted", who[k], by: who[k].applicant, who[k].application(on: publicized.adding(days: -30)))
                record(publicized.adding(days: -20), "recommended", who[k], by: who[k].districtBureau, ["opinion": "同意推荐", "head": "孙丽"])
                record(publicized, "publicized", who[k], by: Self.city, ["noticeNo": .string(notice(publicized)), "reviewOpinion": "符合备案条件，予以公示"])
            case 51:
                apply(who[k], on: submitted, notice: notice(submitted))
            default:
                let windowEnds = apply(who[k], on: submitted, notice: notice(submitted))
                record(windowEnds, "objection", who[k], by: Self.objector,
                       ["objectionId": .string("O-\(k)"), "raisedBy": ["name": "李某", "contact": ""], "grounds": "服务场地与申报不符"])
            }
        }
        // Registered in 2026.
        for k in 53..<60 {
            let submitted = date("2026-01-12").adding(days: (k - 53) * 20)
            register(who[k], on: submitted, notice: notice(submitted))
        }
    }

    /// Appends every act up to today in the order recorded; returns the number of calls.
    /// `afterEach` runs after every act's append (a test waits there for the background snapshots).
    public static func build(into ledger: Ledger, clock: ManualClock, today: LocalDate, afterEach: () -> Void = {}) throws -> Int {
        var registry = DemoRegistry(today: today, periods: ledger.periods)
        registry.script(policy: ledger.policy)
        let acts = registry.acts.filter { $0.recordOn <= today }.sorted { ($0.recordOn, $0.order) < ($1.recordOn, $1.order) }
        for (index, act) in acts.enumerated() {
            // 09:00 in Shenyang (01:00Z), a few minutes apart.
            let midnight = Int64(act.recordOn.dayNumber) * 86_400_000
            clock.set(Timestamp(millisecondsSinceEpoch: midnight + 3_600_000 + Int64(index % 600) * 60_000))
            // Event ids of their own, so that the demo of a given date is the same ledger, byte for byte.
            let candidates = try act.make(ledger).enumerated().map { offset, candidate in
                var named = candidate
                if named.eventId == nil { named.eventId = "demo-\(index + 1)" + (offset == 0 ? "" : "-\(offset + 1)") }
                return named
            }
            _ = try ledger.append(candidates)
            afterEach()
        }
        return acts.count
    }
}

/// Institutions of the demo worth a look, by what happened to them.
public enum DemoInstitutionIDs {
    /// Revoked for false materials, barred for three years.
    public static func revokedForFraud(_ policy: Policy) -> String { DemoInstitution(index: 39, policy: policy).uscc.code }
    /// A wrongly dated change, retracted and recorded again.
    public static func corrected(_ policy: Policy) -> String { DemoInstitution(index: 25, policy: policy).uscc.code }
}
