import CanonicalJSON
import OutletDomain

// A whole payload of the newest schema version, scanned from its canonical bytes: how the form check
// reads an appended or imported event. `Decodable`'s generic containers cost an application's check
// more than the parse, the schema and the canonical form together; this reading allocates only the
// payload. The members are those of the payload types' `Codable` forms (a test compares the two
// readings on every fixture and every event of the demo and of synthetic histories; the fuzzer's
// fold-facts target on any bytes). A miss leaves the payload to `EventPayload.decode`, which names the
// fault. Imports only the parser and the domain, as FoldEvent+Scanning does.

extension EventPayload {
    init(scanning type: EventType, _ bytes: UnsafeBufferPointer<UInt8>) throws(ScanMiss) {
        var scanner = CanonicalScanner(bytes)
        switch type {
        case .submitted: self = .submitted(try Submitted(scanning: &scanner))
        case .recommended:
            let (opinion, head) = try scanner.twoStrings("opinion", "head")
            self = .recommended(Recommended(opinion: opinion, head: head))
        case .publicized:
            let (noticeNo, reviewOpinion) = try scanner.twoStrings("noticeNo", "reviewOpinion")
            self = .publicized(Publicized(noticeNo: noticeNo, reviewOpinion: reviewOpinion))
        case .objection: self = .objection(try Objection(scanning: &scanner))
        case .objectionResolved: self = .objectionResolved(try ObjectionResolved(scanning: &scanner))
        case .registered: self = .registered(Registered(decision: try scanner.member("decision") { scanner throws(ScanMiss) in try scanner.string() }))
        case .declined: self = .declined(try Declined(scanning: &scanner))
        case .infoChanged:
            self = .infoChanged(InfoChanged(changes: try scanner.member("changes") { scanner throws(ScanMiss) in try InfoChanged.Changes(scanning: &scanner) }))
        case .annualSummaryFiled: self = .annualSummaryFiled(try AnnualSummaryFiled(scanning: &scanner))
        case .rectificationOrdered:
            self = .rectificationOrdered(RectificationOrdered(reason: try scanner.member("reason") { scanner throws(ScanMiss) in try scanner.string() }))
        case .rectificationCompleted:
            let verification = try scanner.member("verification") { scanner throws(ScanMiss) in try scanner.string() }
            self = .rectificationCompleted(RectificationCompleted(verification: verification))
        case .revoked: self = .revoked(try Revoked(scanning: &scanner))
        case .barred3Years:
            self = .barred3Years(Barred3Years(ground: try scanner.member("ground") { scanner throws(ScanMiss) in try scanner.enumeration() }))
        case .renewed: self = .renewed(Renewed(reviewOpinion: try scanner.member("reviewOpinion") { scanner throws(ScanMiss) in try scanner.string() }))
        case .terminated: self = .terminated(try Terminated(scanning: &scanner))
        case .autoIncluded: self = .autoIncluded(try AutoIncluded(scanning: &scanner))
        case .inclusionEnded: self = .inclusionEnded(InclusionEnded(reason: try scanner.member("reason") { scanner throws(ScanMiss) in try scanner.string() }))
        case .superseded:
            self = .superseded(Superseded(designation: try scanner.member("designation") { scanner throws(ScanMiss) in try scanner.enumeration() }))
        case .retracted: self = .retracted(try Retracted(scanning: &scanner))
        }
        try scanner.end()
    }
}

extension CanonicalScanner {
    /// An array whose elements `read` takes one by one.
    mutating func array<Element>(_ read: (inout CanonicalScanner) throws(ScanMiss) -> Element) throws(ScanMiss) -> [Element] {
        var items: [Element] = []
        try elements { scanner throws(ScanMiss) in items.append(try read(&scanner)) }
        return items
    }

    /// A calendar date, as `LocalDate`'s `Decodable` form takes it.
    mutating func date() throws(ScanMiss) -> LocalDate {
        guard let date = LocalDate(try string()) else { throw miss("a calendar date") }
        return date
    }
}

