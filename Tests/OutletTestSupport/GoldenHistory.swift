import CanonicalJSON
import Foundation
import OutletDomain

import OutletProjections

/// The scripted history of the golden tests: six institutions, written as the ledger would record
/// them (one global seq), with expectations worked out by hand from the rules in the tests.
///
///   A university 沈河区: submitted 2025-08-25, recommended 09-02, publicized 09-26 (window → 10-09),
///     registered 10-10 (SY-2025-001), summary 2025 filed 2026-01-10, rectification ordered 2026-03-02.
///   B library 沈北新区: submitted 2025-09-01, recommended 09-08, publicized 09-29 (window → 10-09),
///     registered 10-10 (SY-2025-002), revoked for false materials with a bar on 2026-02-02.
///   C national outlet included 2025-03-01; inclusion ended 2026-06-01.
///   D service firm 浑南区: submitted 2024-01-08, recommended 01-15, publicized 2024-02-05 (day 5 in the
///     Spring Festival, 02-18 a working Sunday → window ends 02-18), registered 02-19 (SY-2024-001);
///     no summary for 2024; summary 2025 filed 2026-01-05.
///   E institute 大东区: submitted 2025-11-03, recommended 11-10, publicized 12-01 (window → 12-06, a
///     Saturday → 12-08), objection 12-05 dismissed 12-10, registered 12-10 (SY-2025-003).
///   F provincial outlet included 2025-05-01; the inclusion retracted (recorded 2025-06-01).
public enum GoldenHistory {
    public static func uscc(_ letter: String) -> USCC { USCC.completing("912101000000000" + "0" + letter)! }
    public static let a = uscc("A"), b = uscc("B"), c = uscc("C"), d = uscc("D"), e = uscc("E"), f = uscc("F")

    public static let city = Actor(role: .cityBureau, unit: "210100")
    public static func district(_ code: String) -> Actor { Actor(role: .districtBureau, unit: code) }
    public static func applicant(_ uscc: USCC) -> Actor { Actor(role: .applicant, unit: uscc.code) }

    public static func payload(_ type: EventType, _ json: String) -> EventPayload {
        try! EventPayload.decode(type, from: JSONValueDecoder().decoder(for: JSONParser.parse(json)))
    }

    public static func institution(_ uscc: USCC, _ name: String, _ category: String, _ district: String) -> String {
        #"{"name":"\#(name)","uscc":"\#(uscc)","nature":"事业单位","category":"\#(category)","district":"\#(district)","address":"沈阳市\#(district)","principal":{"name":"李明","title":"主任"},"totalStaff":50,"department":{"name":"服务部","head":"张华","phone":"024-1"},"contact":{"name":"刘洋","phone":"138"}}"#
    }

