import OutletDomain
import OutletProjections
@testable import OutletSnapshots
import OutletTestSupport
import Testing

@Suite("A segment (format 5) over a whole snapshot composes into the whole snapshot of its state, byte for byte")
struct SnapshotSegmentTests {
    /// The content of the whole snapshot a segment stands for up to its index (part 5), composed as a load composes it.
    static func composed(segment: [UInt8], over base: [UInt8]) throws -> [UInt8] {
        try segment.withUnsafeBytes { segmentBytes in
            var header = BinaryReader(segmentBytes, offset: 12)
            let seq = try header.fixed(Int64.self)
            var reader = BinaryReader(segmentBytes, offset: SnapshotHeader.size)
            let baseSeq = try reader.fixed(Int64.self)
            _ = try reader.raw(SnapshotDigest.size)
            let (prefix, timelines, _) = try ProjectionCodec.compose(header: Array(segment[..<SnapshotHeader.size]), segment: segment,
                                                                     reader: &reader, base: base, baseStart: SnapshotHeader.size,
                                                                     baseSeq: baseSeq, seq: seq)
            return timelines.content(after: prefix)
        }
    }

    /// The content with its header's body digest made to match its body again, as a forger would.
    static func resealed(_ content: [UInt8]) -> [UInt8] {
        var content = content
        let digest = content.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.replaceSubrange((SnapshotHeader.size - SnapshotDigest.size)..<SnapshotHeader.size, with: digest)
        return content
    }

    /// Each timeline of `projection` as a segment over a base of `base` must say it: unchanged (copied), new, grown
    /// by versions (the base's bytes and the new ones), or with an encoded version retracted since (written again).
    static func changes(from base: RegistryProjection, to projection: RegistryProjection) -> Set<String> {
        Set(projection.timelines.map { timeline in
            guard let before = base.timeline(of: timeline.uscc) else { return "new" }
            if before.lastAppliedSeq == timeline.lastAppliedSeq { return "unchanged" }
            let retracted = { (versions: ArraySlice<Timeline.Version>) in versions.filter { $0.retractedBy != nil }.count }
            return retracted(timeline.allVersions.prefix(before.allVersions.count)) > retracted(before.allVersions[...]) ? "retracted" : "grown"
        })
    }

    @Test("over random histories with retractions: each segment composes into the whole snapshot's body, and loads as that does")
    func composesToTheWholeSnapshot() throws {
        var segments = 0
        var changes: Set<String> = []
        for seed in UInt64(1)...UInt64(12) {
            var projection = RegistryProjection(periods: ShippedData.periods)
            var cache = TimelineCache()
            var base: (projection: RegistryProjection, content: [UInt8])?
            for (stream, event) in RandomHistory(seed: seed).log {
                projection.apply(event, stream: stream)
                guard event.seq % 4 == 0 else { continue }
                let seq = event.seq
                guard let base, let segment = Snapshot.makeSegment(projection, hash: goldenHash, createdAt: seq, cache: &cache) else {
                    let whole = Snapshot.make(projection, hash: goldenHash, createdAt: seq, cache: &cache)
                    base = (projection, try LZ4Frame.decompress(whole.frame))
                    continue
                }
                segments += 1
                changes.formUnion(Self.changes(from: base.projection, to: projection))
                #expect(segment.baseSeq == base.projection.foldedThrough)
                let content = try LZ4Frame.decompress(segment.frame)
                #expect(content.count == segment.contentSize)
                let whole = Snapshot.encodedState(projection)
                // Parts 1 to 4 byte for byte; the index as the loads below restore it.
                let composed = try Self.composed(segment: content, over: base.content)[SnapshotHeader.size...]
                #expect(Array(composed) == Array(whole.prefix(composed.count)), "seed \(seed), seq \(seq)")
                for deferred in SnapshotCodecTests.deferrals {
                    let loaded = try Snapshot.load(segment: content, over: base.content, periods: ShippedData.periods, expected: (seq, goldenHash),
                                                   expectedBase: (base.projection.foldedThrough, goldenHash), deferred: deferred)
                    #expect(loaded.header.formatVersion == SnapshotHeader.segmentFormatVersion && loaded.header.seq == seq)
                    #expect(Snapshot.encodedState(loaded.projection) == whole, "seed \(seed), seq \(seq), deferred \(deferred)")
                }
            }
        }
        #expect(segments >= 100, "\(segments) segments")
        #expect(changes == ["unchanged", "new", "grown", "retracted"], "\(changes)")
    }

