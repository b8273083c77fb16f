import Foundation
import CanonicalJSON
import OutletDomain
import OutletProjections
@testable import OutletSnapshots
import OutletTestSupport
import Testing

/// A chain hash for snapshots of the pure golden history, which has no chain of its own.
let goldenHash = String(repeating: "ab", count: 32)

/// The golden history's projection as known after `seq`, snapshotted, restored (`deferred`: its timelines
/// decoded as they are read or folded into), and folded on to the end.
func restoredThenFolded(at seq: Int64, deferred: Deferral? = nil) throws -> RegistryProjection {
    let (frame, _) = Snapshot.make(GoldenHistory.projection(knownAfter: seq), hash: goldenHash, createdAt: 0)
    var projection = try Snapshot.load(frame, periods: ShippedData.periods, expected: (seq, goldenHash), deferred: deferred).projection
    for (stream, event) in GoldenHistory.events where event.seq > seq { projection.apply(event, stream: stream) }
    return projection
}

@Suite("A snapshot restores the projection it was made from (Snapshots/FORMAT.md)")
struct SnapshotCodecTests {
    /// Every way a snapshot loads: in full, its timelines kept as read, its states read alone.
    static let deferrals: [Deferral?] = [nil, .keepingTimelines, .readingStatesAlone]
    static let goldenDates = ["2024-02-18", "2024-02-19", "2025-03-01", "2025-05-01", "2025-10-09", "2025-10-10",
                              "2025-12-09", "2025-12-10", "2026-02-02", "2026-06-01", "2027-02-19", "2027-02-20"]

