import ArgumentParser
import CanonicalJSON
import Foundation
import OutletLedger
import OutletCore

/// `snapshot create|list|verify|export|prune`: the LZ4 snapshots queries start from (Snapshots/FORMAT.md).
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Snapshots of the projections: taken every K events (policy snapshotInterval; on a long log, every twentieth of it), never trusted blindly.",
        subcommands: [Create.self, List.self, Verify.self, Export.self, Prune.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Snapshot the projections after the newest event (or after --seq N).")
        @OptionGroup var options: LedgerOptions
        @Option(parsing: .unconditional, help: "Snapshot after event N instead of the newest.") var seq: Int64?

        func run() throws {
            let ledger = try options.open()
            let clock = ContinuousClock()
            let start = clock.now
            let snapshot = try ledger.createSnapshot(atSeq: seq)
            let elapsed = clock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            print("snapshot at seq \(snapshot.seq): \(SnapshotText.sizes(snapshot)), in \(String(format: "%.0f", milliseconds)) ms")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The stored snapshots, newest first.")
        @OptionGroup var options: LedgerOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let snapshots = try options.open(readonly: true).store.snapshots()
            if json {
                print(JSONValue.array(snapshots.map(\.jsonValue)).canonicalString)
                return
            }
            var table = TextTable(["seq", "created", "format", "over", "projection", "content", "frame", "ratio", "hash"])
            for snapshot in snapshots {
                table.add([String(snapshot.seq), snapshot.createdAt, String(snapshot.formatVersion), snapshot.baseSeq.map(String.init) ?? "—",
                           String(snapshot.projectionVersion),
                           String(snapshot.contentSize), String(snapshot.frameSize), SnapshotText.ratio(snapshot),
                           String(snapshot.hash.prefix(16)) + "…"])
            }
            print("\(snapshots.count) snapshot\(snapshots.count == 1 ? "" : "s")\n")
            print(table.render().joined(separator: "\n"))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore every snapshot and compare it with a replay of the log to its seq (exit 68 if any is unusable or differs).")
        @OptionGroup var options: LedgerOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let checks = try options.open(readonly: true).verifySnapshots()
            let bad = checks.filter { $0.verdict != .sound }
            if json {
                print(JSONValue.object(["ok": .bool(bad.isEmpty), "snapshots": .array(checks.map(\.jsonValue))]).canonicalString)
            } else {
                for check in checks {
                    switch check.verdict {
                    case .sound: print("seq \(check.snapshot.seq): sound, state digest \(check.stateDigest ?? "") equals the replay's")
                    case .unusable(let reason): print("seq \(check.snapshot.seq): UNUSABLE, \(reason)")
                    case .differs(let reason): print("seq \(check.snapshot.seq): DIFFERS from the replay, \(reason)")
                    }
                }
            }
            if let first = bad.last {
                throw LedgerError(.integrityFailure, "\(bad.count) of \(checks.count) snapshots are unusable or differ from the log (oldest: seq \(first.snapshot.seq))",
                                  seq: first.snapshot.seq)
            }
            if !json { print(checks.count == 1 ? "ok: the snapshot matches the log" : "ok: \(checks.count) snapshots match the log") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a snapshot's LZ4 frame to a file, byte for byte (`lz4 -d` reads it); a segment's needs its base's beside it.")
        @OptionGroup var options: LedgerOptions
        @Option(parsing: .unconditional, help: "The snapshot's seq.") var seq: Int64
        @Option(help: "The file to write.") var out: String

        func run() throws {
            let ledger = try options.open(readonly: true)
            let frame = try ledger.snapshotFrame(seq: seq)
            guard FileManager.default.createFile(atPath: out, contents: Data(frame)) else {
                throw LedgerError(.storage, "cannot write \(out)")
            }
            if let base = try ledger.store.snapshots().first(where: { $0.seq == seq })?.baseSeq {
                print("wrote \(out): \(frame.count) bytes, the segment at seq \(seq), over the snapshot at seq \(base) (it loads with that one)")
            } else {
                print("wrote \(out): \(frame.count) bytes, the snapshot at seq \(seq)")
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete all but the newest N snapshots and the whole ones they are segments over (the log is never touched).")
        @OptionGroup var options: LedgerOptions
        @Option(parsing: .unconditional, help: "How many of the newest snapshots to keep.") var keep: Int

        func run() throws {
            let deleted = try options.open().pruneSnapshots(keep: keep)
            print("deleted \(deleted.count) snapshot\(deleted.count == 1 ? "" : "s")\(deleted.isEmpty ? "" : " (seq " + deleted.map(String.init).joined(separator: ", ") + ")"), kept the newest \(keep)")
        }
    }
}

enum SnapshotText {
    static func ratio(_ snapshot: StoredSnapshot) -> String {
        snapshot.contentSize > 0 ? String(format: "%.1f%%", 100 * Double(snapshot.frameSize) / Double(snapshot.contentSize)) : "—"
    }

    static func sizes(_ snapshot: StoredSnapshot) -> String {
        "\(snapshot.contentSize) bytes, \(snapshot.frameSize) as an LZ4 frame (\(ratio(snapshot)))"
    }
}
