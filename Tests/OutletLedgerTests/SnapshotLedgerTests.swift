import CanonicalJSON
import Foundation
import GRDB
import OutletDomain
import OutletDemo
import OutletCore
@testable import OutletLedger
import OutletProjections
@testable import OutletSnapshots
import OutletStore
import OutletTestSupport
import Testing

/// The demo registry (its genesis and 301 acts: `DemoTests.head` events) with snapshots after seq 100 and 200 and at the head.
func snapshottedDemo() throws -> LedgerFixture {
    let fixture = try DemoTests.build()
    let ledger = try fixture.ledger
    for seq: Int64 in [100, 200] { try ledger.createSnapshot(atSeq: seq) }
    try ledger.createSnapshot()
    return fixture
}

/// Runs SQL on the ledger file behind the ledger's back, as damage would.
func tamper(_ fixture: LedgerFixture, _ sql: String, _ arguments: StatementArguments = []) throws {
    let queue = try DatabaseQueue(path: fixture.path)
    try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
}

@Suite("Queries start from the nearest sound snapshot, and answer as the log does")
struct SnapshotQueryTests {
    @Test("from the oldest snapshot at or after the seq, read as known at it, no event folded: the same answers as the log's")
    func laterSnapshotReadAsKnownEarlier() throws {
        let fixture = try snapshottedDemo()
        let ledger = try fixture.ledger
        let head = try ledger.store.head().seq
        let institutions = try ledger.projections(at: try ledger.store.head(), useSnapshots: false).projection.timelines.map(\.uscc)
        for seq in stride(from: Int64(1), through: head, by: 25) + [head] {
            let position = try ledger.position(atSeq: seq)
            let fast = try ledger.projections(at: position, useLive: false)
            let slow = try ledger.projections(at: position, useSnapshots: false)
            #expect(fast.snapshotSeq == [100, 200, head].first { $0 >= seq } && fast.tailEvents == 0, "seq \(seq)")
            #expect(slow.snapshotSeq == nil && slow.tailEvents == Int(seq))
            #expect(fast.warnings.isEmpty)
            for date in ["2024-06-30", "2025-12-31", "2026-11-25", "2028-01-01"] {
                #expect(fast.digest(asOf: day(date)) == slow.digest(asOf: day(date)), "seq \(seq), \(date)")
                for uscc in institutions {
                    #expect(fast.projection.status(of: uscc, on: day(date)) == slow.projection.status(of: uscc, on: day(date)), "seq \(seq), \(uscc)")
                }
            }
        }
    }

    @Test("folded through exactly the seq: the newest snapshot at or below it and the events after it, the state the log's")
    func earlierSnapshotAndTail() throws {
        let fixture = try snapshottedDemo()
        let ledger = try fixture.ledger
        let head = try ledger.store.head().seq
        for seq in stride(from: Int64(1), through: head, by: 25) + [head] {
            let position = try ledger.position(atSeq: seq)
            let fast = try ledger.projections(at: position, useLive: false, exact: true)
            let slow = try ledger.projections(at: position, useSnapshots: false)
            #expect(fast.snapshotSeq == [head, 200, 100].first { $0 <= seq }, "seq \(seq)")
            #expect(fast.tailEvents == Int(seq - (fast.snapshotSeq ?? 0)))
            #expect(fast.warnings.isEmpty)
            #expect(fast.digest(asOf: day("2026-11-25")) == slow.digest(asOf: day("2026-11-25")), "seq \(seq)")
            #expect(Snapshot.encodedState(fast.projection) == Snapshot.encodedState(slow.projection), "seq \(seq)")
        }
    }