    @Test("the golden scenario both ways: from a snapshot after any seq plus the tail, the same digest on a dozen dates",
          arguments: Array(Int64(1)...Int64(GoldenHistory.events.count)))
    func goldenScenarioBothWays(seq: Int64) throws {
        let direct = GoldenHistory.projection()
        for deferred in Self.deferrals {
            let restored = try restoredThenFolded(at: seq, deferred: deferred)
            for date in Self.goldenDates {
                #expect(restored.digestDocument(asOf: day(date)) == direct.digestDocument(asOf: day(date)),
                        "snapshot after \(seq), \(date), deferred \(deferred)")
            }
            #expect(Snapshot.encodedState(restored) == Snapshot.encodedState(direct), "deferred \(deferred)")
        }
    }

    @Test("a restored projection still answers as known at earlier seqs, retracted versions included")
    func knownAtEarlierSeqs() throws {
        let (frame, _) = Snapshot.make(GoldenHistory.projection(), hash: goldenHash, createdAt: 0)
        for deferred in Self.deferrals {
            let restored = try Snapshot.load(frame, periods: ShippedData.periods, deferred: deferred).projection
            for seq in Int64(1)...Int64(GoldenHistory.events.count) {
                let folded = GoldenHistory.projection(knownAfter: seq)
                for date in Self.goldenDates {
                    #expect(restored.known(atSeq: seq).digestDocument(asOf: day(date)) == folded.digestDocument(asOf: day(date)),
                            "known at \(seq), \(date), deferred \(deferred)")
                }
            }
        }
    }

    @Test("a state read alone (what a roster reads in a process that answers one query) is its version's, at every place of every timeline")
    func stateReadAlone() throws {
        let projection = GoldenHistory.projection()
        var carried = 0  // states read past earlier versions, whose parts they carry
        for timeline in projection.timelines {
            let bytes = ProjectionCodec.encode(timeline)
            for (position, version) in timeline.allVersions.enumerated() {
                // Handed out, not returned: a typed-throwing closure returning this tuple crashes the Swift 6.3 compiler.
                var read: Result<(uscc: USCC, state: InstitutionState), SnapshotError>?
                bytes.withUnsafeBytes { bytes in
                    var reader = BinaryReader(bytes)
                    read = Result { () throws(SnapshotError) in try ProjectionCodec.readState(&reader, at: position, foldedThrough: projection.foldedThrough) }
                }
                let alone = try read!.get()
                // A state is its encoding, as the version's own: its institution, parts and latest alike.
                func encoded(_ state: InstitutionState) -> [UInt8] {
                    ProjectionCodec.encode(Timeline(uscc: timeline.uscc, versions: [
                        Timeline.Version(seq: version.seq, type: version.type, effectiveOn: version.effectiveOn, state: state)]))
                }
                #expect(alone.uscc == timeline.uscc)
                #expect(encoded(alone.state) == encoded(version.state), "\(timeline.uscc), version \(position)")
                if position > 0 { carried += 1 }
            }
        }
        #expect(carried >= 20, "the golden history has timelines of many versions")
    }

    @Test("a string comes back as the bytes it was, even beside another that Swift deems equal (precomposed and decomposed accents)")
    func stringsKeepTheirBytes() throws {
        var projection = GoldenHistory.projection()
        let uscc = GoldenHistory.uscc("G"), seq = Int64(GoldenHistory.events.count)
        // "é" as one scalar, then as "e" and a combining acute accent: equal as Swift strings, not as bytes.
        let names = ["图书馆caf\u{E9}", "图书馆cafe\u{301}"]
        for (offset, name) in names.enumerated() {
            projection.apply(DomainEvent(seq: seq + 1 + Int64(offset), type: .submitted, effectiveOn: day("2026-03-0\(offset + 1)"),
                                         actor: GoldenHistory.applicant(uscc),
                                         payload: GoldenHistory.submitted(uscc, name, "university", "210102")),
                             stream: uscc)
        }
        // Service items that change in their bytes alone are a change the next version stores.
        let items = ["caf\u{E9}检索", "cafe\u{301}检索"]
        for (offset, item) in items.enumerated() {
            projection.apply(DomainEvent(seq: seq + 3 + Int64(offset), type: .infoChanged, effectiveOn: day("2026-04-0\(offset + 1)"),
                                         actor: GoldenHistory.applicant(uscc),
                                         payload: GoldenHistory.payload(.infoChanged, #"{"changes":{"serviceItems":["\#(item)"]}}"#)),
                             stream: uscc)
        }
        let frame = Snapshot.make(projection, hash: goldenHash, createdAt: 0).frame
        for deferred in Self.deferrals {
            let restored = try Snapshot.load(frame, periods: ShippedData.periods, deferred: deferred).projection
            let versions = try #require(restored.timeline(of: uscc)).allVersions
            #expect(versions.map { Array($0.state.institution!.name.utf8) } == [names[0], names[1], names[1], names[1]].map { Array($0.utf8) },
                    "deferred \(deferred)")
            #expect(versions.suffix(2).map { Array($0.state.serviceItems[0].utf8) } == items.map { Array($0.utf8) }, "deferred \(deferred)")
        }
    }

    @Test("the header says format, projection version, seq, chain hash and creation time")
    func header() throws {
        let (frame, contentSize) = Snapshot.make(GoldenHistory.projection(knownAfter: 20), hash: goldenHash, createdAt: 1_764_000_000_000)
        let header = try Snapshot.header(of: frame)
        let content = try LZ4Frame.decompress(frame)
        let body = content.withUnsafeBytes { Snapshot.hex(SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...]))) }
        #expect(header == SnapshotHeader(formatVersion: 4, projectionVersion: RegistryProjection.projectionVersion, seq: 20,
                                         hash: goldenHash, createdAt: 1_764_000_000_000, contentDigest: body))
        #expect(try LZ4Frame.decompress(frame).count == contentSize)
        #expect(Array(try LZ4Frame.decompress(frame).prefix(8)) == Array("OUTLSNAP".utf8))
    }

    @Test("a snapshot encoded with the timelines cached from an earlier one is the snapshot encoded afresh",
          arguments: Array(Int64(1)..<Int64(GoldenHistory.events.count)))
    func cachedTimelines(earlier: Int64) {
        var cache = TimelineCache()
        var projection = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in GoldenHistory.events {
            projection.apply(event, stream: stream)
            if event.seq == earlier { _ = Snapshot.make(projection, hash: goldenHash, createdAt: 0, cache: &cache) }
        }
        let cached = Snapshot.make(projection, hash: goldenHash, createdAt: 0, cache: &cache).frame
        #expect(cached == Snapshot.make(projection, hash: goldenHash, createdAt: 0).frame, "cache from seq \(earlier)")
    }

    @Test("a timeline's cached encoding, extended by the versions folded since, is its encoding afresh; one retracted since is encoded afresh")
    func extendedTimelines() throws {
        var (extended, refused) = (0, 0)
        for seed in UInt64(1)...UInt64(12) {
            var projection = RegistryProjection(periods: ShippedData.periods)
            // Each timeline's encoding as of a few events back: some versions later, sometimes a retraction.
            var entries: [USCC: TimelineCache.Entry] = [:]
            for (stream, event) in RandomHistory(seed: seed).log {
                projection.apply(event, stream: stream)
                let timeline = try #require(projection.timeline(of: stream))
                let afresh = ProjectionCodec.encodeEntry(timeline)
                if let cached = entries[stream], timeline.allVersions.count > cached.layout.versionCount {
                    if let continued = ProjectionCodec.extend(cached, to: timeline) {
                        #expect(continued.bytes == afresh.bytes, "seed \(seed), seq \(event.seq)")
                        extended += 1
                    } else {
                        let retracted = timeline.allVersions.prefix(cached.layout.versionCount).filter { $0.retractedBy != nil }.count
                        #expect(retracted > cached.layout.retractions, "seed \(seed), seq \(event.seq): refused, yet no encoded version was retracted")
                        refused += 1
                    }
                }
                if entries[stream] == nil || event.seq % 3 == 0 { entries[stream] = afresh }
            }
        }
        #expect(extended >= 200 && refused >= 1, "extended \(extended), refused \(refused)")
    }

    @Test("a cache of another fold of the same log is not extended: its institutions are other boxes")
    func otherFoldNotExtended() {
        let earlier = GoldenHistory.projection(knownAfter: 10)
        var cache = TimelineCache()
        _ = Snapshot.make(earlier, hash: goldenHash, createdAt: 0, cache: &cache)
        let whole = GoldenHistory.projection()
        var grown = 0
        for timeline in whole.timelines {
            guard let cached = cache.entries[timeline.uscc], cached.lastAppliedSeq != timeline.lastAppliedSeq else { continue }
            #expect(ProjectionCodec.extend(cached, to: timeline) == nil, "\(timeline.uscc)")
            grown += 1
        }
        #expect(grown >= 2)
        #expect(Snapshot.make(whole, hash: goldenHash, createdAt: 0, cache: &cache).frame == Snapshot.make(whole, hash: goldenHash, createdAt: 0).frame)
    }

    @Test("the same projection always encodes to the same bytes")
    func deterministic() {
        #expect(Snapshot.encodedState(GoldenHistory.projection()) == Snapshot.encodedState(GoldenHistory.projection()))
        #expect(Snapshot.encodedState(GoldenHistory.projection(knownAfter: 10)) != Snapshot.encodedState(GoldenHistory.projection()))
    }
}

