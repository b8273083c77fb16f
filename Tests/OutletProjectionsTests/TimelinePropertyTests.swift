import OutletDomain
@testable import OutletProjections
import OutletTestSupport
import Testing

@Suite("Timelines answer every date as a naive refold of the events effective by then would")
struct TimelinePropertyTests {
    static func naiveStatus(_ log: [(USCC, DomainEvent)], _ uscc: USCC, on date: LocalDate, knownAfter seq: Int64) -> StatusReport {
        let events = log.filter { $0.0 == uscc && $0.1.seq <= seq }.map(\.1)
        let live = Retractions.live(events).filter { $0.effectiveOn <= date }
        return InstitutionState.fold(live, periods: ShippedData.periods).status(on: date, periods: ShippedData.periods)
    }

    @Test("status and roster membership agree on every 7th day from 2024 to 2029, for random histories and known-at cutoffs, folded to the cutoff or read back from the whole log",
          arguments: Array(UInt64(1)...UInt64(16)))
    func agreesWithNaiveRefold(seed: UInt64) {
        let history = RandomHistory(seed: seed)
        #expect(history.log.count > 10, "seed \(seed) produced a short history")
        let cutoffs = [Int64(history.log.count), Int64(history.log.count / 2), Int64(history.log.count / 3)]
        var whole = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in history.log { whole.apply(event, stream: stream) }
        // Folded up to the cutoff, and the whole log read as known at the cutoff: both must be the naive refold.
        for cutoff in cutoffs {
            var prefix = RegistryProjection(periods: ShippedData.periods)
            for (stream, event) in history.log where event.seq <= cutoff { prefix.apply(event, stream: stream) }
            for projection in [prefix, whole.known(atSeq: cutoff)] {
                var date = LocalDate("2024-01-01")!
                while date <= LocalDate("2029-12-31")! {
                    let roster = Set(projection.roster(on: date).map(\.uscc))
                    for uscc in history.streams {
                        let naive = Self.naiveStatus(history.log, uscc, on: date, knownAfter: cutoff)
                        let answered = projection.status(of: uscc, on: date)
                        #expect(answered == naive, "seed \(seed) cutoff \(cutoff) \(uscc) on \(date)")
                        #expect(roster.contains(uscc) == (naive.status == .active || naive.status == .included),
                                "seed \(seed) cutoff \(cutoff) \(uscc) on \(date): roster \(roster.contains(uscc)), status \(naive.status)")
                    }
                    date = date.adding(days: 7)
                }
            }
        }
    }

    @Test("a state read where it lies, from its slot's words, is the one its timeline's array lends, in a timeline or an optional one; past the last version there is none",
          arguments: [UInt64(3), 11])
    func stateInPlaceIsTheArrays(seed: UInt64) {
        var projection = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in RandomHistory(seed: seed).log { projection.apply(event, stream: stream) }
        for timeline in projection.timelines {
            var slot: Timeline? = timeline
            let count = timeline.allVersions.count
            timeline.allVersions.withUnsafeBufferPointer { versions in
                withUnsafePointer(to: timeline) { held in
                    withUnsafePointer(to: &slot) { optional in
                        for position in 0..<count {
                            let lent = Timeline.Version.state(of: versions.baseAddress! + position)
                            #expect(Timeline.state(at: position, inSlot: UnsafeRawPointer(held)) == lent, "\(timeline.uscc) version \(position)")
                            #expect(Timeline.state(at: position, inSlot: UnsafeRawPointer(optional)) == lent, "\(timeline.uscc) version \(position), optional")
                        }
                        #expect(Timeline.state(at: count, inSlot: UnsafeRawPointer(held)) == nil)
                        #expect(Timeline.state(at: -1, inSlot: UnsafeRawPointer(held)) == nil)
                    }
                }
            }
        }
    }

    @Test("the random histories exercise the whole procedure")
    func coverage() {
        var types: Set<EventType> = []
        for seed in UInt64(1)...UInt64(16) { types.formUnion(RandomHistory(seed: seed).log.map(\.1.type)) }
        #expect(types.isSuperset(of: [.submitted, .recommended, .publicized, .registered, .declined, .renewed, .revoked,
                                      .barred3Years, .autoIncluded, .retracted, .annualSummaryFiled, .rectificationOrdered]))
    }

    @Test("the version index finds for every institution at once the state its timeline finds alone, at every known-at seq and every 30th day, whether grown event by event or rebuilt from whole timelines as a snapshot restores them, its pass whole or in parts",
          arguments: Array(UInt64(1)...UInt64(16)))
    func versionIndexAgreesWithTimelines(seed: UInt64) {
        let history = RandomHistory(seed: seed)
        var grown = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in history.log { grown.apply(event, stream: stream) }
        let restored = RegistryProjection(periods: grown.periods, timelines: grown.timelines, outletNumbers: grown.outletNumbers,
                                          registrationsByYear: grown.registrationsByYear, foldedThrough: grown.foldedThrough,
                                          eventCount: grown.eventCount)
        guard let rebuilt = restored else { Issue.record("seed \(seed): the timelines were refused"); return }
        for cutoff in Int64(0)...grown.foldedThrough {
            var date = LocalDate("2024-01-01")!
            while date <= LocalDate("2029-12-31")! {
                let expected = Dictionary(uniqueKeysWithValues: grown.timelines.compactMap { timeline in
                    timeline.state(on: date, knownAt: cutoff).map { (timeline.uscc, $0) }
                })
                for projection in [grown.known(atSeq: cutoff), rebuilt.known(atSeq: cutoff)] {
                    var found: [USCC: InstitutionState] = [:]
                    projection.forEachState(on: date) { _, uscc, state in
                        #expect(found.updateValue(state, forKey: uscc) == nil, "seed \(seed): \(uscc) found twice")
                    }
                    #expect(Set(found.keys) == Set(expected.keys), "seed \(seed) cutoff \(cutoff) on \(date)")
                    for (uscc, state) in expected {
                        #expect(found[uscc]?.latest?.seq == state.latest?.seq, "seed \(seed) cutoff \(cutoff) \(uscc) on \(date)")
                        #expect(found[uscc]?.status(on: date, periods: grown.periods) == state.status(on: date, periods: grown.periods))
                    }
                    // The pass cut in runs on several cores, anywhere in a chunk, finds what one pass finds.
                    let day = Int32(date.dayNumber)
                    let whole = projection.index.winningRows(on: day, knownAt: cutoff, parts: 1)
                    #expect([2, 3, 7].allSatisfy { projection.index.winningRows(on: day, knownAt: cutoff, parts: $0) == whole },
                            "seed \(seed) cutoff \(cutoff) on \(date): the pass in parts")
                    let barred = Set(expected.filter { $0.value.bar(on: date) != nil }.keys)
                    #expect(Set(projection.bans(on: date).map(\.uscc)) == barred, "seed \(seed) cutoff \(cutoff) bans on \(date)")
                    // The roster the index's columns give, member by member and in order, is the one the states give.
                    let onRoster = expected.compactMap { uscc, state -> (String, USCC)? in
                        let status = state.status(on: date, periods: grown.periods).status
                        guard state.institution != nil, status == .active || state.isIncluded else { return nil }
                        return (projection.outletNumber(of: state) ?? "~", uscc)
                    }
                    #expect(projection.roster(on: date).map { "\($0.outletNo ?? "~") \($0.uscc)" }
                            == onRoster.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
                                .map { "\($0.0) \($0.1)" }, "seed \(seed) cutoff \(cutoff) roster on \(date)")
                    // The calendar of the states the index's columns let through is that of every state (at every
                    // fifth seq: the calendar reads every state, and the seqs between add time, not cases).
                    guard cutoff % 5 == 0 else { continue }
                    for (from, to) in [(date, date.adding(years: 1)), (date.adding(days: 200), date.adding(days: 230))] {
                        var everyState = CalendarCollector(from: from, to: to, periods: grown.periods)
                        for (uscc, state) in expected { withUnsafePointer(to: state) { everyState.add(uscc, $0) } }
                        #expect(projection.calendar(from: from, to: to, asOf: date) == CalendarCollector.result(of: [everyState]),
                                "seed \(seed) cutoff \(cutoff) calendar \(from)…\(to) as of \(date)")
                    }
                }
                date = date.adding(days: 30)
            }
        }
    }

    @Test("restored timelines are refused when two versions claim one seq or one lies past the last seq folded (or that seq is negative); a sparse last seq is no reason to allocate a slot per seq")
    func restoringChecksSeqs() {
        var grown = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in RandomHistory(seed: 3).log { grown.apply(event, stream: stream) }
        func restore(_ timelines: [Timeline], through last: Int64) -> RegistryProjection? {
            RegistryProjection(periods: grown.periods, timelines: timelines, outletNumbers: grown.outletNumbers,
                               registrationsByYear: grown.registrationsByYear, foldedThrough: last, eventCount: grown.eventCount)
        }
        let newestVersion = grown.timelines.compactMap { $0.allVersions.last?.seq }.max() ?? 0
        let refused = restore(grown.timelines, through: newestVersion - 1) == nil && restore(grown.timelines, through: -1) == nil
        #expect(restore(grown.timelines, through: grown.foldedThrough) != nil && refused)
        guard let version = grown.timeline(of: GoldenHistory.a)?.allVersions.first else { Issue.record("A has no timeline"); return }
        var twice = grown.timelines.filter { $0.uscc != GoldenHistory.b }
        twice.append(Timeline(uscc: GoldenHistory.b, versions: [version]))
        let sameInstitutionTwice = grown.timelines + [Timeline(uscc: GoldenHistory.a, versions: [])]
        let refusedTwice = restore(twice, through: grown.foldedThrough) == nil && restore(sameInstitutionTwice, through: grown.foldedThrough) == nil
        #expect(refusedTwice)
        let sparse = restore(grown.timelines, through: Int64(Int32.max) * 1024)
        #expect(sparse?.known(atSeq: grown.foldedThrough).roster(on: LocalDate("2026-06-30")!) == grown.roster(on: LocalDate("2026-06-30")!))
    }
}