    @Test("opened to answer one query, the events after a snapshot fold into the timelines they change from their newest version: the same answers as the log's")
    func oneQueryFoldsTailIntoContinuedTimelines() throws {
        let fixture = try DemoTests.build()
        let writer = try fixture.ledger
        try writer.createSnapshot(atSeq: 150)
        let head = try writer.store.head().seq
        let institutions = try writer.projections(at: try writer.store.head(), useSnapshots: false).projection.timelines.map(\.uscc)
        // Past the snapshot (before it, it is read as known at the seq and nothing is folded).
        for seq in stride(from: Int64(151), through: head, by: 15) + [head] {
            // A new process for each query, as the command line opens it.
            let reader = try Ledger.open(at: fixture.path, clock: fixture.clock, readonly: true, forOneQuery: true)
            let position = try reader.position(atSeq: seq)
            let fast = try reader.projections(at: position)
            let slow = try writer.projections(at: position, useSnapshots: false)
            #expect(fast.snapshotSeq == 150 && fast.tailEvents == Int(seq - 150), "seq \(seq)")
            if seq > 160 { #expect(fast.projection.continuedTimelineCount > 0, "seq \(seq): no timeline continued") }
            for date in ["2024-06-30", "2025-12-31", "2026-11-25", "2028-01-01"] {
                #expect(fast.digest(asOf: day(date)) == slow.digest(asOf: day(date)), "seq \(seq), \(date)")
                for uscc in institutions {
                    #expect(fast.projection.status(of: uscc, on: day(date)) == slow.projection.status(of: uscc, on: day(date)), "seq \(seq), \(uscc)")
                }
            }
            #expect(Snapshot.encodedState(fast.projection) == Snapshot.encodedState(slow.projection), "seq \(seq)")
        }
    }

    @Test("a snapshot is taken automatically every policy.snapshotInterval events")
    func automatic() throws {
        var policy = try RegistryData.defaultPolicy
        policy.snapshotInterval = 100
        let fixture = try LedgerFixture(policy: policy)
        let ledger = try fixture.ledger
        // Each snapshot written before the next act: on a busy machine, a third one due while two are still
        // being encoded would be skipped (by design), and this test is about the cadence.
        var warnings: [String] = []
        _ = try DemoRegistry.build(into: ledger, clock: fixture.clock, today: DemoTests.today) {
            warnings += ledger.finishBackgroundWork()
        }
        #expect(warnings.isEmpty)
        let seqs = try ledger.store.snapshots().map(\.seq).reversed()
        #expect(seqs.count == 3, "\(seqs)")
        // Appends come in calls of several events, so each snapshot is at the first head 100 or more past the last.
        var previous: Int64 = 0
        for seq in seqs {
            #expect(seq - previous >= 100 && seq - previous < 110, "\(seqs)")
            previous = seq
        }
        #expect(try ledger.verifySnapshots().allSatisfy { $0.verdict == .sound })
    }

    /// A new ledger snapshotting every `snapshotInterval` events, and a synthetic history of about `events` to import into it.
    static func synthetic(snapshotInterval: Int, events: Int, seed: UInt64) throws -> (LedgerFixture, SyntheticRegistry) {
        var policy = try RegistryData.defaultPolicy
        policy.snapshotInterval = snapshotInterval
        return try LedgerFixture.syntheticHistory(events: events, seed: seed, policy: policy)
    }

    @Test("after this process prunes every snapshot, the next append past the interval takes one again")
    func snapshotAfterPrune() throws {
        let (fixture, registry) = try Self.synthetic(snapshotInterval: 100, events: 400, seed: 11)
        let ledger = try fixture.ledger
        let chunks = registry.chunks(of: 20).makeIterator()
        while try ledger.store.newestSnapshotSeq() == 0, let candidates = chunks.next() {
            _ = try ledger.importEvents(candidates)
            #expect(ledger.finishBackgroundWork().isEmpty)
        }
        let first = try ledger.store.newestSnapshotSeq()
        #expect(first >= 100)
        #expect(try ledger.pruneSnapshots(keep: 0) == [first])
        // The next call's head is past the interval from no snapshot at all: it takes one.
        let candidates = try #require(chunks.next())
        _ = try ledger.importEvents(candidates)
        #expect(ledger.finishBackgroundWork().isEmpty)
        #expect(try ledger.store.newestSnapshotSeq() == ledger.store.head().seq)
    }

    @Test("on a larger log, automatic snapshots are a twentieth of it apart once that is more than the interval")
    func spacingGrowsWithTheLog() throws {
        let (fixture, registry) = try Self.synthetic(snapshotInterval: 100, events: 4_000, seed: 7)
        // Calls of 20 events: each snapshot is at the first head its spacing or more past the last (each
        // written before the next call: a busy machine's skipped snapshot is not what this checks).
        let ledger = try fixture.ledger
        for candidates in registry.chunks(of: 20) {
            _ = try ledger.importEvents(candidates)
            #expect(ledger.finishBackgroundWork().isEmpty)
        }
        let seqs = Array(try ledger.store.snapshots().map(\.seq).reversed())
        var previous: Int64 = 0
        for seq in seqs {
            let spacing = max(100, seq / 20)
            #expect(seq - previous >= spacing - 20 && seq - previous < spacing + 20, "\(seqs)")
            previous = seq
        }
        #expect(try ledger.store.head().seq - previous < max(100, try ledger.store.head().seq / 20) + 20)
        // Every 100 events up to 2,000 (about twenty), then 5% of the log: 100, 105, 110, … 200 events apart.
        #expect(seqs.count > 20 && seqs.count < 40, "\(seqs)")
        #expect(seqs.last.map { $0 - seqs[seqs.count - 2] >= 180 } == true, "\(seqs)")
        #expect(Ledger.snapshotSpacing(interval: 10_000, head: 1_000_000) == 50_000)
        #expect(Ledger.snapshotSpacing(interval: 10_000, head: 150_000) == 10_000)
        #expect(Ledger.snapshotSpacing(interval: 0, head: 1_000_000) == nil)
    }

    @Test("a process that has no projection at hand when a snapshot comes due restores one in the background, and the snapshot is sound")
    func dueWithNothingAtHand() throws {
        let (fixture, registry) = try Self.synthetic(snapshotInterval: 500, events: 1_600, seed: 11)
        let chunks = Array(registry.chunks(of: 600))
        _ = try fixture.ledger.importEvents(chunks[0])
        #expect(try fixture.ledger.finishBackgroundWork().isEmpty)
        #expect(try fixture.ledger.store.snapshots().count == 1)
        // Another process: no head projection held, no snapshot written by it.
        let reopened = try Ledger.open(at: fixture.path, clock: fixture.clock)
        _ = try reopened.importEvents(chunks[1])
        #expect(reopened.finishBackgroundWork().isEmpty)
        let head = try reopened.store.head().seq
        #expect(try reopened.store.snapshots().map(\.seq).first == head)
        #expect(try reopened.verifySnapshots().allSatisfy { $0.verdict == .sound })
        // What the snapshot was made from answers as a replay does.
        let held = try reopened.projections(at: try reopened.store.head())
        let replayed = try reopened.projections(at: try reopened.store.head(), useSnapshots: false, useLive: false)
        #expect(held.digest(asOf: LocalDate("2025-06-01")!) == replayed.digest(asOf: LocalDate("2025-06-01")!))
    }

    @Test("the default policy snapshots every 10,000 events, and an interval of 0 never")
    func intervals() throws {
        #expect(try RegistryData.defaultPolicy.snapshotEvery == 10_000)
        var policy = try RegistryData.defaultPolicy
        policy.snapshotInterval = 0
        #expect(policy.snapshotEvery == 0)
        policy.snapshotInterval = 5
        #expect(throws: PolicyError.self) { try policy.validate() }
    }
}

@Suite("Snapshots are never trusted blindly: a bad one is skipped with a warning, the answer stays right")
struct SnapshotFallbackTests {
    static func check(_ damage: (LedgerFixture) throws -> Void, expectWarning: String, fallsBackTo expected: Int64?) throws {
        let fixture = try snapshottedDemo()
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        let reference = try ledger.projections(at: head, useSnapshots: false).digest(asOf: DemoTests.today)
        try damage(fixture)
        let view = try ledger.projections(at: head, useLive: false)
        #expect(view.snapshotSeq == expected)
        #expect(view.warnings.count == 1 && view.warnings[0].contains(expectWarning), "\(view.warnings)")
        #expect(view.digest(asOf: DemoTests.today) == reference)
    }