@Suite("The version index a snapshot stores (FORMAT.md, part 5) is derived data: checked, never taken on trust")
struct SnapshotIndexTests {
    /// The golden history's snapshot content with its last byte (the last index row's last reach) replaced,
    /// its header's body digest made to match.
    static func lastByteReplaced(_ replace: (UInt8) -> UInt8) throws -> [UInt8] {
        var content = try LZ4Frame.decompress(Snapshot.make(GoldenHistory.projection(), hash: goldenHash, createdAt: 0).frame)
        content[content.count - 1] = replace(content[content.count - 1])
        let digest = content.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.replaceSubrange(60..<SnapshotHeader.size, with: digest)
        return content
    }

    @Test("an index whose rows disagree with the timelines is refused by a full load, naming the first seq")
    func disagreementRefused() throws {
        // A reach of none (0) made "no end" (1), or the other way round: well-formed, and wrong.
        let content = try Self.lastByteReplaced { $0 == 0 ? 1 : 0 }
        #expect { try Snapshot.load(LZ4Frame.compress(content), periods: ShippedData.periods) } throws: { error in
            guard case .corrupt(let reason) = error as? SnapshotError else { return false }
            return reason.hasPrefix("the version index disagrees with the timelines at seq ")
        }
    }

    @Test("an index that is not well formed is refused by either load, its timelines waiting or not")
    func malformedRefused() throws {
        let content = try Self.lastByteReplaced { _ in 0x80 }  // a number that never ends
        for deferred in SnapshotCodecTests.deferrals {
            #expect(throws: SnapshotError.corrupt("unexpected end in a number at byte \(content.count)"), "deferred \(deferred)") {
                try Snapshot.load(LZ4Frame.compress(content), periods: ShippedData.periods, deferred: deferred)
            }
        }
    }

    @Test("a restore that waits for its queries answers every query alike, and writes the same snapshot again",
          arguments: [Deferral.keepingTimelines, .readingStatesAlone])
    func deferredRestoreAnswersAlike(deferral: Deferral) throws {
        let projection = SnapshotSharesTests.projection
        let frame = Snapshot.make(projection, hash: goldenHash, createdAt: 0).frame
        let deferred = try Snapshot.load(frame, periods: ShippedData.periods, deferred: deferral).projection
        for date in ["2025-03-01", "2026-06-01"] {
            #expect(deferred.digestDocument(asOf: day(date)) == projection.digestDocument(asOf: day(date)), "\(date)")
            #expect(deferred.roster(on: day(date)) == projection.roster(on: day(date)), "\(date)")
        }
        // Before any timeline is read, and after: the bytes kept are copied, the ones decoded encoded again.
        let untouched = try Snapshot.load(frame, periods: ShippedData.periods, deferred: deferral).projection
        #expect(Snapshot.encodedState(untouched) == Snapshot.encodedState(projection))
        #expect(Snapshot.encodedState(deferred) == Snapshot.encodedState(projection))
        #expect(deferred.timelines.map(\.uscc) == projection.timelines.map(\.uscc).sorted())
    }
}

