import CanonicalJSON
import GRDB
import Testing
import OutletCore
@testable import OutletStore

@Suite("The EventLog contract, on the ledger file and in memory: gap-free seq, stream versions, idempotency, expected versions and heads, atomicity")
struct AppendTests {
    @Test("seq is global and gap-free; streamVersion counts within each stream", arguments: LogKind.allCases)
    func positions(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        let results = try fixture.store.append([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB), StoreFixture.event()])
        #expect(results.map(\.seq) == [1, 2, 3])
        let events = try fixture.store.events()
        #expect(events.map(\.streamVersion) == [1, 1, 2])
        #expect(try fixture.store.append([StoreFixture.event(StoreFixture.streamB)]).map(\.seq) == [4])
        #expect(try fixture.store.events(ofStream: StoreFixture.streamB).map(\.streamVersion) == [1, 2])
    }

    @Test("the same eventId with the same content is recorded once and answered with the original seq", arguments: LogKind.allCases)
    func idempotentRepeat(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        let first = try fixture.store.append([StoreFixture.event(id: "req-1")])
        let before = try fixture.fingerprint()
        let again = try fixture.store.append([StoreFixture.event(id: "req-1")])
        #expect(first.first?.duplicate == false)
        #expect(again.map { [$0.seq, $0.duplicate ? 1 : 0] } == [[1, 1]] && again.map(\.eventId) == ["req-1"] && again[0].hash.count == 64 && again[0].streamVersion == 1)
        #expect(try fixture.fingerprint() == before)
    }

    @Test("the same eventId with other content is refused as a conflict, nothing written", arguments: LogKind.allCases)
    func idempotencyConflict(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event(id: "req-1")])
        let before = try fixture.fingerprint()
        #expect {
            try fixture.store.append([StoreFixture.event(id: "req-1", on: "2025-09-02")])
        } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("already names seq 1")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("a repeat whose content Unicode deems equivalent but whose bytes differ is other content: refused, nothing written", arguments: LogKind.allCases)
    func idempotencyComparesBytes(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event(id: "req-1", payload: ["opinion": "同意推荐 \u{E9}", "head": "王强"])])
        let before = try fixture.fingerprint()
        #expect("同意推荐 \u{E9}" == "同意推荐 e\u{301}", "Swift's equality")
        #expect {
            try fixture.store.append([StoreFixture.event(id: "req-1", payload: ["opinion": "同意推荐 e\u{301}", "head": "王强"])])
        } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("already names seq 1")
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("--expect-version: accepted at the stream's version, refused once it has moved", arguments: LogKind.allCases)
    func expectedVersion(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        #expect(try fixture.store.append([StoreFixture.event()], expectVersion: 0).map(\.seq) == [1])
        let before = try fixture.fingerprint()
        #expect {
            try fixture.store.append([StoreFixture.event()], expectVersion: 0)
        } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("is at version 1, expected 0")
        }
        #expect(try fixture.fingerprint() == before)
        #expect(try fixture.store.append([StoreFixture.event()], expectVersion: 1).map(\.seq) == [2])
    }

    @Test("several events of one append are all-or-nothing: one that does not continue the chain refuses them all", arguments: LogKind.allCases)
    func atomicBatch(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event()])
        let before = try fixture.fingerprint()
        let prepared = try PreparedAppend([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB)], on: fixture.store)
        var envelopes = prepared.envelopes
        envelopes[1].payload = #"{"forged":true}"#
        #expect { try fixture.store.append(envelopes, expectedHead: prepared.head) } throws: { error in
            (error as? LedgerError)?.code == .integrityFailure && (error as? LedgerError)?.seq == 3
        }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("inside one transaction, a write refused midway is undone alone: its first row is gone, what follows commits", arguments: LogKind.allCases)
    func refusedWriteInsideTransaction(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event()])
        try fixture.store.inOneTransaction(long: false) { () throws(LedgerError) in
            // Two events that continue the chain, the second reusing the first's id: the log takes the first row,
            // then refuses the second (the file: its unique index of ids).
            let prepared = try PreparedAppend([StoreFixture.event(id: "a"), StoreFixture.event(StoreFixture.streamB, id: "b")], on: fixture.store)
            var envelopes = prepared.envelopes
            envelopes[1].eventId = "a"
            envelopes[1].hash = HashChain.hash(of: envelopes[1])
            #expect(throws: LedgerError.self) { try fixture.store.append(envelopes, expectedHead: prepared.head) }
            #expect(try fixture.store.head() == prepared.head)
            _ = try fixture.store.append([StoreFixture.event(StoreFixture.streamB, id: "c")])
        }
        #expect(try fixture.store.events().map(\.eventId).suffix(1) == ["c"])
        #expect(try fixture.store.events().map(\.seq) == [1, 2])
        #expect(try fixture.store.envelope(eventId: "a") == nil)
    }

    @Test("an append sealed on an older head is refused as headMoved, with both seqs; nothing written", arguments: LogKind.allCases)
    func headMoved(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        let stale = try PreparedAppend([StoreFixture.event()], on: fixture.store)
        _ = try fixture.store.append([StoreFixture.event(StoreFixture.streamB)])
        let before = try fixture.fingerprint()
        #expect { try fixture.store.append(stale.envelopes, expectedHead: stale.head) } throws: { error in
            (error as? LedgerError)?.conflict == LedgerError.Conflict(kind: .headMoved, expected: 0, actual: 1)
        }
        // Handed over as sealed (only its links checked, not its hashes), it is refused all the same.
        #expect { try fixture.store.append(stale) } throws: { error in
            (error as? LedgerError)?.conflict == LedgerError.Conflict(kind: .headMoved, expected: 0, actual: 1)
        }
        #expect(try fixture.fingerprint() == before)
        // Sealed again on the new head, it goes in.
        #expect(try fixture.store.append([StoreFixture.event()]).map(\.seq) == [2])
    }

    @Test("an event without an eventId gets a fresh version 7 UUID: the recording millisecond, then random bits", arguments: LogKind.allCases)
    func generatedEventIds(kind: LogKind) throws {
        let fixture = try StoreFixture(kind, at: "2025-10-10T01:00:00.000Z")
        let ids = try (0..<200).flatMap { _ in try fixture.store.append([StoreFixture.event()]).map(\.eventId) }
        let form = /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/
        #expect(ids.allSatisfy { $0.wholeMatch(of: form) != nil })
        // 2025-10-10T01:00:00Z is 1,760,058,000,000 ms after the epoch: 0x0199_cba1_c280.
        #expect(ids.allSatisfy { $0.hasPrefix("0199cba1-c280-7") })
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.suffix(12) }).count > 190)  // random, not counted
        // A later recording sorts after: the log's index of ids grows at its end.
        fixture.clock.set(Timestamp("2025-10-10T01:00:00.001Z")!)
        let later = try fixture.store.append([StoreFixture.event()])[0].eventId
        #expect(later.hasPrefix("0199cba1-c281-7") && ids.allSatisfy { $0 < later })
    }

    @Test("reads: head at a seq and as known at a time, a stream's events and version, events of a type, an event id", arguments: LogKind.allCases)
    func reads(kind: LogKind) throws {
        let fixture = try StoreFixture(kind, at: "2025-10-10T01:00:00.000Z")
        _ = try fixture.store.append([StoreFixture.event(id: "a")])
        fixture.clock.set(Timestamp("2025-10-11T01:00:00.000Z")!)
        _ = try fixture.store.append([StoreFixture.event(StoreFixture.streamB, type: "publicized", payload: ["noticeNo": "1", "reviewOpinion": "ok"]), StoreFixture.event()])
        let log = fixture.store
        #expect(try log.head().seq == 3)
        #expect(try log.head(atSeq: 2).seq == 2 && log.head(atSeq: 99).seq == 3 && log.head(atSeq: 0) == .empty)
        #expect(try log.head(knownAt: Timestamp("2025-10-10T12:00:00.000Z")!).seq == 1)
        #expect(try log.head(knownAt: Timestamp("2025-10-09T12:00:00.000Z")!) == .empty)
        #expect(try log.events(ofStream: StoreFixture.streamA).map(\.seq) == [1, 3])
        #expect(try log.streamVersion(of: StoreFixture.streamA) == 2 && log.streamVersion(of: "nobody") == 0)
        #expect(try log.lastSeq(ofStream: StoreFixture.streamB) == 2)
        #expect(try log.lastSeq(ofStream: StoreFixture.streamA) == 3 && log.lastSeq(ofStream: "nobody") == 0)
        #expect(try log.events(ofType: "publicized", afterSeq: 0).map(\.seq) == [2])
        #expect(try log.events(ofType: "publicized", afterSeq: 2).isEmpty)
        #expect(try log.events(ofType: "recommended", afterSeq: 0).map(\.seq) == [1, 3] && log.events(ofType: "recommended", afterSeq: 1).map(\.seq) == [3])
        #expect(try log.envelope(eventId: "a")?.seq == 1 && log.envelope(eventId: "b") == nil)
        #expect(try log.storedEventIds(among: ["b", "a", "a\"]", "中"]) == ["a"] && log.storedEventIds(among: []).isEmpty)
        #expect(try log.events(fromSeq: 2, toSeq: 3).map(\.seq) == [2, 3])
        var visited: [Int64] = []
        try log.forEachEvent(fromSeq: 2) { visited.append($0.seq) }
        #expect(visited == [2, 3])
        #expect(try log.headRecord()?.seq == 3)
        #expect(try log.verify().count == 3)
    }

    @Test("snapshot rows: saved, listed newest first, read back, pruned", arguments: LogKind.allCases)
    func snapshotRows(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event(), StoreFixture.event()])
        #expect(try fixture.store.newestSnapshotSeq() == 0)
        for seq: Int64 in [1, 2] {
            try fixture.store.saveSnapshot(seq: seq, hash: try fixture.store.head(atSeq: seq).hash, formatVersion: 2, projectionVersion: 1,
                                           contentSize: 10, baseSeq: nil, frame: [UInt8(seq), 2, 3])
        }
        #expect(try fixture.store.snapshots().map(\.seq) == [2, 1])
        #expect(try fixture.store.snapshotFrame(seq: 1) == [1, 2, 3] && fixture.store.snapshotFrame(seq: 3) == nil)
        #expect(try fixture.store.newestSnapshotSeq() == 2)
        #expect(try fixture.store.pruneSnapshots(keep: 1) == [1])
        #expect(try fixture.store.snapshots().map(\.seq) == [2])
        #expect(try fixture.store.pruneSnapshots(keep: 0) == [2])
        #expect(try fixture.store.newestSnapshotSeq() == 0)
    }

    @Test("a segment is stored only over a stored base, and a prune keeps the bases of the segments it keeps", arguments: LogKind.allCases)
    func segmentRows(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event(), StoreFixture.event(), StoreFixture.event()])
        func save(_ seq: Int64, over base: Int64?) throws {
            try fixture.store.saveSnapshot(seq: seq, hash: try fixture.store.head(atSeq: seq).hash, formatVersion: base == nil ? 4 : 5,
                                           projectionVersion: 1, contentSize: 10, baseSeq: base, frame: [UInt8(seq)])
        }
        #expect { try save(2, over: 1) } throws: { error in
            (error as? LedgerError)?.code == .conflict && "\(error)".contains("is over the snapshot of seq 1, which is no longer stored")
        }
        #expect(try fixture.store.snapshots().isEmpty)
        try save(1, over: nil)
        try save(2, over: 1)
        try save(3, over: 1)
        #expect(try fixture.store.snapshots().map(\.baseSeq) == [1, 1, nil])
        #expect(try fixture.store.pruneSnapshots(keep: 1) == [2])
        #expect(try fixture.store.snapshots().map(\.seq) == [3, 1])
        #expect(try fixture.store.pruneSnapshots(keep: 0) == [3, 1])
    }

    @Test("a snapshot's frame is read in pieces from any offset, the same bytes as read whole; none where there is no snapshot",
          arguments: LogKind.allCases)
    func snapshotFrameInPieces(kind: LogKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try fixture.store.append([StoreFixture.event()])
        // Larger than a page, so that SQLite keeps it on overflow pages a piece can start in the middle of.
        let frame = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        try fixture.store.saveSnapshot(seq: 1, hash: try fixture.store.head(atSeq: 1).hash, formatVersion: 3, projectionVersion: 1,
                                       contentSize: 1, baseSeq: nil, frame: frame)
        let pieces = try fixture.store.withSnapshotFrame(seq: 1) { count, read in
            [(0, 1), (5_000, 4_096), (65_000, 5_000), (0, 70_000)].map { offset, length in
                var piece = [UInt8](repeating: 0, count: length)
                let done = piece.withUnsafeMutableBytes { read($0, offset) }
                return (count, done, piece == Array(frame[offset..<(offset + length)]))
            }
        }
        #expect(try #require(pieces).allSatisfy { $0 == (70_000, true, true) })
        let pastTheEnd = try fixture.store.withSnapshotFrame(seq: 1) { _, read in
            var piece = [UInt8](repeating: 0, count: 10)
            return piece.withUnsafeMutableBytes { read($0, 69_995) }
        }
        #expect(pastTheEnd == false)
        #expect(try fixture.store.withSnapshotFrame(seq: 2) { count, _ in count } == nil)
    }

    @Test("import keeps recordedAt but refuses one that decreases or lies in the future", arguments: LogKind.allCases)
    func importedRecordedAt(kind: LogKind) throws {
        let fixture = try StoreFixture(kind, at: "2025-10-10T01:00:00.000Z")
        var old = StoreFixture.event()
        old.recordedAt = Timestamp("2025-09-01T02:00:00.000Z")
        _ = try fixture.store.append([old], importing: true)
        #expect(try fixture.store.events().first?.recordedAt == "2025-09-01T02:00:00.000Z")
        let before = try fixture.fingerprint()
        old.recordedAt = Timestamp("2025-08-01T02:00:00.000Z")
        #expect(throws: LedgerError.self) { try fixture.store.append([old], importing: true) }
        old.recordedAt = Timestamp("2025-10-11T02:00:00.000Z")
        #expect(throws: LedgerError.self) { try fixture.store.append([old], importing: true) }
        #expect(try fixture.fingerprint() == before)
    }

    @Test("the publicized events, the one type a rule reads by type, are read through an index that holds them alone (the ledger file)")
    func publicizedIndex() throws {
        let fixture = try StoreFixture(.sqlite)
        _ = try fixture.store.append([StoreFixture.event(), StoreFixture.event(StoreFixture.streamB, type: "publicized", payload: ["noticeNo": "1", "reviewOpinion": "ok"])])
        let queue = try DatabaseQueue(path: fixture.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let query = EventStore.typeQuery("publicized", afterSeq: 0)
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query.sql, arguments: query.arguments).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("USING INDEX events_publicized") && !plan.contains("TEMP B-TREE"), "\(plan)")
        let indexed = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events INDEXED BY events_publicized WHERE type = 'publicized'") }
        #expect(indexed == 1)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'events_by_type'") } == 0)
    }

    @Test("UPDATE and DELETE on events are refused by triggers (the ledger file)")
    func appendOnly() throws {
        let fixture = try StoreFixture(.sqlite)
        _ = try fixture.store.append([StoreFixture.event()])
        let raw = try fixture.raw()
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE events SET type = 'x'") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try fixture.store.verify().count == 1)
    }
}

