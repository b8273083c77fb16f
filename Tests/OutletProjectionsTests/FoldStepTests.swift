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
        atOnce.take(steps, numbered: steps.map { numbering.id(of: $0) })
        var inRuns = RegistryProjection(periods: ShippedData.periods)
        for start in stride(from: 0, to: steps.count, by: 97) {
            let run = Array(steps[start..<min(start + 97, steps.count)])
            var numbering = inRuns.numbering
            inRuns.take(run, numbered: run.map { numbering.id(of: $0) })
        }
        // Half the steps folded one by one first, so that the copy starts from a numbering with institutions in it.
        var halfway = RegistryProjection(periods: ShippedData.periods)
        for step in steps[..<(steps.count / 2)] { halfway.take(step) }
        var copy = halfway.numbering
        for start in stride(from: steps.count / 2, to: steps.count, by: 97) {
            let run = Array(steps[start..<min(start + 97, steps.count)])
            halfway.take(run, numbered: run.map { copy.id(of: $0) })
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
            var ids = steps[600..<700].map { numbering.id(of: $0) }
            // One event handed the id of another institution the projection already knows.
            let wrong = ids.firstIndex { $0 >= 0 && $0 + 1 < known }!
            ids[wrong] += 1
            projection.take(Array(steps[600..<700]), numbered: ids)
        }
    }
}