@Suite("A query that answers once folds a tail into the timelines it changes from their newest version, and answers as the whole log")
struct ContinuedTimelineTests {
    /// A seed's random history (retractions included) snapshotted after `cut` events, restored as a process
    /// answering one query restores it, and folded on to the end; beside the whole log's fold.
    static func restoredThenFolded(seed: UInt64, cut: Int) throws -> (restored: RegistryProjection, whole: RegistryProjection, log: [(USCC, DomainEvent)]) {
        let log = histories[Int(seed) - 1]
        var whole = RegistryProjection(periods: ShippedData.periods)
        for (stream, event) in log.prefix(cut) { whole.apply(event, stream: stream) }
        let frame = Snapshot.make(whole, hash: goldenHash, createdAt: 0).frame
        var restored = try Snapshot.load(frame, periods: ShippedData.periods, deferred: .readingStatesAlone).projection
        for (stream, event) in log.dropFirst(cut) {
            whole.apply(event, stream: stream)
            restored.apply(event, stream: stream)
        }
        return (restored, whole, log)
    }

    static let seeds = Array(UInt64(1)...UInt64(16))
    static let histories = seeds.map { RandomHistory(seed: $0).log }

    @Test("roster, bans and calendar at every third known-at seq after the snapshot and every 90th day, each status, and the snapshot written of it, are the whole log's",
          arguments: seeds)
    func answersAsTheWholeLog(seed: UInt64) throws {
        let count = Self.histories[Int(seed) - 1].count
        for cut in [count / 3, count * 2 / 3, count - 2] where cut >= 1 {
            let (restored, whole, log) = try Self.restoredThenFolded(seed: seed, cut: cut)
            let streams = Set(log.map(\.0))
            for seq in Set(stride(from: Int64(cut), through: Int64(count), by: 3)).union([Int64(count)]) {
                var date = LocalDate("2024-01-01")!
                while date <= LocalDate("2029-12-31")! {
                    #expect(restored.known(atSeq: seq).digestDocument(asOf: date) == whole.known(atSeq: seq).digestDocument(asOf: date),
                            "seed \(seed), snapshot after \(cut), known at \(seq), on \(date)")
                    date = date.adding(days: 90)
                }
            }
            for uscc in streams {
                #expect(restored.status(of: uscc, on: day("2026-06-01")) == whole.status(of: uscc, on: day("2026-06-01")), "seed \(seed) \(uscc)")
            }
            #expect(Snapshot.encodedState(restored) == Snapshot.encodedState(whole), "seed \(seed), snapshot after \(cut): the encoding differs")
        }
    }

    @Test("the timelines a tail changes are continued, not decoded whole; one whose newest version the tail retracts, then changes again, is made whole first")
    func continuedAndCompleted() throws {
        var continued = 0, completed = 0
        for seed in Self.seeds {
            let count = Self.histories[Int(seed) - 1].count
            for cut in [count / 3, count / 2] {
                let (restored, _, log) = try Self.restoredThenFolded(seed: seed, cut: cut)
                continued += restored.continuedTimelineCount
                // A tail that retracts a stream's newest version from the snapshot and then folds another of its events.
                for stream in Set(log.map(\.0)) {
                    let tail = log.dropFirst(cut).filter { $0.0 == stream }.map(\.1)
                    if let first = tail.first, first.type == .retracted, tail.count > 1 { completed += 1 }
                }
            }
        }
        #expect(continued > 20)
        #expect(completed > 0, "no random history retracts a snapshot's newest version and folds on: the completion goes untested")
    }
}