    @Test("a flipped byte in the newest frame: skipped, the one at seq 200 used")
    func flippedByte() throws {
        try Self.check({ fixture in
            try tamper(fixture, "UPDATE snapshots SET frame = CAST(substr(frame, 1, 200) || X'FF' || substr(frame, 202) AS BLOB) WHERE seq = \(DemoTests.head)")
        }, expectWarning: "snapshot at seq \(DemoTests.head) skipped (corrupt", fallsBackTo: 200)
    }

    @Test("a truncated frame: skipped")
    func truncated() throws {
        try Self.check({ fixture in
            try tamper(fixture, "UPDATE snapshots SET frame = CAST(substr(frame, 1, length(frame) - 9) AS BLOB) WHERE seq = \(DemoTests.head)")
        }, expectWarning: "LZ4 frame", fallsBackTo: 200)
    }

    @Test("a snapshot from another projection version: skipped")
    func versionBumped() throws {
        try Self.check({ fixture in
            let ledger = try fixture.ledger
            let head = try ledger.store.head()
            let projection = try ledger.projections(at: head, useSnapshots: false).projection
            let (frame, size) = Snapshot.make(projection, hash: head.hash, createdAt: 0, projectionVersion: RegistryProjection.projectionVersion + 1)
            try ledger.store.saveSnapshot(seq: head.seq, hash: head.hash, formatVersion: 1,
                                          projectionVersion: Int(RegistryProjection.projectionVersion) + 1, contentSize: size, baseSeq: nil,
                                          frame: frame)
        }, expectWarning: "wrong version: projection version 2", fallsBackTo: 200)
    }