    public static func submitted(_ uscc: USCC, _ name: String, _ category: String, _ district: String) -> EventPayload {
        let member = #"{"name":"甲","fullTime":true,"education":"硕士","qualifications":[],"bio":"检索"}"#
        return payload(.submitted, #"""
            {"institution":\#(institution(uscc, name, category, district)),"serviceTargets":"企业","serviceItems":["专利检索","培训"],
             "ipCategories":["patent"],"serviceModes":["offline"],"foundation":"基础","team":[\#(member),\#(member),\#(member)],
             "developmentPlan":"规划","cases":[{"name":"案例","period":"2024年","content":"内容"}],
             "infrastructure":{"databases":["CNIPA"],"tools":[]},
             "materials":["application-form","license-copy","service-rules","work-report","staff-credentials"],
             "declaration":{"handler":"刘洋","principal":"李明","date":"2024-01-01","sealed":true}}
            """#)
    }

    public static func included(_ uscc: USCC, _ name: String, _ level: String) -> EventPayload {
        payload(.autoIncluded, #"{"level":"\#(level)","reference":"公告","institution":\#(institution(uscc, name, "other", "210102")),"serviceItems":["咨询"]}"#)
    }

    public static let recommended = payload(.recommended, #"{"opinion":"同意","head":"王强"}"#)
    public static func publicized(_ notice: String) -> EventPayload { payload(.publicized, #"{"noticeNo":"\#(notice)","reviewOpinion":"符合"}"#) }
    public static let registered = payload(.registered, #"{"decision":"同意备案"}"#)
    public static func summary(_ year: Int) -> EventPayload {
        payload(.annualSummaryFiled, #"{"year":\#(year),"overview":"概况","cases":[{"name":"案例","period":"\#(year)","content":"内容"}],"lessons":"经验","nextYearPlan":"计划"}"#)
    }

    /// (stream, type, effectiveOn, actor, payload) in recording order; seq = position + 1.
    public static let script: [(USCC, EventType, String, Actor, EventPayload)] = [
        (d, .submitted, "2024-01-08", applicant(d), submitted(d, "丁知识产权服务有限公司", "market-service", "210112")),  // 1
        (d, .recommended, "2024-01-15", district("210112"), recommended),  // 2
        (d, .publicized, "2024-02-05", city, publicized("2024-1")),  // 3
        (d, .registered, "2024-02-19", city, registered),  // 4  SY-2024-001
        (c, .autoIncluded, "2025-03-01", city, included(c, "丙国家级网点", "national")),  // 5
        (f, .autoIncluded, "2025-05-01", city, included(f, "己省级网点", "provincial")),  // 6
        (f, .retracted, "2025-06-01", city, payload(.retracted, #"{"targetSeq":6,"reason":"误录"}"#)),  // 7
        (a, .submitted, "2025-08-25", applicant(a), submitted(a, "甲大学", "university", "210103")),  // 8
        (b, .submitted, "2025-09-01", applicant(b), submitted(b, "乙图书馆", "library-museum", "210113")),  // 9
        (a, .recommended, "2025-09-02", district("210103"), recommended),  // 10
        (b, .recommended, "2025-09-08", district("210113"), recommended),  // 11
        (a, .publicized, "2025-09-26", city, publicized("2025-4")),  // 12
        (b, .publicized, "2025-09-29", city, publicized("2025-5")),  // 13
        (a, .registered, "2025-10-10", city, registered),  // 14  SY-2025-001
        (b, .registered, "2025-10-10", city, registered),  // 15  SY-2025-002
        (e, .submitted, "2025-11-03", applicant(e), submitted(e, "戊研究所", "research-institute", "210104")),  // 16
        (e, .recommended, "2025-11-10", district("210104"), recommended),  // 17
        (e, .publicized, "2025-12-01", city, publicized("2025-6")),  // 18
        (e, .objection, "2025-12-05", Actor(role: .public), payload(.objection, #"{"objectionId":"o-1","raisedBy":{"name":"","contact":""},"grounds":"不实"}"#)),  // 19
        (e, .objectionResolved, "2025-12-10", city, payload(.objectionResolved, #"{"objectionId":"o-1","outcome":"dismissed","reason":"不成立"}"#)),  // 20
        (e, .registered, "2025-12-10", city, registered),  // 21  SY-2025-003
        (d, .annualSummaryFiled, "2026-01-05", applicant(d), summary(2025)),  // 22
        (a, .annualSummaryFiled, "2026-01-10", applicant(a), summary(2025)),  // 23
        (b, .revoked, "2026-02-02", city, payload(.revoked, #"{"ground":"false-materials","detail":"虚假材料"}"#)),  // 24
        (b, .barred3Years, "2026-02-02", city, payload(.barred3Years, #"{"ground":"false-materials"}"#)),  // 25
        (a, .rectificationOrdered, "2026-03-02", city, payload(.rectificationOrdered, #"{"reason":"服务不足"}"#)),  // 26
        (c, .inclusionEnded, "2026-06-01", city, payload(.inclusionEnded, #"{"reason":"期满"}"#)),  // 27
    ]

    public static var events: [(USCC, DomainEvent)] {
        script.enumerated().map { index, step in
            (step.0, DomainEvent(seq: Int64(index + 1), type: step.1, effectiveOn: LocalDate(step.2)!, actor: step.3, payload: step.4))
        }
    }

    /// The projection of the log as known after `seq` (every event, by default).
    public static func projection(knownAfter seq: Int64 = .max) -> RegistryProjection {
        var projection = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in events where event.seq <= seq { projection.apply(event, stream: stream) }
        return projection
    }

    /// A registry of `copies` golden histories one after another, each copy's institutions under codes of
    /// their own: thousands of timelines with everything the golden history holds.
    public static func projection(copies: Int) -> RegistryProjection {
        var projection = RegistryProjection(periods: ShippedData.periods)
        let streams = Array(Set(events.map(\.0))).sorted()
        for copy in 0..<copies {
            for (stream, event) in events {
                let number = copy * streams.count + streams.firstIndex(of: stream)!
                let body = "91210100" + String(repeating: "0", count: 9 - String(number).count) + String(number)
                projection.apply(DomainEvent(seq: Int64(copy * events.count) + event.seq, type: event.type, effectiveOn: event.effectiveOn,
                                             actor: event.actor, payload: event.payload),
                                 stream: USCC.completing(body)!)
            }
        }
        return projection
    }
}