@Suite("A snapshot is never trusted blindly: damage, another version or another log is an error, never a wrong answer")
struct SnapshotRefusalTests {
    static let frame = Snapshot.make(GoldenHistory.projection(), hash: goldenHash, createdAt: 0).frame
    static let seq = Int64(GoldenHistory.events.count)

    @Test("summary years out of their ascending order (FORMAT.md, part 6) are damage, not a state")
    func summaryYearsInOrder() throws {
        var projection = GoldenHistory.projection()
        let summary = DomainEvent(seq: Self.seq + 1, type: .annualSummaryFiled, effectiveOn: day("2027-01-05"),
                                  actor: GoldenHistory.applicant(GoldenHistory.d), payload: GoldenHistory.summary(2026))
        projection.apply(summary, stream: GoldenHistory.d)
        #expect(projection.timeline(of: GoldenHistory.d)?.latest(knownAt: Self.seq + 1)?.summaryYears == [2025, 2026])
        let content = try LZ4Frame.decompress(Snapshot.make(projection, hash: goldenHash, createdAt: 0).frame)
        // Two years, 2025 then 2026 (zigzag varints), swapped in place; the body's digest made to match.
        let ascending: [UInt8] = [2, 0xD2, 0x1F, 0xD4, 0x1F]
        let at = try #require(content.indices.first { content[$0...].starts(with: ascending) })
        var swapped = content
        swapped.replaceSubrange(at..<(at + 5), with: [2, 0xD4, 0x1F, 0xD2, 0x1F])
        let digest = swapped.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        swapped.replaceSubrange(60..<SnapshotHeader.size, with: digest)
        #expect(throws: SnapshotError.corrupt("summary year 2025 out of order at byte \(at + 5)")) {
            try Snapshot.load(LZ4Frame.compress(swapped), periods: ShippedData.periods)
        }
    }

    @Test("every single flipped byte of the frame is detected, unless LZ4 decodes it to the very same content")
    func flippedBytes() throws {
        let content = try LZ4Frame.decompress(Self.frame)
        for index in Self.frame.indices {
            var damaged = Self.frame
            damaged[index] ^= 0x5A
            // A match's offset can move to another place holding the same bytes (the index's rows repeat):
            // the content is then the snapshot's own, byte for byte, and nothing is damaged.
            if (try? LZ4Frame.decompress(damaged)) == content { continue }
            #expect(throws: SnapshotError.self, "byte \(index)") {
                try Snapshot.load(damaged, periods: ShippedData.periods, expected: (Self.seq, goldenHash))
            }
        }
    }

    @Test("every truncation of the frame, and bytes appended to it, are detected")
    func truncatedOrExtended() {
        for length in 0..<Self.frame.count {
            #expect(throws: SnapshotError.self, "\(length) bytes") {
                try Snapshot.load(Array(Self.frame.prefix(length)), periods: ShippedData.periods)
            }
        }
        #expect(throws: SnapshotError.self) { try Snapshot.load(Self.frame + [0], periods: ShippedData.periods) }
    }

    @Test("a snapshot of another projection version is refused as a version mismatch")
    func projectionVersionBumped() {
        let (frame, _) = Snapshot.make(GoldenHistory.projection(), hash: goldenHash, createdAt: 0,
                                       projectionVersion: RegistryProjection.projectionVersion + 1)
        #expect { try Snapshot.load(frame, periods: ShippedData.periods) } throws: { error in
            guard case .version(let reason) = error as? SnapshotError else { return false }
            return reason.contains("projection version \(RegistryProjection.projectionVersion + 1)")
        }
    }

    @Test("a snapshot whose chain hash or seq is not the log's is refused as a mismatch")
    func otherLog() {
        let other = String(repeating: "cd", count: 32)
        #expect(throws: SnapshotError.mismatch("chain hash at seq \(Self.seq) is cdcdcdcdcdcd…, the snapshot says abababababab…")) {
            try Snapshot.load(Self.frame, periods: ShippedData.periods, expected: (Self.seq, other))
        }
        #expect(throws: SnapshotError.mismatch("made at seq \(Self.seq), stored as seq 3")) {
            try Snapshot.load(Self.frame, periods: ShippedData.periods, expected: (3, goldenHash))
        }
    }

    @Test("a body that is not the one the header's digest names is refused, whatever the frame checksum says")
    func bodyBoundByDigest() throws {
        var content = try LZ4Frame.decompress(Self.frame)
        content[content.count - 1] ^= 1
        #expect { try Snapshot.load(LZ4Frame.compress(content), periods: ShippedData.periods) } throws: { error in
            guard case .mismatch(let reason) = error as? SnapshotError else { return false }
            return reason.hasPrefix("the body's SHA-256 is")
        }
    }

    /// The fuzzer's finds (tools/reliability/fuzz/seeds/snapshot/regression-*), contents whose header names
    /// their body's digest: a loader that traps on one would take the process down with it.
    @Test("contents the fuzzer found malformed are refused as corrupt, never trap the loader",
          arguments: ["regression-most-negative-number-1", "regression-most-negative-number-2"])
    func fuzzerFinds(name: String) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let input = try [UInt8](Data(contentsOf: folder.appendingPathComponent("tools/reliability/fuzz/seeds/snapshot/\(name)")))
        // As the fuzz target reads it: the first byte odd, the rest a content whose body digest is set here.
        var content = Array(input.dropFirst())
        let digest = content.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.replaceSubrange(60..<SnapshotHeader.size, with: digest)
        #expect(throws: SnapshotError.self) { try Snapshot.load(LZ4Frame.compress(content), periods: ShippedData.periods) }
    }

    @Test("a sound frame whose content is not a snapshot is refused")
    func notASnapshot() {
        let frame = LZ4Frame.compress(Array("not a snapshot, only text that happens to be compressed".utf8))
        #expect(throws: SnapshotError.corrupt("not a snapshot (no OUTLSNAP header)")) {
            try Snapshot.load(frame, periods: ShippedData.periods)
        }
    }
}