    @Test("a snapshot whose chain hash is not the log's (another ledger's, stored under the same seq): skipped")
    func otherChain() throws {
        try Self.check({ fixture in
            // The same acts under another policy (no automatic snapshots): another genesis, so another chain.
            var policy = try RegistryData.defaultPolicy
            policy.snapshotInterval = 0
            let other = try LedgerFixture(policy: policy)
            _ = try DemoRegistry.build(into: try other.ledger, clock: other.clock, today: DemoTests.today)
            try other.ledger.createSnapshot()
            let frame = try other.ledger.snapshotFrame(seq: DemoTests.head)
            try tamper(fixture, "UPDATE snapshots SET frame = ? WHERE seq = \(DemoTests.head)", [Data(frame)])
        }, expectWarning: "does not match the log", fallsBackTo: 200)
    }

    @Test("every snapshot damaged: a full replay, one warning each")
    func allDamaged() throws {
        let fixture = try snapshottedDemo()
        let ledger = try fixture.ledger
        try tamper(fixture, "UPDATE snapshots SET frame = X'00'")
        let view = try ledger.projections(at: try ledger.store.head(), useLive: false)
        #expect(view.snapshotSeq == nil && view.warnings.count == 3)
        #expect(view.digest(asOf: DemoTests.today) == (try ledger.projections(at: try ledger.store.head(), useSnapshots: false).digest(asOf: DemoTests.today)))
    }

