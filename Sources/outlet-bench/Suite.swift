import ArgumentParser
import CanonicalJSON
import Foundation
import OutletDomain
import OutletDemo
import OutletLedger
import OutletProjections
import OutletSnapshots
import OutletCore

/// `outlet-bench suite`: the benchmark of issue #5, end to end, on one synthetic national-scale history.
struct Suite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic history, then measure import, appends, replay, snapshots and roster latency, beside a Python peer.")

    @Option(help: "How many events.") var events = 1_000_000
    @Option(help: "A folder for the ledger, the export and the peer's database (emptied first).") var work = "/tmp/outlet-bench"
    @Option(help: "Random (as-of, known-at) pairs for roster latency with snapshots.") var pairs = 200
    @Option(help: "Pairs without snapshots (each a full replay).") var coldPairs = 5
    @Option(help: "Single-event appends, each its own transaction.") var appends = 2_000
    @Option(help: "The outlet-ledger binary, for whole-process figures.") var cli: String
    @Option(help: "The peer script (tools/bench/peer.py); skipped if python3 cannot import eventsourcing.") var peer: String?
    @Option(help: "Where to write the results table (markdown).") var results: String?
    @Option(help: "Where to write this run's figures as one JSON object (tools/bench/run takes the median of several).") var figures: String?
    @Option(help: "The seed of the history and of the query pairs.") var seed: UInt64 = 2014

    func run() throws {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let path = work + "/bench.sqlite"
        var report = Report(events: events)
        let clock = ContinuousClock()
        let today = Timestamp(Date()).shanghaiDate

        var figures: [String: Double] = [:]

        // Import: the synthetic history through the rules and the hash chain, 10,000 events per call,
        // with the default policy's automatic snapshots every 10,000 events. The candidates are made
        // before the clock starts: the import is timed, not the generator.
        let created = try Ledger.create(at: path)
        var registry = SyntheticRegistry(periods: created.periods, today: today)
        registry.schedule(events: events, seed: seed)
        log("generating \(events) events of \(registry.institutionCount) institutions …")
        let batches = Array(registry.chunks(of: 10_000))
        log("importing …")
        var imported = 0
        let importing = try clock.measure {
            for candidates in batches { imported += try created.importEvents(candidates).results.count }
            _ = created.finishBackgroundWork()
        }
        figures["import_events_per_s"] = Double(imported) / importing.seconds
        report.institutions = registry.institutionCount
        report.add("import through the rules, hash-chained (10,000 per call, auto snapshots on)",
                   "\(rate(imported, importing.seconds)) events/s", "\(fmt(importing.seconds)) s for \(imported)")
        let automatic = try created.store.snapshots()
        let snapshotsTaken = automatic.count
        let segments = automatic.filter { $0.baseSeq != nil }
        report.add("automatic snapshots during the import", "\(snapshotsTaken - segments.count) whole, \(segments.count) segments",
                   "\(mib(automatic.reduce(0) { $0 + $1.frameSize } / 1024)) of LZ4 frames in all, the segments \(mib(segments.reduce(0) { $0 + $1.frameSize } / 1024))")
        figures["automatic_snapshot_frames_mib"] = Double(automatic.reduce(0) { $0 + $1.frameSize }) / 1_048_576

        // Durable single appends: a new applicant each, its own transaction (synchronous=FULL). The peer
        // appends the same events (type, date and payload), from this file.
        var appendLatency = Sample()
        let appended = registry.applications(appends, on: today)
        for candidate in appended {
            let elapsed = try clock.measure { _ = try created.append([candidate]) }
            appendLatency.add(elapsed.seconds * 1000)
        }
        let appendedEvents = work + "/appended.jsonl"
        try Appends.writeForPeer(appended, to: appendedEvents)
        report.add("durable single-event append, \(appends) in a row", "p50 \(fmt(appendLatency.median)) ms, p99 \(fmt(appendLatency.percentile(99))) ms")
        figures["append_p50_ms"] = appendLatency.median
        figures["append_p99_ms"] = appendLatency.percentile(99)
        let head = try created.store.head()

        // Full replay, in-process and as a whole process (its peak RSS is the replay's).
        log("replaying …")
        var replayView: ProjectionView? = try created.projections(at: head, useSnapshots: false)
        let replaySeconds = replayView!.elapsed.seconds
        report.add("full replay (in-process, no snapshot)", "\(rate(Int(head.seq), replaySeconds)) events/s", "\(fmt(replaySeconds)) s")
        let replayProcess = ChildRun.run(cli, ["replay", "--ledger", path], scratch: work)
        report.add("full replay (whole CLI process)", "\(rate(Int(head.seq), replayProcess.seconds)) events/s",
                   "\(fmt(replayProcess.seconds)) s, peak RSS \(mib(replayProcess.peakRSSKiB))")
        report.replayPeakRSSKiB = replayProcess.peakRSSKiB
        figures["replay_events_per_s"] = Double(head.seq) / replaySeconds
        figures["replay_peak_rss_mib"] = Double(replayProcess.peakRSSKiB) / 1024

        // Today's roster as known now, the one everyone asks for, in a fresh process while the head lies past the
        // newest automatic snapshot, as it does between two of them: the events after it are folded (the pairs
        // below read a snapshot at or after their seq, made at the head next, and fold nothing).
        let behindHead = head.seq - (try created.store.newestSnapshotSeq())
        var headProcess = Sample()
        for _ in 0..<3 {
            let child = ChildRun.run(cli, ["roster", "--ledger", path, "--as-of", today.description, "--format", "csv"], scratch: work)
            guard child.status == 0 else { throw ValidationError("roster exited \(child.status)") }
            headProcess.add(child.seconds * 1000)
        }
        report.add("roster today at the head, whole CLI process, \(behindHead) events after the newest snapshot",
                   "p50 \(fmt(headProcess.median)) ms", "3 runs, \(fmt(headProcess.values.min()!))–\(fmt(headProcess.values.max()!)) ms")
        figures["roster_cli_head_ms"] = headProcess.median

        // Snapshot of the head: create, sizes, load.
        replayView = nil
        let snapshotTime = try clock.measure { try created.createSnapshot() }
        let stored = try created.store.snapshots().first!
        report.add("snapshot create at seq \(stored.seq)", "\(fmt(snapshotTime.seconds * 1000)) ms",
                   "\(snapshotsTaken) taken automatically during import")
        report.add("snapshot size", "\(mib(stored.frameSize / 1024)) LZ4 of \(mib(stored.contentSize / 1024)) (\(fmt(100 * Double(stored.frameSize) / Double(stored.contentSize)))%)")
        let frame = try created.snapshotFrame(seq: stored.seq)
        var loads = Sample(), deferredLoads = Sample()
        for _ in 0..<3 {
            let elapsed = try clock.measure { _ = try Snapshot.load(frame, periods: created.periods, expected: (stored.seq, stored.hash)) }
            loads.add(elapsed.seconds)
            deferredLoads.add(try clock.measure {
                _ = try Snapshot.load(frame, periods: created.periods, expected: (stored.seq, stored.hash), deferred: .keepingTimelines)
            }.seconds)
        }
        report.add("snapshot load as a query restores it (decompress, check, the index; timelines decoded when read)",
                   "\(fmt(deferredLoads.median * 1000)) ms", "\(fmt(Double(stored.contentSize) / 1e6 / deferredLoads.median)) MB/s of content")
        figures["snapshot_load_mb_per_s"] = Double(stored.contentSize) / 1e6 / deferredLoads.median
        figures["snapshot_full_load_mb_per_s"] = Double(stored.contentSize) / 1e6 / loads.median
        report.add("snapshot load in full (decompress, check, decode every timeline, check the index)", "\(fmt(loads.median * 1000)) ms",
                   "\(fmt(replaySeconds / loads.median))× faster than the replay it replaces")
        // What the snapshot restores, as it lies in memory: the frame against it is the ratio.
        let restoredBytes = try Snapshot.inMemorySize(frame, periods: created.periods, expected: (stored.seq, stored.hash))
        report.add("the projection a snapshot restores, in memory", mib(restoredBytes / 1024),
                   "the frame is \(fmt(100 * Double(stored.frameSize) / Double(restoredBytes)))% of it (resident bytes after the load minus before, free pages handed back)")
        figures["snapshot_ratio_in_memory"] = Double(stored.frameSize) / Double(restoredBytes)
        figures["snapshot_ratio"] = Double(stored.frameSize) / Double(stored.contentSize)

        // Roster latency for random (as-of, known-at) pairs.
        var generator = SeededPairs(seed: seed)
        let queries = try (0..<pairs).map { _ in try generator.next(ledger: created, head: head.seq, today: today) }
        var warm = Sample(), heldSample = Sample(), process = Sample()
        log("roster latency, \(pairs) pairs …")
        for query in queries {
            warm.add(try clock.measure { _ = try created.snapshotRoster(on: query.asOf, knownAt: query.knownAt) }.seconds * 1000)
            let lookup = try clock.measure {
                _ = try created.liveProjection(at: try created.position(knownAt: query.knownAt)).roster(on: query.asOf)
            }
            heldSample.add(lookup.seconds * 1000)
            let child = ChildRun.run(cli, ["roster", "--ledger", path, "--as-of", query.asOf.description,
                                           "--known-at", query.knownAt.description, "--format", "csv"], scratch: work)
            guard child.status == 0 else { throw ValidationError("roster exited \(child.status)") }
            process.add(child.seconds * 1000)
        }
        var cold = Sample(), coldProcess = Sample()
        for query in queries.prefix(coldPairs) {
            let elapsed = try clock.measure {
                let view = try created.projections(at: try created.position(knownAt: query.knownAt), useSnapshots: false)
                _ = view.projection.roster(on: query.asOf)
            }
            cold.add(elapsed.seconds * 1000)
            coldProcess.add(ChildRun.run(cli, ["roster", "--ledger", path, "--as-of", query.asOf.description, "--known-at",
                                               query.knownAt.description, "--format", "csv", "--no-snapshots"], scratch: work).seconds * 1000)
        }
        report.add("roster, in-process, from the nearest snapshot (the oldest ≥ T read as known at T; else the newest < T + tail)", "p50 \(fmt(warm.median)) ms, p99 \(fmt(warm.percentile(99))) ms", "\(pairs) pairs")
        report.add("roster, in-process, the ledger's live head projection (read as known at T)",
                   "p50 \(fmt(heldSample.median)) ms, p99 \(fmt(heldSample.percentile(99))) ms", "\(pairs) pairs")
        report.add("roster, in-process, no snapshots (full replay)", "p50 \(fmt(cold.median)) ms, p99 \(fmt(cold.percentile(99))) ms", "\(coldPairs) pairs")
        report.add("roster, whole CLI process, with snapshots", "p50 \(fmt(process.median)) ms, p99 \(fmt(process.percentile(99))) ms", "\(pairs) pairs")
        report.add("roster, whole CLI process, --no-snapshots", "p50 \(fmt(coldProcess.median)) ms, p99 \(fmt(coldProcess.percentile(99))) ms", "\(coldPairs) pairs")
        figures["roster_held_p99_ms"] = heldSample.percentile(99)
        figures["roster_cli_p99_ms"] = process.percentile(99)

        // The floor under every CLI figure: a process that opens the ledger and prints the policy.
        var floor = Sample()
        for _ in 0..<20 { floor.add(ChildRun.run(cli, ["policy", "--ledger", path], scratch: work).seconds * 1000) }
        report.add("floor: the whole CLI process of `policy`", "p50 \(fmt(floor.median)) ms, p99 \(fmt(floor.percentile(99))) ms", "20 runs")
        figures["cli_floor_p50_ms"] = floor.median

        // The same history through the CLI, from the JSON Lines `export` writes, into a new ledger.
        log("exporting, then importing through the CLI …")
        let export = work + "/export.jsonl"
        let exported = ChildRun.run(cli, ["export", "--ledger", path, "--out", export], scratch: work)
        guard exported.status == 0 else { throw ValidationError("export exited \(exported.status)") }
        let copy = work + "/imported.sqlite"
        guard ChildRun.run(cli, ["init", "--ledger", copy], scratch: work).status == 0 else { throw ValidationError("init failed") }
        let importedByCLI = ChildRun.run(cli, ["import", "--ledger", copy, export], scratch: work)
        guard importedByCLI.status == 0 else { throw ValidationError("import exited \(importedByCLI.status)") }
        let exportedEvents = Int(try Ledger.open(at: copy).store.head().seq)
        report.add("CLI `import FILE.jsonl` of the export into a new ledger (one transaction)",
                   "\(rate(exportedEvents, importedByCLI.seconds)) events/s",
                   "\(fmt(importedByCLI.seconds)) s for \(exportedEvents), peak RSS \(mib(importedByCLI.peakRSSKiB))")
        figures["import_cli_events_per_s"] = Double(exportedEvents) / importedByCLI.seconds
        figures["import_peak_rss_mib"] = Double(importedByCLI.peakRSSKiB) / 1024
        try? FileManager.default.removeItem(atPath: copy)
        report.add("peak RSS of this benchmark process", mib(selfPeakRSSKiB()))

        // The peer: the same history, appends and replay through Python's eventsourcing.
        if let peer {
            log("running the peer (python eventsourcing) …")
            let run = ChildRun.run("/usr/bin/env", ["python3", peer, export, work, "--appends", appendedEvents], scratch: work)
            if run.status == 0, let peerFigures = try? JSONDecoder().decode(PeerFigures.self, from: Data(run.stdout.utf8)) {
                report.peer = peerFigures
                report.peerPeakRSSKiB = run.peakRSSKiB
                figures["peer_replay_events_per_s"] = peerFigures.replayRate
                figures["peer_import_events_per_s"] = peerFigures.importRate
                figures["peer_append_p50_ms"] = peerFigures.appendP50
            } else {
                report.notes.append("peer not run: \(peer) exited \(run.status) (is eventsourcing installed? pip install eventsourcing)")
            }
        }
        report.ours = (rate: Double(head.seq) / replaySeconds, importRate: Double(imported) / importing.seconds,
                       appendP50: appendLatency.median, appendP99: appendLatency.percentile(99))
        let table = report.markdown(today: today)
        print(table)
        if let results { try table.write(toFile: results, atomically: true, encoding: .utf8) }
        if let path = self.figures {
            let data = try JSONSerialization.data(withJSONObject: figures.merging(["events": Double(events)]) { $1 }, options: [.sortedKeys])
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    }
}