extension Submitted {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var institution: Institution?, serviceTargets: String?, serviceItems: [String]?, ipCategories: [IPCategory]?
        var serviceModes: [ServiceMode]?, foundation: String?, team: [TeamMember]?, developmentPlan: String?
        var cases: [ServiceCase]?, infrastructure: Infrastructure?, materials: [String]?, declaration: Declaration?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "institution" { institution = try Institution(scanning: &scanner) }
            else if member == "serviceTargets" { serviceTargets = try scanner.string() }
            else if member == "serviceItems" { serviceItems = try scanner.strings() }
            else if member == "ipCategories" { ipCategories = try scanner.array { scanner throws(ScanMiss) in try scanner.enumeration() } }
            else if member == "serviceModes" { serviceModes = try scanner.array { scanner throws(ScanMiss) in try scanner.enumeration() } }
            else if member == "foundation" { foundation = try scanner.string() }
            else if member == "team" { team = try scanner.array { scanner throws(ScanMiss) in try TeamMember(scanning: &scanner) } }
            else if member == "developmentPlan" { developmentPlan = try scanner.string() }
            else if member == "cases" { cases = try scanner.array { scanner throws(ScanMiss) in try ServiceCase(scanning: &scanner) } }
            else if member == "infrastructure" { infrastructure = try Infrastructure(scanning: &scanner) }
            else if member == "materials" { materials = try scanner.strings() }
            else if member == "declaration" { declaration = try Declaration(scanning: &scanner) }
            else { try scanner.skip() }
        }
        guard let institution, let serviceTargets, let serviceItems, let ipCategories, let serviceModes, let foundation, let team,
              let developmentPlan, let cases, let infrastructure, let materials, let declaration
        else { throw scanner.miss("every required member of an application") }
        self.init(institution: institution, serviceTargets: serviceTargets, serviceItems: serviceItems, ipCategories: ipCategories,
                  serviceModes: serviceModes, foundation: foundation, team: team, developmentPlan: developmentPlan, cases: cases,
                  infrastructure: infrastructure, materials: materials, declaration: declaration)
    }
}

extension TeamMember {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var name: String?, fullTime: Bool?, education: String?, qualifications: [String]?, bio: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "name" { name = try scanner.string() }
            else if member == "fullTime" { fullTime = try scanner.bool() }
            else if member == "education" { education = try scanner.string() }
            else if member == "qualifications" { qualifications = try scanner.strings() }
            else if member == "bio" { bio = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let name, let fullTime, let education, let qualifications, let bio else { throw scanner.miss("every member of a team member") }
        self.init(name: name, fullTime: fullTime, education: education, qualifications: qualifications, bio: bio)
    }
}

extension Infrastructure {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var databases: [String]?, tools: [String]?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "databases" { databases = try scanner.strings() }
            else if member == "tools" { tools = try scanner.strings() }
            else { try scanner.skip() }
        }
        guard let databases, let tools else { throw scanner.miss("databases and tools") }
        self.init(databases: databases, tools: tools)
    }
}

extension ServiceCase {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var name: String?, period: String?, content: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "name" { name = try scanner.string() }
            else if member == "period" { period = try scanner.string() }
            else if member == "content" { content = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let name, let period, let content else { throw scanner.miss("name, period and content") }
        self.init(name: name, period: period, content: content)
    }
}

extension Declaration {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var handler: String?, principal: String?, date: LocalDate?, sealed: Bool?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "handler" { handler = try scanner.string() }
            else if member == "principal" { principal = try scanner.string() }
            else if member == "date" { date = try scanner.date() }
            else if member == "sealed" { sealed = try scanner.bool() }
            else { try scanner.skip() }
        }
        guard let handler, let principal, let date, let sealed else { throw scanner.miss("handler, principal, date and sealed") }
        self.init(handler: handler, principal: principal, date: date, sealed: sealed)
    }
}

