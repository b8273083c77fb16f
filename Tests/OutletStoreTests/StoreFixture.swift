import CanonicalJSON
import Crypto
import Foundation
import GRDB
import Testing
import OutletCore
@testable import OutletStore

/// The two logs the contract suite runs against.
enum LogKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, memory
    var testDescription: String { rawValue }
}

/// A fresh log (a ledger file in its own temporary folder, or memory), with a clock the test controls.
final class StoreFixture {
    let directory: URL
    let path: String
    let clock: ManualClock
    let store: any EventLog

    init(_ kind: LogKind = .sqlite, at time: String = "2025-10-10T01:00:00.000Z") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.sqlite").path
        clock = ManualClock(Timestamp(time)!)
        switch kind {
        case .sqlite: store = try EventStore.create(at: path, clock: clock)
        case .memory: store = InMemoryEventLog(clock: clock)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    static let streamA = "91350100M000100Y43"
    static let streamB = "91110000802100433B"

    static func event(_ stream: String = streamA, type: String = "recommended", id: String? = nil,
                      on date: String = "2025-09-01", payload: JSONValue = ["opinion": "同意推荐", "head": "王强"]) -> PendingEvent
    {
        PendingEvent(eventId: id, stream: stream, type: type, schemaVersion: 1, effectiveOn: date,
                     actor: EnvelopeActor(role: "district-bureau", unit: "210103", name: "沈河区"), payload: payload)
    }

    /// Event count, head hash and the bytes of the file and its write-ahead log (in memory: of every
    /// envelope): what "unchanged" means.
    func fingerprint() throws -> [String] {
        let head = try store.head()
        if store is InMemoryEventLog {
            let bytes = try store.events().flatMap { HashChain.canonicalBytes(of: $0, includingHash: true) }
            return ["\(head.seq)", head.hash, SHA256.hash(data: bytes).description]
        }
        // A copy of the log into the file under way would change both files between two fingerprints.
        (store as? EventStore)?.finishCheckpoint()
        // An absent WAL and an empty one hold the same: nothing.
        let files = [path, path + "-wal"].map { file in
            SHA256.hash(data: (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()).description
        }
        return ["\(head.seq)", head.hash] + files
    }

    /// A raw connection to the file, bypassing the store (to tamper, as an attacker would).
    func raw() throws -> DatabaseQueue {
        try DatabaseQueue(path: path)
    }
}