@Suite("A large snapshot is read on every core, as one reader in one pass would read it")
struct SnapshotSharesTests {
    static let projection = GoldenHistory.projection(copies: 600)
    static let seq = projection.foldedThrough

    /// The content with the first byte of `uscc`'s own code (the first thing its timeline holds) made invalid
    /// UTF-8, its header's body digest made to match; and the offset of that byte.
    /// `content` with the first bytes of a timeline's USCC replaced by `bytes`, its body digest made to match.
    static func damaging(_ content: [UInt8], timelineOf uscc: USCC, with bytes: [UInt8] = [0xFF]) -> (content: [UInt8], offset: Int) {
        let needle = [UInt8(18)] + Array(uscc.code.utf8)
        let at = content.indices.first { content[$0...].starts(with: needle) }!
        var damaged = content
        damaged.replaceSubrange((at + 1)..<(at + 1 + bytes.count), with: bytes)
        let digest = damaged.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        damaged.replaceSubrange(60..<SnapshotHeader.size, with: digest)
        return (damaged, at + 1)
    }

    @Test("a registry of thousands of timelines restores to the same state, every query alike")
    func restoresExactly() throws {
        let frame = Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame
        let restored = try Snapshot.load(frame, periods: ShippedData.periods, expected: (Self.seq, goldenHash)).projection
        #expect(restored.timelines.count == Self.projection.timelines.count && restored.timelines.count > 3_000)
        #expect(Snapshot.encodedState(restored) == Snapshot.encodedState(Self.projection))
        for date in ["2025-03-01", "2026-06-01"] {
            #expect(restored.digestDocument(asOf: day(date)) == Self.projection.digestDocument(asOf: day(date)), "\(date)")
        }
    }

