import CanonicalJSON
import Foundation
import OutletTestSupport
@testable import OutletDomain

/// Actors of DOMAIN.md §1.
enum By {
    static let city = Actor(role: .cityBureau, unit: "210100", name: "沈阳市知识产权局")
    static let shenhe = Actor(role: .districtBureau, unit: "210103", name: "沈河区市场监督管理局")
    static let heping = Actor(role: .districtBureau, unit: "210102", name: "和平区市场监督管理局")
    static let anyone = Actor(role: .public, unit: "", name: "张三")
    static let system = Actor(role: .system)
    static func applicant(_ uscc: USCC) -> Actor { Actor(role: .applicant, unit: uscc.code, name: "刘洋") }
}

/// Payloads, decoded from JSON as the ledger decodes them.
enum Payload {
    static func decode(_ type: EventType, _ json: String) -> EventPayload {
        try! EventPayload.decode(type, from: JSONValueDecoder().decoder(for: JSONParser.parse(json)))
    }

    static func institution(_ uscc: USCC, district: String = "210103", category: Category = .university,
                            name: String = "沈阳示范大学") -> String
    {
        #"{"name":"\#(name)","uscc":"\#(uscc)","nature":"事业单位","category":"\#(category.rawValue)","district":"\#(district)","address":"沈阳市沈河区文化路3号","principal":{"name":"李明","title":"副校长"},"totalStaff":300,"department":{"name":"信息服务中心","head":"张华","phone":"024-1"},"contact":{"name":"刘洋","phone":"138"}}"#
    }

