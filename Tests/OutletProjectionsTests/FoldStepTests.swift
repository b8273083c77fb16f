import OutletDomain
@testable import OutletProjections
import OutletTestSupport
import Testing

private typealias H = GoldenHistory

@Suite("The fold: a run of events folded at once, each timeline asked for ahead, is the same events folded one by one")
struct FoldStepTests {
    /// 300 copies of the golden history, interleaved (each copy's first event, then each one's second, ...):
    /// new institutions appear all through the run, every timeline is changed again and again across it, and
    /// every fifth step is one of the registry's own (the position moves on).
    static func steps() -> [FoldStep] {
        let streams = Array(Set(H.events.map(\.0))).sorted()
        var steps: [FoldStep] = []
        var seq: Int64 = 0
        for (stream, event) in H.events {
            for copy in 0..<300 {
                seq += 1
                if seq % 5 == 0 {
                    steps.append(.pass(seq: seq))
                    seq += 1
                }
                let number = copy * streams.count + streams.firstIndex(of: stream)!
                let body = "91210100" + String(repeating: "0", count: 9 - String(number).count) + String(number)
                let copied = DomainEvent(seq: seq, type: event.type, effectiveOn: event.effectiveOn, actor: event.actor, payload: event.payload)
                steps.append(.apply(copied.folded, stream: USCC.completing(body)!))
            }
        }
        return steps
    }

    @Test("folded at once, in runs of 97 numbered afresh each, or numbered by one copy taken halfway (as a fold's reading thread numbers them): the same registry at every date and known-at as one by one")
    func runsFoldAsSteps() {
        let steps = Self.steps()
        var oneByOne = RegistryProjection(periods: ShippedData.periods)
        for step in steps { oneByOne.take(step) }
        var atOnce = RegistryProjection(periods: ShippedData.periods)
        var numbering = atOnce.numbering
        atOnce.take(steps, numbered: numbering.ids(of: steps.map(\.stream)))
        var inRuns = RegistryProjection(periods: ShippedData.periods)
        for start in stride(from: 0, to: steps.count, by: 97) {
            let run = Array(steps[start..<min(start + 97, steps.count)])
            var numbering = inRuns.numbering
            inRuns.take(run, numbered: numbering.ids(of: run.map(\.stream)))
        }
        // Half the steps folded one by one first, so that the copy starts from a numbering with institutions in it.
        var halfway = RegistryProjection(periods: ShippedData.periods)
        for step in steps[..<(steps.count / 2)] { halfway.take(step) }
        var copy = halfway.numbering
        for start in stride(from: steps.count / 2, to: steps.count, by: 97) {
            let run = Array(steps[start..<min(start + 97, steps.count)])
            halfway.take(run, numbered: copy.ids(of: run.map(\.stream)))
        }
        let folds = [atOnce, inRuns, halfway]
        #expect(folds.allSatisfy { $0.foldedThrough == oneByOne.foldedThrough && $0.eventCount == oneByOne.eventCount })
        #expect(folds.allSatisfy { $0.index.institutions == oneByOne.index.institutions })
        for knownAt in [oneByOne.foldedThrough / 3, oneByOne.foldedThrough] {
            for date in ["2024-06-30", "2025-12-10", "2027-03-01"].map({ LocalDate($0)! }) {
                let expected = oneByOne.known(atSeq: knownAt).digestDocument(asOf: date)
                for fold in folds { #expect(fold.known(atSeq: knownAt).digestDocument(asOf: date) == expected) }
            }
        }
    }

    @Test("a run numbered otherwise than the projection numbers it stops the fold, rather than fold an event into another institution's timeline")
    func otherNumberingStops() async {
        await #expect(processExitsWith: .failure) {
            let steps = FoldStepTests.steps()
            var projection = RegistryProjection(periods: ShippedData.periods)
            for step in steps[..<600] { projection.take(step) }
            let known = Int32(projection.index.institutions.count)
            var numbering = projection.numbering
            var ids = numbering.ids(of: steps[600..<700].map(\.stream))
            // One event handed the id of another institution the projection already knows.
            let wrong = ids.firstIndex { $0 >= 0 && $0 + 1 < known }!
            ids[wrong] += 1
            projection.take(Array(steps[600..<700]), numbered: ids)
        }
    }

    @Test("the numbering gives each institution the order it first appeared in, as a dictionary would, through the table's growth and for codes that share all but their last characters; a copy numbers on by itself")
    func numberingIsFirstAppearance() {
        var random = SystemRandomNumberGenerator()
        // 40,000 codes: runs that differ only in the serial's last digits (one region, one authority), and
        // codes at random; each asked several times, in an order that mixes new and known ones.
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        var codes: [USCC] = (0..<20_000).map { USCC.completing("91210100" + String(repeating: "0", count: 9 - String($0).count) + String($0))! }
        codes += (0..<20_000).map { _ in USCC.completing(String((0..<17).map { _ in alphabet.randomElement(using: &random)! }))! }
        let asked = (codes + codes.shuffled(using: &random) + codes.shuffled(using: &random)).map(Optional.some)
        let streams = asked.enumerated().flatMap { place, code in place % 7 == 0 ? [nil, code] : [code] }
        var model: [USCC: Int32] = [:]
        let expected = streams.map { stream -> Int32 in
            guard let stream else { return -1 }
            if let id = model[stream] { return id }
            model[stream] = Int32(model.count)
            return Int32(model.count - 1)
        }
        var numbering = InstitutionNumbering()
        var halfway = InstitutionNumbering()
        #expect(numbering.ids(of: streams) == expected)
        #expect(halfway.ids(of: Array(streams[..<(streams.count / 2)])) == Array(expected[..<(streams.count / 2)]))
        var copy = halfway
        #expect(copy.ids(of: Array(streams[(streams.count / 2)...])) == Array(expected[(streams.count / 2)...]))
        #expect(halfway.count == Set(streams[..<(streams.count / 2)].compactMap { $0 }).count, "the copy's numbering left its source as it was")
        #expect(codes.allSatisfy { numbering.knownId(of: $0) == model[$0] })
        #expect(InstitutionNumbering().knownId(of: codes[0]) == nil)
    }
}