@Suite("The position as known at a time: one index seek, the same answer as walking the log")
struct KnownAtPositionTests {
    @Test("at every event's recordedAt, between them, before the first and after the last, the seek gives the seq the walk down the log gives")
    func seekAgreesWithWalk() throws {
        let fixture = try StoreFixture(.sqlite, at: "2025-10-10T01:00:00.000Z")
        var random = SystemRandomNumberGenerator()
        var milliseconds = Timestamp("2025-10-10T01:00:00.000Z")!.millisecondsSinceEpoch
        for index in 0..<300 {
            // Several events may share a time (one call, or the same millisecond); time never goes back.
            if index % 3 != 0 { milliseconds += Int64.random(in: 0...5_000, using: &random) }
            fixture.clock.set(Timestamp(millisecondsSinceEpoch: milliseconds))
            _ = try fixture.store.append((0..<Int.random(in: 1...3, using: &random)).map { _ in StoreFixture.event() })
        }
        let queue = try DatabaseQueue(path: fixture.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let times = try queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT recorded_at FROM events") }
        var probes = times.compactMap { Timestamp($0) }
        probes += probes.map { Timestamp(millisecondsSinceEpoch: $0.millisecondsSinceEpoch + 1) }
        probes += probes.map { Timestamp(millisecondsSinceEpoch: $0.millisecondsSinceEpoch - 1) }
        for probe in probes {
            let walked = try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT seq FROM events WHERE recorded_at <= ? ORDER BY seq DESC LIMIT 1", arguments: [probe.description])
            } ?? 0
            #expect(try fixture.store.head(knownAt: probe).seq == walked, "\(probe)")
        }
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT seq, hash, recorded_at FROM events INDEXED BY events_by_recorded_at
                WHERE recorded_at <= ? ORDER BY recorded_at DESC, seq DESC LIMIT 1
                """, arguments: ["2025-10-11T00:00:00.000Z"]).map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("events_by_recorded_at") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }
}