    @Test("snapshot verify names the damaged snapshot and exits 68; the query prints one warning on stderr")
    func verifyOnTheCommandLine() throws {
        let fixture = try snapshottedDemo()
        #expect(try CLI.run(["snapshot", "verify", "--ledger", fixture.path]).status == 0)
        try tamper(fixture, "UPDATE snapshots SET frame = CAST(substr(frame, 1, 100) || X'00' || substr(frame, 102) AS BLOB) WHERE seq = 200")
        let verify = try CLI.run(["snapshot", "verify", "--ledger", fixture.path])
        #expect(verify.status == 68)
        #expect(verify.stdout.contains("seq 200: UNUSABLE"), "\(verify.stdout)")
        #expect(verify.stderr.contains("1 of 3 snapshots are unusable or differ from the log (oldest: seq 200)"), "\(verify.stderr)")
        let roster = try CLI.run(["roster", "--ledger", fixture.path, "--at-seq", "150", "--as-of", "2026-01-01", "--json"])
        let plain = try CLI.run(["roster", "--ledger", fixture.path, "--at-seq", "150", "--as-of", "2026-01-01", "--json", "--no-snapshots"])
        #expect(roster.status == 0 && roster.stdout == plain.stdout)
        #expect(roster.stderr.split(separator: "\n").count == 1 && roster.stderr.contains("warning: snapshot at seq 200 skipped"), "\(roster.stderr)")
    }
}

@Suite("snapshot create, list, export and prune on the command line")
struct SnapshotCommandTests {
    @Test("create, list --json, export (a frame `lz4 -d` reads when installed), prune --keep 1")
    func lifecycle() throws {
        let fixture = try DemoTests.build()
        let path = fixture.path
        #expect(try CLI.run(["snapshot", "create", "--ledger", path, "--seq", "120"]).status == 0)
        let created = try CLI.run(["snapshot", "create", "--ledger", path])
        #expect(created.status == 0 && created.stdout.hasPrefix("snapshot at seq \(DemoTests.head):"), "\(created.stdout)\(created.stderr)")
        let list = try JSONParser.parse(try CLI.run(["snapshot", "list", "--ledger", path, "--json"]).stdout)
        #expect(list.arrayValue?.map { $0["seq"] } == [.integer(DemoTests.head), .integer(120)])
        #expect(Set(list.arrayValue?.first?.objectValue?.keys ?? []) ==
                ["seq", "hash", "createdAt", "formatVersion", "projectionVersion", "contentSize", "frameSize", "baseSeq"])
        let out = fixture.file("s120.lz4")
        #expect(try CLI.run(["snapshot", "export", "--ledger", path, "--seq", "120", "--out", out]).status == 0)
        let frame = try [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(frame.prefix(4) == [0x04, 0x22, 0x4D, 0x18], "the LZ4 frame magic number")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/lz4") {
            let decoded = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/lz4"), ["-d", "-c", out])
            #expect(decoded.status == 0 && decoded.stdout.hasPrefix("OUTLSNAP"))
        }
        let missing = try CLI.run(["snapshot", "export", "--ledger", path, "--seq", "7", "--out", out])
        #expect(missing.status == 65 && missing.stderr.contains("no snapshot at seq 7 (there are: \(DemoTests.head), 120)"), "\(missing.stderr)")
        let pruned = try CLI.run(["snapshot", "prune", "--ledger", path, "--keep", "1"])
        #expect(pruned.stdout.contains("deleted 1 snapshot (seq 120)"), "\(pruned.stdout)")
        #expect(try fixture.ledger.store.snapshots().map(\.seq) == [DemoTests.head])
        #expect(try CLI.run(["verify", "--ledger", path]).status == 0)
    }
}