extension Ledger {
    /// The roster on `asOf` as known at `knownAt` from the nearest snapshot, not the live projection: the suite's
    /// row before the held one (the oldest snapshot ≥ T read as known at T; else the newest < T and the tail).
    func snapshotRoster(on asOf: LocalDate, knownAt: Timestamp) throws -> [RosterEntry] {
        try projections(at: try position(knownAt: knownAt), useLive: false).projection.roster(on: asOf)
    }

    /// The ledger's own live head projection read as known at `position`: no restore, no refold.
    func liveProjection(at position: LedgerHead) throws -> RegistryProjection {
        let view = try projections(at: position)
        precondition(view.fromLiveProjection, "the live projection answers")
        return view.projection
    }
}

/// Random (as-of D, known-at T) pairs: D from 2014 to a year ahead, T the recording time of a random event.
struct SeededPairs {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(state: seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    mutating func next(ledger: Ledger, head: Int64, today: LocalDate) throws -> (asOf: LocalDate, knownAt: Timestamp) {
        let first = LocalDate("2014-01-01")!.dayNumber, last = today.adding(years: 1).dayNumber
        let asOf = LocalDate(dayNumber: first + Int(random.next() % UInt64(last - first + 1)))
        let seq = Int64(random.next() % UInt64(head)) + 1
        let recorded = try ledger.position(atSeq: seq).recordedAt.flatMap { Timestamp($0) } ?? Timestamp(Date())
        return (asOf, recorded)
    }
}

func fmt(_ value: Double) -> String {
    value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
}

func rate(_ count: Int, _ seconds: Double) -> String {
    seconds > 0 ? String(Int(Double(count) / seconds)) : "—"
}

func mib(_ kib: Int) -> String {
    String(format: "%.1f MiB", Double(kib) / 1024)
}