extension Objection {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var objectionId: String?, raisedBy: RaisedBy?, grounds: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "objectionId" { objectionId = try scanner.string() }
            else if member == "raisedBy" {
                let (name, contact) = try scanner.twoStrings("name", "contact")
                raisedBy = RaisedBy(name: name, contact: contact)
            }
            else if member == "grounds" { grounds = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let objectionId, let raisedBy, let grounds else { throw scanner.miss("objectionId, raisedBy and grounds") }
        self.init(objectionId: objectionId, raisedBy: raisedBy, grounds: grounds)
    }
}

extension ObjectionResolved {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var objectionId: String?, outcome: Outcome?, reason: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "objectionId" { objectionId = try scanner.string() }
            else if member == "outcome" { outcome = try scanner.enumeration() }
            else if member == "reason" { reason = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let objectionId, let outcome, let reason else { throw scanner.miss("objectionId, outcome and reason") }
        self.init(objectionId: objectionId, outcome: outcome, reason: reason)
    }
}

extension Declined {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var stage: Stage?, reason: String?, ground: Ground?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "stage" { stage = try scanner.enumeration() }
            else if member == "reason" { reason = try scanner.string() }
            else if member == "ground" { ground = try scanner.optional { scanner throws(ScanMiss) in try scanner.enumeration() } }
            else { try scanner.skip() }
        }
        guard let stage, let reason else { throw scanner.miss("stage and reason") }
        self.init(stage: stage, reason: reason, ground: ground)
    }
}

extension AnnualSummaryFiled {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var year: Int?, overview: String?, cases: [ServiceCase]?, lessons: String?, nextYearPlan: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "year" { year = try scanner.int() }
            else if member == "overview" { overview = try scanner.string() }
            else if member == "cases" { cases = try scanner.array { scanner throws(ScanMiss) in try ServiceCase(scanning: &scanner) } }
            else if member == "lessons" { lessons = try scanner.string() }
            else if member == "nextYearPlan" { nextYearPlan = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let year, let overview, let cases, let lessons, let nextYearPlan else { throw scanner.miss("every member of an annual summary") }
        self.init(year: year, overview: overview, cases: cases, lessons: lessons, nextYearPlan: nextYearPlan)
    }
}

extension Revoked {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var ground: Ground?, detail: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "ground" { ground = try scanner.enumeration() }
            else if member == "detail" { detail = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let ground, let detail else { throw scanner.miss("ground and detail") }
        self.init(ground: ground, detail: detail)
    }
}

extension Terminated {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var reason: String?, requestedOn: LocalDate?, basis: Basis?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "reason" { reason = try scanner.string() }
            else if member == "requestedOn" { requestedOn = try scanner.date() }
            else if member == "basis" { basis = try scanner.enumeration() }
            else { try scanner.skip() }
        }
        guard let reason, let requestedOn, let basis else { throw scanner.miss("reason, requestedOn and basis") }
        self.init(reason: reason, requestedOn: requestedOn, basis: basis)
    }
}

extension AutoIncluded {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var level: Level?, reference: String?, institution: Institution?, serviceItems: [String]?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "level" { level = try scanner.enumeration() }
            else if member == "reference" { reference = try scanner.string() }
            else if member == "institution" { institution = try Institution(scanning: &scanner) }
            else if member == "serviceItems" { serviceItems = try scanner.strings() }
            else { try scanner.skip() }
        }
        guard let level, let reference, let institution, let serviceItems else { throw scanner.miss("level, reference, institution and serviceItems") }
        self.init(level: level, reference: reference, institution: institution, serviceItems: serviceItems)
    }
}

extension Retracted {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var targetSeq: Int?, reason: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "targetSeq" { targetSeq = try scanner.int() }
            else if member == "reason" { reason = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let targetSeq, let reason else { throw scanner.miss("targetSeq and reason") }
        self.init(targetSeq: targetSeq, reason: reason)
    }
}