@Suite("Snapshot format golden fixtures (Snapshots/fixtures): old snapshots keep loading")
struct SnapshotFormatFixtureTests {
    @Test("each committed snapshot of the committed 150-event log restores, byte for byte, what a replay of that log gives",
          arguments: [("snapshot-150.lz4", UInt16(1)), ("snapshot-150-v2.lz4", UInt16(2)), ("snapshot-150-v3.lz4", UInt16(3)),
                      ("snapshot-150-v4.lz4", UInt16(4))])
    func goldenSnapshotLoads(file: String, format: UInt16) throws {
        let fixture = try LedgerFixture()
        let log = Repository.path("Snapshots/fixtures/ledger-150.jsonl")
        let imported = try CLI.run(["import", "--ledger", fixture.path, log])
        try #require(imported.status == 0, "\(imported.stderr)")
        let ledger = try fixture.ledger
        // An export from before the genesis keeps its seqs and hashes; the genesis follows it (seq 151…).
        #expect(try ledger.store.head().seq == 150 + genesis)
        let head = try ledger.position(atSeq: 150)
        let frame = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Repository.path("Snapshots/fixtures/\(file)"))))
        let header = try Snapshot.header(of: frame)
        #expect(header.formatVersion == format && header.seq == 150 && header.hash == head.hash)
        #expect((header.contentDigest == nil) == (format == 1))
        // A change of layout must bump the format version and keep a reader for every older one: this load must not fail.
        // (Format 1 binds no body digest, so queries no longer use it; its reader stays.)
        let restored = try Snapshot.load(frame, periods: ledger.periods, expected: (head.seq, head.hash), acceptUnbound: format == 1).projection
        // Timelines decoded as queries read them (states read alone: what one CLI query restores) from a snapshot that
        // stores its index.
        let deferred = try Snapshot.load(frame, periods: ledger.periods, expected: (head.seq, head.hash), acceptUnbound: format == 1,
                                         deferred: .readingStatesAlone).projection
        let replay = try ledger.projections(at: head, useSnapshots: false).projection
        #expect(Snapshot.encodedState(restored) == Snapshot.encodedState(replay))
        for date in ["2024-06-30", "2025-06-30", "2026-11-25"] {
            #expect(restored.digestDocument(asOf: day(date)) == replay.digestDocument(asOf: day(date)))
            #expect(deferred.digestDocument(asOf: day(date)) == replay.digestDocument(asOf: day(date)))
        }
        #expect(Snapshot.encodedState(deferred) == Snapshot.encodedState(replay))
        if format >= SnapshotHeader.namingOrderFormatVersion {
            // Its body is what this program encodes of that state, byte for byte: a timeline unchanged since is copied from it.
            #expect(Array(try LZ4Frame.decompress(frame)[SnapshotHeader.size...]) == Snapshot.encodedState(replay))
        }
        if format == 1 {
            // Format 1 binds no body digest: queries never use it.
            #expect { try Snapshot.load(frame, periods: ledger.periods) } throws: { error in
                guard case .version(let reason) = error as? SnapshotError else { return false }
                return reason.contains("format version 1 does not bind its content")
            }
        }
    }
}

extension SnapshotFormatFixtureTests {
    @Test("the committed segment (format 5) over the committed whole snapshot of seq 100 restores what a replay to 150 gives")
    func goldenSegmentLoads() throws {
        let fixture = try LedgerFixture()
        let imported = try CLI.run(["import", "--ledger", fixture.path, Repository.path("Snapshots/fixtures/ledger-150.jsonl")])
        try #require(imported.status == 0, "\(imported.stderr)")
        let ledger = try fixture.ledger
        let (basePosition, head) = (try ledger.position(atSeq: 100), try ledger.position(atSeq: 150))
        let (basePath, segmentPath) = (Repository.path("Snapshots/fixtures/snapshot-100-v4.lz4"), Repository.path("Snapshots/fixtures/snapshot-150-v5.lz4"))
        if ProcessInfo.processInfo.environment["OUTLET_WRITE_SEGMENT_FIXTURE"] == "1" {
            // How the pair was made: the whole snapshot of a replay to 100, then that projection folded on to 150 and a
            // segment of it made with the whole snapshot's cache, as a process taking automatic snapshots does.
            var cache = TimelineCache()
            var projection = try ledger.projections(at: basePosition, useSnapshots: false).projection
            let base = Snapshot.make(projection, hash: basePosition.hash, createdAt: 1_764_460_800_000, cache: &cache)
            _ = try ledger.fold(into: &projection, through: 150)
            let segment = try #require(Snapshot.makeSegment(projection, hash: head.hash, createdAt: 1_764_460_800_000, cache: &cache))
            try Data(base.frame).write(to: URL(fileURLWithPath: basePath))
            try Data(segment.frame).write(to: URL(fileURLWithPath: segmentPath))
        }
        let base = try LZ4Frame.decompress([UInt8](Data(contentsOf: URL(fileURLWithPath: basePath))))
        let segment = try LZ4Frame.decompress([UInt8](Data(contentsOf: URL(fileURLWithPath: segmentPath))))
        let replay = try ledger.projections(at: head, useSnapshots: false).projection
        for deferred in [nil, Deferral.readingStatesAlone] {
            let loaded = try Snapshot.load(segment: segment, over: base, periods: ledger.periods, expected: (head.seq, head.hash),
                                           expectedBase: (basePosition.seq, basePosition.hash), deferred: deferred)
            #expect(loaded.header.formatVersion == 5 && loaded.header.seq == 150)
            #expect(Snapshot.encodedState(loaded.projection) == Snapshot.encodedState(replay))
            #expect(loaded.projection.digestDocument(asOf: day("2025-06-30")) == replay.digestDocument(asOf: day("2025-06-30")))
        }
    }
}