    @Test("segments are made over one whole snapshot until segmentsPerBase of them, or one over half its size; then a whole one is due")
    func segmentsPerBase() throws {
        var cache = TimelineCache()
        #expect(Snapshot.makeSegment(GoldenHistory.projection(knownAfter: 10), hash: goldenHash, createdAt: 0, cache: &cache) == nil,
                "no base yet")
        _ = Snapshot.make(GoldenHistory.projection(knownAfter: 10), hash: goldenHash, createdAt: 0, cache: &cache)
        #expect(Snapshot.makeSegment(GoldenHistory.projection(knownAfter: 10), hash: goldenHash, createdAt: 0, cache: &cache) == nil,
                "nothing folded since the base")
        let later = GoldenHistory.projection(knownAfter: 14)
        for _ in 0..<Snapshot.segmentsPerBase {
            // This small history's segments are over half its base's size: that rule is checked below.
            cache.base?.lastSegmentSize = 0
            #expect(Snapshot.makeSegment(later, hash: goldenHash, createdAt: 0, cache: &cache)?.baseSeq == 10)
        }
        cache.base?.lastSegmentSize = 0
        #expect(Snapshot.makeSegment(later, hash: goldenHash, createdAt: 0, cache: &cache) == nil)
        _ = Snapshot.make(later, hash: goldenHash, createdAt: 0, cache: &cache)
        let base = try #require(cache.base)
        cache.base?.lastSegmentSize = base.contentSize / 2
        #expect(Snapshot.makeSegment(GoldenHistory.projection(), hash: goldenHash, createdAt: 0, cache: &cache)?.baseSeq == 14)
        cache.base?.lastSegmentSize = base.contentSize / 2 + 1
        #expect(Snapshot.makeSegment(GoldenHistory.projection(), hash: goldenHash, createdAt: 0, cache: &cache) == nil)
    }

    /// The golden history's whole snapshot after seq 10, and a segment over it after the end.
    static func goldenPair() throws -> (base: [UInt8], segment: [UInt8], seq: Int64) {
        var cache = TimelineCache()
        let base = try LZ4Frame.decompress(Snapshot.make(GoldenHistory.projection(knownAfter: 10), hash: goldenHash, createdAt: 0, cache: &cache).frame)
        let whole = GoldenHistory.projection()
        let segment = try #require(Snapshot.makeSegment(whole, hash: goldenHash, createdAt: 0, cache: &cache))
        return (base, try LZ4Frame.decompress(segment.frame), whole.foldedThrough)
    }

    @Test("a segment loads over the base it names only: another whole snapshot, or that one's body changed, is refused")
    func onlyOverItsBase() throws {
        let (base, segment, seq) = try Self.goldenPair()
        let other = try LZ4Frame.decompress(Snapshot.make(GoldenHistory.projection(knownAfter: 12), hash: goldenHash, createdAt: 0).frame)
        #expect(throws: SnapshotError.self) { try Snapshot.load(segment: segment, over: other, periods: ShippedData.periods) }
        var edited = base
        edited[edited.count - 1] ^= 1
        for (over, expected) in [(other, "is over the snapshot of seq 10"), (Self.resealed(edited), "is over the snapshot of seq 10"),
                                 (edited, "its base: the body's SHA-256")] {
            #expect { try Snapshot.load(segment: segment, over: over, periods: ShippedData.periods, expected: (seq, goldenHash)) } throws: { error in
                guard case .mismatch(let reason) = error as? SnapshotError else { return false }
                return reason.contains(expected)
            }
        }
        #expect { try Snapshot.load(segment: base, over: base, periods: ShippedData.periods) } throws: { error in
            error as? SnapshotError == .version("format version 4 is not a segment's (5)")
        }
        #expect { try Snapshot.load(LZ4Frame.compress(segment), periods: ShippedData.periods) } throws: { error in
            error as? SnapshotError == .version("a segment (format version 5) loads over its base, the whole snapshot it names")
        }
    }

    @Test("a damaged segment, its digest made to match, is an error naming the damage, never a trap or another state passed off")
    func damageIsAnError() throws {
        let (base, segment, seq) = try Self.goldenPair()
        let whole = Snapshot.encodedState(GoldenHistory.projection())
        let bodyStart = SnapshotHeader.size + 8 + SnapshotDigest.size
        var refused = 0
        for cut in bodyStart..<segment.count {
            #expect(throws: SnapshotError.self, "cut at \(cut)") {
                try Snapshot.load(segment: Self.resealed(Array(segment[..<cut])), over: base, periods: ShippedData.periods)
            }
        }
        var random = SplitMix64(state: 5)
        for _ in 0..<400 {
            var damaged = segment
            let at = Int.random(in: bodyStart..<segment.count, using: &random)
            damaged[at] ^= UInt8.random(in: 1...255, using: &random)
            // Either refused, or another state that the bytes now say: never a trap.
            do {
                let loaded = try Snapshot.load(segment: Self.resealed(damaged), over: base, periods: ShippedData.periods, expected: (seq, goldenHash))
                _ = Snapshot.encodedState(loaded.projection) == whole
            } catch {
                refused += 1
            }
        }
        #expect(refused >= 200, "\(refused) of 400 refused")
    }
}