    @Test("a snapshot encoded on every core, in shares of any size, is the one encoded on one core: afresh, partly cached, partly restored")
    func encodedInSharesAlike() throws {
        let oneCore = Snapshot.encodedState(Self.projection)
        func inShares(_ projection: RegistryProjection, of size: Int, cache: TimelineCache = TimelineCache()) -> [UInt8] {
            var cache = cache
            var writer = BinaryWriter()
            ProjectionCodec.encode(projection, cache: &cache, timelinesPerShare: size, into: &writer)
            return writer.bytes
        }
        for size in [1, 7, ProjectionCodec.encodingShare] { #expect(inShares(Self.projection, of: size) == oneCore, "shares of \(size)") }
        #expect(Snapshot.encodedState(Self.projection, onEveryCore: true) == oneCore)
        // A cache of the timelines as they were two copies of the history ago: the last two copies' are encoded afresh.
        var cache = TimelineCache()
        _ = Snapshot.make(GoldenHistory.projection(copies: 598), hash: goldenHash, createdAt: 0, cache: &cache)
        #expect(cache.entries.count == 598 * Set(GoldenHistory.events.map(\.0)).count)
        #expect(inShares(Self.projection, of: 7, cache: cache) == oneCore)
        // Restored, a few timelines read (and so encoded again), the others copied from the snapshot's bytes.
        let frame = Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame
        let restored = try Snapshot.load(frame, periods: ShippedData.periods, deferred: .keepingTimelines).projection
        _ = restored.roster(on: day("2025-10-10"))
        #expect(inShares(restored, of: 7) == oneCore)
    }

    @Test("a large body (digested on another core while it is read) that is not the one its header names is refused as such")
    func largeBodyBoundByDigest() throws {
        var content = try LZ4Frame.decompress(Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame)
        try #require(content.count - SnapshotHeader.size >= 1 << 20, "large enough for the digest to run beside the reading")
        content[content.count / 2] ^= 1
        for deferred in SnapshotCodecTests.deferrals {
            #expect { try Snapshot.load(LZ4Frame.compress(content), periods: ShippedData.periods, deferred: deferred) } throws: { error in
                guard case .mismatch(let reason) = error as? SnapshotError else { return false }
                return reason.hasPrefix("the body's SHA-256 is")
            }
        }
    }

