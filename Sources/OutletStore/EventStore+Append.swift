import Foundation
import GRDB
import OutletCore

extension EventStore {
    /// Appends sealed envelopes in one `BEGIN IMMEDIATE` transaction, all or none, if the head is still
    /// `expectedHead`: one writer at a time, so seq order is commit order, and a writer that decided on
    /// an older head is told so (a `headMoved` conflict) instead of forking the chain.
    public func append(_ envelopes: [Envelope], expectedHead: LedgerHead) throws(LedgerError) {
        guard !envelopes.isEmpty else { return }
        do {
            try queue.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"))
                    let seq: Int64 = row?["seq"] ?? 0
                    let hash: String = row?["hash"] ?? HashChain.genesis
                    guard seq == expectedHead.seq, hash == expectedHead.hash else {
                        var error = LedgerError(.conflict, "the log moved from seq \(expectedHead.seq) to seq \(seq) while this append was decided")
                        error.conflict = .init(kind: .headMoved, expected: expectedHead.seq, actual: seq)
                        throw error
                    }
                    try Self.checkContinues(envelopes, from: expectedHead) { stream throws(LedgerError) in
                        do {
                            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(stream_version) FROM events WHERE stream = ?"), arguments: [stream]) ?? 0
                        } catch {
                            throw Self.storageError(error, path: self.path)
                        }
                    }
                    let insert = try db.cachedStatement(sql: """
                        INSERT INTO events (seq, event_id, stream, stream_version, type, schema_version, effective_on,
                            recorded_at, actor_role, actor_unit, actor_name, payload, prev_hash, hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    for envelope in envelopes {
                        try insert.execute(arguments: [
                            envelope.seq, envelope.eventId, envelope.stream, envelope.streamVersion, envelope.type,
                            envelope.schemaVersion, envelope.effectiveOn, envelope.recordedAt, envelope.actor.role,
                            envelope.actor.unit, envelope.actor.name, envelope.payload, envelope.prevHash, envelope.hash,
                        ])
                    }
                    let last = envelopes[envelopes.count - 1]
                    try db.cachedStatement(sql: """
                        INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                        """).execute(arguments: [last.seq, last.hash])
                    return .commit
                }
            }
        } catch {
            throw Self.storageError(error, path: path)
        }
    }
}