@Suite("A ledger from before snapshots (format 1) still opens")
struct SnapshotMigrationTests {
    /// The demo ledger turned back into format 1: no snapshots table, no record of its migration.
    static func formatOne() throws -> LedgerFixture {
        let fixture = try DemoTests.build()
        _ = try fixture.fingerprint()
        try tamper(fixture, """
            DROP TABLE snapshots;
            DELETE FROM grdb_migrations WHERE identifier IN ('v2-snapshots', 'v3-reference-stream', 'v4-checkpoints', 'v5-access-tokens',
                                                             'v6-publicized-index', 'v7-snapshot-segments');
            DROP INDEX events_publicized;
            DROP TABLE access_tokens;
            DROP TABLE checkpoints;
            UPDATE ledger_meta SET value = '1' WHERE key = 'formatVersion';
            """)
        return fixture
    }

    @Test("read-only, it has no snapshots and answers from the log, byte for byte untouched")
    func readOnly() throws {
        let fixture = try Self.formatOne()
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        let ledger = try Ledger.open(at: fixture.path, readonly: true)
        #expect(try ledger.store.snapshots().isEmpty)
        let view = try ledger.projections(at: try ledger.store.head(), useLive: false)
        #expect(view.snapshotSeq == nil && view.warnings.isEmpty && view.tailEvents == Int(DemoTests.head))
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == before)
    }

    @Test("opened for writing, it gains the snapshots table and the current format, and its chain still verifies")
    func migrated() throws {
        let fixture = try Self.formatOne()
        let ledger = try Ledger.open(at: fixture.path)
        try ledger.createSnapshot()
        #expect(try ledger.store.snapshots().map(\.seq) == [DemoTests.head])
        #expect(try ledger.store.verify().count == DemoTests.head)
        let queue = try DatabaseQueue(path: fixture.path)
        #expect(try queue.read { try String.fetchOne($0, sql: "SELECT value FROM ledger_meta WHERE key = 'formatVersion'") } == String(EventStore.formatVersion))
    }
}

@Suite("Automatic snapshots are segments over the last whole snapshot: what changed since, not the whole state again")
struct SnapshotSegmentLedgerTests {
    /// A synthetic history of about `events`, its first `importing` imported in calls of 20 events, each call's
    /// snapshot written before the next; and the calls left.
    static func imported(events: Int, importing: Int = .max, seed: UInt64) throws -> (LedgerFixture, [[Candidate]]) {
        let (fixture, registry) = try SnapshotQueryTests.synthetic(snapshotInterval: 100, events: events, seed: seed)
        let ledger = try fixture.ledger
        var calls = Array(registry.chunks(of: 20))[...]
        while let candidates = calls.first, try ledger.store.head().seq < importing {
            calls.removeFirst()
            _ = try ledger.importEvents(candidates)
            #expect(ledger.finishBackgroundWork().isEmpty)
        }
        return (fixture, Array(calls))
    }

