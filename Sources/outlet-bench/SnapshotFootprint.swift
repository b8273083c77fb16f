import ArgumentParser
import Foundation
import OutletDomain
import OutletLedger
import OutletSnapshots

/// The newest stored snapshot of a generated ledger against what it restores: its frame, its content and
/// the projection in memory (issue #13: a snapshot ≤ 30% of the in-memory index it restores).
struct SnapshotFootprint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot-footprint", abstract: "Compare the newest snapshot's frame with its content and with the projection it restores in memory; with --loads, time its load.")

    @Option(help: "The generated ledger (opened read-only).") var ledger: String
    @Option(help: "Time this many loads of the snapshot first, in full and deferred (the suite's load rows alone).") var loads = 0
    @Flag(help: "Time only the load a query pays (deferred), as for a profile of it.") var queryLoadOnly = false
    @Option(help: "Time this many encodings of the state replayed from the log, every timeline encoded afresh (what an automatic snapshot does for those that changed), and as many whole frames.") var encodes = 0

    func run() throws {
        let opened = try Ledger.open(at: ledger, readonly: true)
        guard let stored = try opened.store.snapshots().first else { throw ValidationError("\(ledger) has no snapshot") }
        let frame = try opened.snapshotFrame(seq: stored.seq)
        for (deferred, what) in [(false, "in full: decompress, check, decode"), (true, "as a query does: decompress, check, the index")] where loads > 0 && (deferred || !queryLoadOnly) {
            var sample = Sample()
            for _ in 0..<loads {
                sample.add(try ContinuousClock().measure {
                    _ = try Snapshot.load(frame, periods: opened.periods, expected: (stored.seq, stored.hash),
                                          deferred: deferred ? .keepingTimelines : nil)
                }.seconds * 1000)
            }
            print("\(loads) loads of the snapshot at seq \(stored.seq) \(what): p50 \(fmt(sample.median)) ms "
                  + "(\(fmt(sample.values.min()!))–\(fmt(sample.values.max()!))), \(fmt(Double(stored.contentSize) / 1e3 / sample.median)) MB/s of content")
        }
        if encodes > 0 {
            let head = try opened.store.head()
            let replayed = try opened.projections(at: head, useSnapshots: false).projection
            var (body, whole) = (Sample(), Sample())
            for _ in 0..<encodes {
                body.add(ContinuousClock().measure { _ = Snapshot.encodedState(replayed) }.seconds * 1000)
                whole.add(ContinuousClock().measure { _ = Snapshot.make(replayed, hash: head.hash, createdAt: 0) }.seconds * 1000)
            }
            for (sample, what) in [(body, "the body (every timeline, the index)"), (whole, "the whole frame (the body, its digest, LZ4)")] {
                print("\(encodes) encodings of the replayed state at seq \(replayed.foldedThrough), \(what): p50 \(fmt(sample.median)) ms "
                      + "(\(fmt(sample.values.min()!))–\(fmt(sample.values.max()!)))")
            }
        }
        let restored = try Snapshot.inMemorySize(frame, periods: opened.periods, expected: (stored.seq, stored.hash))
        print("snapshot at seq \(stored.seq): frame \(mib(stored.frameSize / 1024)), content \(mib(stored.contentSize / 1024)) "
              + "(\(fmt(100 * Double(stored.frameSize) / Double(stored.contentSize)))%), the projection it restores "
              + "\(mib(restored / 1024)) in memory (\(fmt(100 * Double(stored.frameSize) / Double(restored)))%)")
    }
}

extension Snapshot {
    /// The memory the projection restored from `frame` holds: resident bytes with it loaded, minus before
    /// (free pages handed back both times).
    static func inMemorySize(_ frame: [UInt8], periods: Periods, expected: (seq: Int64, hash: String)) throws -> Int {
        let before = trimmedResidentBytes()
        let restored = try load(frame, periods: periods, expected: expected)
        let held = trimmedResidentBytes() - before
        withExtendedLifetime(restored) {}
        return held
    }
}