    @Test("a stored frame is read in pieces as it is decompressed, each byte once; a piece that cannot be read is an error naming where")
    func readInPieces() throws {
        let frame = Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame
        /// `frame`'s content as the store hands the frame over in pieces of 4 KiB, noting each piece read;
        /// `readable` says which offsets can be.
        func content(readable: (Int) -> Bool = { _ in true }, noting reads: inout [Range<Int>]) throws -> [UInt8] {
            try frame.withUnsafeBytes { frame in
                try LZ4Frame.decompress(count: frame.count, pieceSize: 4_096) { piece, offset in
                    reads.append(offset..<(offset + piece.count))
                    guard readable(offset) else { return false }
                    piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + piece.count)]))
                    return true
                }
            }
        }
        var reads: [Range<Int>] = []
        #expect(try content(noting: &reads) == LZ4Frame.decompress(frame))
        #expect(reads.count == (frame.count + 4_095) / 4_096 && reads.first?.lowerBound == 0 && reads.last?.upperBound == frame.count)
        #expect(zip(reads, reads.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "each byte read once, in order")
        #expect(throws: SnapshotError.corrupt("the stored frame cannot be read at byte 8192")) {
            try content(readable: { $0 < 8_192 }, noting: &reads)
        }
        let loaded = try frame.withUnsafeBytes { frame in
            try Snapshot.load(frameOf: frame.count, reading: { piece, offset in
                piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + piece.count)]))
                return true
            }, periods: ShippedData.periods, expected: (Self.seq, goldenHash), deferred: .readingStatesAlone).projection
        }
        #expect(Snapshot.encodedState(loaded) == Snapshot.encodedState(Self.projection))
    }

    @Test("bytes that decode with a repair of their own length (a four-byte sequence cut to three, one U+FFFD) are invalid UTF-8")
    func repairOfTheSameLength() throws {
        let content = try LZ4Frame.decompress(Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame)
        let damaged = Self.damaging(content, timelineOf: Self.projection.timelines.map(\.uscc).sorted()[0], with: [0xF0, 0x9F, 0x98])
        #expect(String(decoding: damaged.content[damaged.offset..<(damaged.offset + 18)], as: UTF8.self).utf8.count == 18)
        #expect(throws: SnapshotError.corrupt("invalid UTF-8 at byte \(damaged.offset)")) {
            try Snapshot.load(LZ4Frame.compress(damaged.content), periods: ShippedData.periods)
        }
    }

    @Test("damage in two timelines far apart is refused naming the first, wherever the shares fall")
    func firstDamageNamed() throws {
        let content = try LZ4Frame.decompress(Snapshot.make(Self.projection, hash: goldenHash, createdAt: 0).frame)
        let usccs = Self.projection.timelines.map(\.uscc).sorted()
        let late = Self.damaging(content, timelineOf: usccs[usccs.count - 2])
        #expect(throws: SnapshotError.corrupt("invalid UTF-8 at byte \(late.offset)")) {
            try Snapshot.load(LZ4Frame.compress(late.content), periods: ShippedData.periods)
        }
        let early = Self.damaging(late.content, timelineOf: usccs[usccs.count / 3])
        #expect(early.offset < late.offset)
        #expect(throws: SnapshotError.corrupt("invalid UTF-8 at byte \(early.offset)")) {
            try Snapshot.load(LZ4Frame.compress(early.content), periods: ShippedData.periods)
        }
    }
}

@Suite("A timeline's string table holds each distinct byte sequence once, in order of first use (FORMAT.md part 4.2)")
struct StringTableTests {
    @Test("places agree with a table keyed by the bytes, through growth, near-collisions and Swift-equal strings; the stored bytes read back")
    func placesByBytes() {
        var generator = SystemRandomNumberGenerator()
        var table = StringTable()
        var reference: [[UInt8]: Int] = [:]
        var order: [[UInt8]] = []
        // Strings that differ in one byte anywhere, of every length around a word's, the empty one, and canonically
        // equivalent pairs (precomposed "é" and "e" + U+0301), asked in random order, most of them several times.
        var pool = ["", "é", "e\u{301}", "沈阳市沈河区文化路3号", "沈阳市沈河区文化路4号"]
        for length in 1...40 {
            let base = String((0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &generator))) })
            pool.append(base)
            var bytes = Array(base.utf8)
            bytes[Int.random(in: 0..<length, using: &generator)] ^= 1
            pool.append(String(decoding: bytes, as: UTF8.self))
        }
        for _ in 0..<5_000 {
            let string = pool.randomElement(using: &generator)! + (Bool.random(using: &generator) ? "" : String(Int.random(in: 0..<400, using: &generator)))
            let bytes = Array(string.utf8)
            let expected = reference[bytes] ?? {
                order.append(bytes)
                reference[bytes] = order.count - 1
                return order.count - 1
            }()
            #expect(table.index(of: string) == expected, "\(string)")
        }
        #expect(table.count == order.count && order.count > 1_000)
        table.encoded.withUnsafeBytes { stored in
            var reader = BinaryReader(stored)
            for bytes in order {
                let length = Int((try? reader.varint()) ?? 0)
                #expect((try? Array(reader.raw(length))) == bytes)
            }
            #expect(reader.isAtEnd)
        }
    }
}
