import CanonicalJSON
import OutletDomain
import OutletLedger
import OutletCore

/// A national-scale synthetic history for benchmarks: `institutions` outlets from 2014 to `today`,
/// each living a lifecycle the rules accept (application, registration, yearly summaries, changes,
/// renewals or expiry, a few rectifications, declines and revocations with bars), emitted in recording
/// order as import candidates with their `recordedAt`, in chunks.
public struct SyntheticRegistry {
    /// One scheduled act, compact so that millions fit in memory before they are sorted.
    struct Act {
        let day: Int32
        let institution: Int32
        let step: Int16
        let kind: Kind
        let year: Int16
    }

    enum Kind: UInt8 {
        case submitted, recommended, publicized, registered, declined, summary, infoChanged
        case rectificationOrdered, rectificationCompleted, renewed, revoked, barred
    }

    let periods: Periods
    let policy: Policy
    let today: LocalDate
    private(set) var acts: [Act] = []
    /// How many institutions the schedule drew (some may have no act left after the cut to `events`).
    public private(set) var institutionCount = 0

    public init(periods: Periods, today: LocalDate) {
        self.periods = periods
        self.policy = periods.policy
        self.today = today
    }

    /// Schedules institutions until about `events` acts are scheduled.
    public mutating func schedule(events target: Int, seed: UInt64 = 2014) {
        var random = SplitMix64(state: seed)
        var index: Int32 = 0
        let first = LocalDate("2014-01-02")!.dayNumber, last = today.adding(days: -400).dayNumber
        while acts.count < target {
            scheduleInstitution(index, submitted: LocalDate(dayNumber: Int(random.next() % UInt64(last - first)) + first), random: &random)
            index += 1
        }
        institutionCount = Int(index)
        acts.sort { ($0.day, $0.institution, $0.step) < ($1.day, $1.institution, $1.step) }
        if acts.count > target { acts.removeLast(acts.count - target) }
    }

    private mutating func scheduleInstitution(_ index: Int32, submitted: LocalDate, random: inout SplitMix64) {
        var step: Int16 = 0
        func add(_ date: LocalDate, _ kind: Kind, year: Int = 0) {
            guard date < today else { return }  // recorded at 09:00 on its day, which must not lie ahead
            self.acts.append(Act(day: Int32(date.dayNumber), institution: index, step: step, kind: kind, year: Int16(year)))
            step += 1
        }
        let roll = random.next() % 100
        add(submitted, .submitted)
        if roll < 8 {
            add(submitted.adding(days: 12), .declined)
            return
        }
        add(submitted.adding(days: 7), .recommended)
        let publicized = submitted.adding(days: 28)
        add(publicized, .publicized)
        let registered = periods.publicityWindowEnd(publicized).date.adding(days: 1)
        add(registered, .registered)
        var validThrough = periods.validThrough(registeredOn: registered)
        var endedOn: LocalDate?
        if roll < 10 {
            endedOn = registered.adding(days: 700)
        }
        // Renew while the window opens before today, for three in four outlets.
        while random.next() % 4 != 0 {
            let renewal = periods.renewalWindowOpens(validThrough).adding(days: 10)
            guard renewal <= today, endedOn.map({ renewal < $0 }) ?? true else { break }
            add(renewal, .renewed)
            validThrough = periods.renewedThrough(validThrough)
        }
        let lastOnRoster = min(endedOn.map { $0.adding(days: -1) } ?? validThrough, validThrough)
        var later: [(LocalDate, Kind, Int)] = []
        for year in registered.year...lastOnRoster.year where random.next() % 10 != 0 {
            later.append((LocalDate(year: year + 1, month: 1, day: 5 + Int(index % 20))!, .summary, year))
        }
        var change = registered.adding(days: 200 + Int(random.next() % 300))
        while change < lastOnRoster {
            later.append((change, .infoChanged, 0))
            change = change.adding(days: 300 + Int(random.next() % 500))
        }
        if random.next() % 10 == 0 {
            let ordered = registered.adding(days: 400)
            if ordered.adding(days: 60) < lastOnRoster {
                later.append((ordered, .rectificationOrdered, 0))
                later.append((ordered.adding(days: 60), .rectificationCompleted, 0))
            }
        }
        for (date, kind, year) in later.sorted(by: { $0.0 < $1.0 }) {
            add(date, kind, year: year)
        }
        if let endedOn {
            add(endedOn, .revoked)
            add(endedOn, .barred)
        }
    }