    static func submitted(_ uscc: USCC, district: String = "210103", category: Category = .university, fullTime: Int = 3,
                          materials: [String] = ["application-form", "license-copy", "service-rules", "work-report", "staff-credentials"],
                          sealed: Bool = true) -> EventPayload
    {
        let team = (0..<4).map { #"{"name":"成员\#($0)","fullTime":\#($0 < fullTime),"education":"硕士","qualifications":[],"bio":"信息检索"}"# }
        let list = materials.map { "\"\($0)\"" }.joined(separator: ",")
        return decode(.submitted, #"""
            {"institution":\#(institution(uscc, district: district, category: category)),"serviceTargets":"企业","serviceItems":["专利检索"],
             "ipCategories":["patent"],"serviceModes":["offline"],"foundation":"基础","team":[\#(team.joined(separator: ","))],
             "developmentPlan":"规划","cases":[{"name":"案例","period":"2024年","content":"内容"}],
             "infrastructure":{"databases":["CNIPA"],"tools":[]},"materials":[\#(list)],
             "declaration":{"handler":"刘洋","principal":"李明","date":"2025-08-20","sealed":\#(sealed)}}
            """#)
    }

    static let recommended = decode(.recommended, #"{"opinion":"同意推荐","head":"王强"}"#)
    static func publicized(_ notice: String = "2025-4") -> EventPayload {
        decode(.publicized, #"{"noticeNo":"\#(notice)","reviewOpinion":"符合条件"}"#)
    }
    static func objection(_ id: String) -> EventPayload {
        decode(.objection, #"{"objectionId":"\#(id)","raisedBy":{"name":"张三","contact":"139"},"grounds":"人员不实"}"#)
    }
    static func resolved(_ id: String, _ outcome: String) -> EventPayload {
        decode(.objectionResolved, #"{"objectionId":"\#(id)","outcome":"\#(outcome)","reason":"经核实"}"#)
    }
    static let registered = decode(.registered, #"{"decision":"同意备案"}"#)
    static func declined(_ stage: String, falseMaterials: Bool = false) -> EventPayload {
        decode(.declined, #"{"stage":"\#(stage)","reason":"不符合条件"\#(falseMaterials ? #","ground":"false-materials""# : "")}"#)
    }
    static func infoChanged(district: String? = nil) -> EventPayload {
        decode(.infoChanged, district.map { #"{"changes":{"district":"\#($0)"}}"# } ?? #"{"changes":{"address":"沈阳市沈河区文化路5号"}}"#)
    }
    static func summary(_ year: Int) -> EventPayload {
        decode(.annualSummaryFiled, #"{"year":\#(year),"overview":"概况","cases":[{"name":"案例","period":"\#(year)年","content":"内容"}],"lessons":"经验","nextYearPlan":"计划"}"#)
    }
    static let rectificationOrdered = decode(.rectificationOrdered, #"{"reason":"未报送年度总结"}"#)
    static let rectificationCompleted = decode(.rectificationCompleted, #"{"verification":"已整改"}"#)
    static func revoked(_ ground: Revoked.Ground) -> EventPayload {
        decode(.revoked, #"{"ground":"\#(ground.rawValue)","detail":"经查实"}"#)
    }
    static func barred(_ ground: Barred3Years.Ground) -> EventPayload {
        decode(.barred3Years, #"{"ground":"\#(ground.rawValue)"}"#)
    }
    static let renewed = decode(.renewed, #"{"reviewOpinion":"复审合格"}"#)
    static let terminated = decode(.terminated, #"{"reason":"不再符合条件","requestedOn":"2026-01-05","basis":"no-longer-eligible"}"#)
    static func included(_ uscc: USCC, level: String = "national") -> EventPayload {
        decode(.autoIncluded, #"{"level":"\#(level)","reference":"国知办发服字〔2024〕19号","institution":\#(institution(uscc)),"serviceItems":["专利检索"]}"#)
    }
    static let inclusionEnded = decode(.inclusionEnded, #"{"reason":"国家级网点期满"}"#)
    static func superseded(_ designation: String = "tisc") -> EventPayload {
        decode(.superseded, #"{"designation":"\#(designation)"}"#)
    }
    static func retracted(_ seq: Int64) -> EventPayload {
        decode(.retracted, #"{"targetSeq":\#(seq),"reason":"录入错误"}"#)
    }
}

/// "Given these events, when this is recorded, then accepted / refused": one institution's stream,
/// with every accepted event decided by the same rules the ledger applies.
struct Scenario {
    let uscc: USCC
    let decider: Decider
    private(set) var events: [DomainEvent] = []
    private var nextSeq: Int64 = 1

    init(_ uscc: USCC = USCC("91350100M000100Y43")!, periods: Periods = ShippedData.periods) {
        self.uscc = uscc
        self.decider = Decider(periods: periods)
    }

    func event(_ type: EventType, _ date: String, by actor: Actor, _ payload: EventPayload, seq: Int64? = nil) -> DomainEvent {
        DomainEvent(seq: seq ?? nextSeq, type: type, effectiveOn: day(date), actor: actor, payload: payload)
    }

    /// Decides the events as one call; on acceptance they join the stream. Returns the refusal, if any.
    @discardableResult
    mutating func record(_ proposed: [(EventType, String, Actor, EventPayload)]) -> Refusal? {
        var batch: [DomainEvent] = []
        for (offset, (type, date, actor, payload)) in proposed.enumerated() {
            batch.append(event(type, date, by: actor, payload, seq: nextSeq + Int64(offset)))
        }
        do {
            _ = try decider.decide(batch, stream: uscc, history: events)
        } catch {
            return error
        }
        events += batch
        nextSeq += Int64(batch.count)
        return nil
    }

    @discardableResult
    mutating func record(_ type: EventType, _ date: String, by actor: Actor, _ payload: EventPayload) -> Refusal? {
        record([(type, date, actor, payload)])
    }

    /// The refusal the event would get, leaving the stream as it is.
    func refusal(_ type: EventType, _ date: String, by actor: Actor, _ payload: EventPayload) -> Refusal? {
        var copy = self
        return copy.record(type, date, by: actor, payload)
    }

    /// Submitted 2025-08-25, recommended 09-02, publicized 09-26 (window ends 10-09), registered 10-10.
    mutating func registerOutlet(district: String = "210103", category: Category = .university) {
        let district = By.shenhe.unit == district ? By.shenhe : Actor(role: .districtBureau, unit: district)
        let refusals = [
            record(.submitted, "2025-08-25", by: By.applicant(uscc), Payload.submitted(uscc, district: district.unit, category: category)),
            record(.recommended, "2025-09-02", by: district, Payload.recommended),
            record(.publicized, "2025-09-26", by: By.city, Payload.publicized()),
            record(.registered, "2025-10-10", by: By.city, Payload.registered),
        ].compactMap { $0 }
        precondition(refusals.isEmpty, "\(refusals)")
    }

    func state(on date: String) -> InstitutionState {
        InstitutionState.fold(Retractions.live(events).filter { $0.effectiveOn <= day(date) }, periods: decider.periods)
    }

    func status(on date: String) -> StatusReport {
        state(on: date).status(on: day(date), periods: decider.periods)
    }
}