    @Test("after the first whole snapshot, each automatic one is a segment over the newest whole one, up to segmentsPerBase; each is sound")
    func segmentsOverTheLastWhole() throws {
        let (fixture, _) = try Self.imported(events: 2_400, seed: 3)
        let ledger = try fixture.ledger
        let stored = Array(try ledger.store.snapshots().reversed())
        #expect(stored.count > Snapshot.segmentsPerBase + 2, "\(stored.map(\.seq))")
        var base: StoredSnapshot?
        var overBase = 0
        for snapshot in stored {
            if let baseSeq = snapshot.baseSeq {
                #expect(baseSeq == base?.seq && snapshot.formatVersion == 5, "\(snapshot)")
                #expect(snapshot.contentSize < base!.contentSize, "a segment holds less than its base: \(snapshot)")
                overBase += 1
                #expect(overBase <= Snapshot.segmentsPerBase)
            } else {
                #expect(snapshot.formatVersion == 4)
                #expect(base == nil || overBase == Snapshot.segmentsPerBase || overBase > 0, "\(stored.map(\.seq))")
                (base, overBase) = (snapshot, 0)
            }
        }
        #expect(stored.filter { $0.baseSeq == nil }.count >= 2 && stored.filter { $0.baseSeq != nil }.count >= Snapshot.segmentsPerBase)
        // Each restores, in full, the state a replay reaches at its seq; `verify` says so of every one.
        #expect(try ledger.verifySnapshots().allSatisfy { $0.verdict == .sound })
        #expect(try ledger.audit().snapshotsMatching.count == stored.count)
        // A query started from a segment answers as the log does, at its seq and known as at an earlier one.
        for snapshot in stored where snapshot.baseSeq != nil {
            for seq in [snapshot.seq, snapshot.seq - 30] {
                let position = try ledger.position(atSeq: seq)
                let fast = try ledger.projections(at: position, useLive: false)
                let slow = try ledger.projections(at: position, useSnapshots: false)
                #expect(fast.snapshotSeq == snapshot.seq || seq != snapshot.seq, "seq \(seq): from \(String(describing: fast.snapshotSeq))")
                #expect(fast.warnings.isEmpty, "\(fast.warnings)")
                #expect(fast.digest(asOf: LocalDate("2026-06-01")!) == slow.digest(asOf: LocalDate("2026-06-01")!), "seq \(seq)")
            }
        }
    }

    @Test("a prune keeps the whole snapshot a kept segment needs; a segment whose base was deleted behind its back is skipped, with a warning")
    func pruneKeepsBases() throws {
        let (fixture, calls) = try Self.imported(events: 1_200, importing: 800, seed: 5)
        let ledger = try fixture.ledger
        let newest = try #require(try ledger.store.snapshots().first)
        let base = try #require(newest.baseSeq)
        let others = try ledger.store.snapshots().map(\.seq).filter { $0 != newest.seq && $0 != base }
        #expect(try ledger.pruneSnapshots(keep: 1) == others)
        #expect(try ledger.store.snapshots().map(\.seq) == [newest.seq, base])
        #expect(try ledger.audit().snapshotsMatching == [base, newest.seq])
        try tamper(fixture, "DELETE FROM snapshots WHERE seq = ?", [base])
        let head = try ledger.store.head()
        let view = try ledger.projections(at: head, useLive: false)
        #expect(view.snapshotSeq == nil)
        #expect(view.warnings.count == 1 && view.warnings[0].contains("its base, the snapshot of seq \(base), is not stored"), "\(view.warnings)")
        #expect(view.digest(asOf: LocalDate("2026-06-01")!) == (try ledger.projections(at: head, useSnapshots: false).digest(asOf: LocalDate("2026-06-01")!)))
        // The next segment this process makes is over that base, which is gone: it is not written, and the one after is whole.
        var warnings: [String] = []
        for candidates in calls {
            _ = try ledger.importEvents(candidates)
            warnings += ledger.finishBackgroundWork()
        }
        #expect(warnings.count == 1 && warnings[0].contains("is over the snapshot of seq \(base), which is no longer stored"), "\(warnings)")
        let later = try ledger.store.snapshots().filter { $0.seq > newest.seq }
        #expect(later.last?.baseSeq == nil && later.count >= 2, "\(later)")
        // Only the segment left without its base is unusable.
        #expect(try ledger.verifySnapshots().filter { $0.verdict != .sound }.map(\.snapshot.seq) == [newest.seq])
    }
}