    /// The scheduled acts as import candidates, recorded at 09:00 in Shenyang on their day, `size` at a time.
    public func chunks(of size: Int) -> AnyIterator<[Candidate]> {
        var position = 0
        var institutions: [Int32: DemoInstitution] = [:]
        return AnyIterator {
            guard position < acts.count else { return nil }
            var end = min(position + size, acts.count)
            // A revocation travels with its bar in one call (Art. 19): never split the pair.
            while end < acts.count, acts[end - 1].kind == .revoked { end += 1 }
            var candidates: [Candidate] = []
            candidates.reserveCapacity(end - position)
            for offset in position..<end {
                let act = acts[offset]
                let who = institutions[act.institution] ?? DemoInstitution(index: Int(act.institution), policy: policy)
                institutions[act.institution] = who
                candidates.append(candidate(act, who, recordedAt: offset))
            }
            position = end
            return candidates
        }
    }

    /// Applications (`submitted`, to be appended now) by `count` institutions that are not in the
    /// schedule: fresh streams, as new applicants are.
    public func applications(_ count: Int, on day: LocalDate) -> [Candidate] {
        (0..<count).map { offset in
            let who = DemoInstitution(index: institutionCount + offset, policy: policy)
            return Candidate(type: "submitted", stream: who.uscc.code, effectiveOn: day.description, actor: who.applicant,
                             payload: who.application(on: day))
        }
    }

    func candidate(_ act: Act, _ who: DemoInstitution, recordedAt offset: Int) -> Candidate {
        let day = LocalDate(dayNumber: Int(act.day))
        let city = EnvelopeActor(role: "city-bureau", unit: policy.cityBureauUnit, name: "沈阳市知识产权局")
        let (type, actor, payload): (String, EnvelopeActor, JSONValue) = switch act.kind {
        case .submitted: ("submitted", who.applicant, who.application(on: day))
        case .recommended: ("recommended", who.districtBureau, ["opinion": "材料属实，同意推荐", "head": "王强"])
        case .publicized: ("publicized", city, ["noticeNo": .string("\(day.year)-\(act.institution)"), "reviewOpinion": "符合备案条件"])
        case .registered: ("registered", city, ["decision": "公示无异议，同意备案"])
        case .declined: ("declined", who.districtBureau, ["stage": "district", "reason": "专职人员不足"])
        case .summary: ("annual-summary-filed", who.applicant, who.summary(Int(act.year)))
        case .infoChanged: ("info-changed", who.applicant, ["changes": ["contact": ["name": .string(DemoInstitution.person(Int(act.day))), "phone": "13900000000"]]])
        case .rectificationOrdered: ("rectification-ordered", city, ["reason": "服务台账不完整"])
        case .rectificationCompleted: ("rectification-completed", city, ["verification": "经核查已整改"])
        case .renewed: ("renewed", city, ["reviewOpinion": "期满复审合格"])
        case .revoked: ("revoked", city, ["ground": "illegal-activity", "detail": "从事违法违规活动"])
        case .barred: ("barred-3-years", city, ["ground": "illegal-activity"])
        }
        // Recorded at 09:00 Shenyang time plus a millisecond per act, so recordedAt never decreases.
        let recorded = Timestamp(millisecondsSinceEpoch: Int64(act.day) * 86_400_000 + 3_600_000 + Int64(offset % 3_600_000))
        return Candidate(type: type, stream: who.uscc.code, effectiveOn: day.description, actor: actor, payload: payload,
                         recordedAt: recorded)
    }
}
