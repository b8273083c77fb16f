import CanonicalJSON
import Foundation
import GRDB
import OutletDomain
import OutletCore
import OutletLedger
@testable import OutletSnapshots
import OutletStore
import Testing

/// The demo ledger with a snapshot at seq 200 whose content has one institution's name replaced, recompressed
/// into a frame with a sound checksum, as someone with write access to the file could do. With
/// `redigest`, the forger also rewrites the header's body digest.
func forgedSnapshotDemo(redigest: Bool) throws -> (fixture: LedgerFixture, forged: String) {
    let fixture = try DemoTests.build()
    let ledger = try fixture.ledger
    try ledger.createSnapshot(atSeq: 200)
    var content = try LZ4Frame.decompress(try ledger.snapshotFrame(seq: 200))
    let genuine = try #require(try ledger.projections(at: try ledger.position(atSeq: 200), useSnapshots: false)
        .projection.roster(on: DemoTests.today).first?.name)
    let forged = String(repeating: "假", count: genuine.utf8.count / 3) + String(repeating: "X", count: genuine.utf8.count % 3)
    let from = Array(genuine.utf8), to = Array(forged.utf8)
    let at = try #require((0...(content.count - from.count)).first { Array(content[$0..<$0 + from.count]) == from })
    content.replaceSubrange(at..<at + from.count, with: to)
    if redigest {
        let digest = content.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.replaceSubrange(60..<SnapshotHeader.size, with: digest)
    }
    try tamper(fixture, "UPDATE snapshots SET frame = ? WHERE seq = 200", [Data(LZ4Frame.compress(content))])
    return (fixture, forged)
}

@Suite("verify is the auditor's one command: the chain, every event re-decided, every snapshot against the log")
struct AuditTests {
    @Test("a genuine ledger passes, its snapshots compared with the replay")
    func genuine() throws {
        let fixture = try snapshottedDemo()
        let result = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok: \(DemoTests.head) events") && result.stdout.contains("\nevery event re-decided by the rules; 3 snapshots equal to the replay\n"), "\(result.stdout)")
    }

    @Test("a snapshot whose body was edited and recompressed is skipped by queries: its header's digest names another body")
    func forgedBodyIsSkipped() throws {
        let (fixture, forged) = try forgedSnapshotDemo(redigest: false)
        let ledger = try fixture.ledger
        let view = try ledger.projections(at: try ledger.position(atSeq: 250), useLive: false)
        #expect(view.snapshotSeq == nil && view.warnings.count == 1 && view.warnings[0].contains("the body's SHA-256"), "\(view.warnings)")
        #expect(!view.projection.roster(on: DemoTests.today).contains { $0.name == forged })
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 68 && verify.stderr.contains("snapshot at seq 200"), "\(verify.stderr)")
    }

    @Test("a forged snapshot with a rewritten digest is caught by verify, which compares it with the replay")
    func forgedDigestIsCaughtByVerify() throws {
        let (fixture, _) = try forgedSnapshotDemo(redigest: true)
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 68, "\(verify.stdout)")
        #expect(verify.stderr.contains("snapshot at seq 200 does not hold the state the log reaches there"), "\(verify.stderr)")
        let chainOnly = try CLI.run(["verify", "--chain-only", "--ledger", fixture.path])
        #expect(chainOnly.status == 0 && chainOnly.stdout.contains("chain only: the rules and snapshots were not checked"))
    }

    @Test("a correctly chained revocation inserted with actor public and no bar fails verify, naming its seq and article")
    func insertedRuleBreakingEvent() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let head = try ledger.store.head()
        let roster = try ledger.projections(at: head).projection.roster(on: DemoTests.today)
        let target = try #require(roster.first { $0.validThrough != nil })
        var envelope = Envelope(
            seq: head.seq + 1, eventId: "forged-1", stream: target.uscc.code,
            streamVersion: Int64(try ledger.store.events(ofStream: target.uscc.code).count + 1), type: "revoked",
            schemaVersion: 1, effectiveOn: "2026-11-20", recordedAt: "2026-11-25T02:00:00.000Z",
            actor: EnvelopeActor(role: "public", unit: "", name: "someone"),
            payload: #"{"detail":"forged","ground":"false-materials"}"#, prevHash: head.hash, hash: "")
        envelope.hash = HashChain.hash(of: envelope)
        try tamper(fixture, """
            INSERT INTO events (seq, event_id, stream, stream_version, type, schema_version, effective_on, recorded_at,
                                actor_role, actor_unit, actor_name, payload, prev_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
            UPDATE chain_head SET seq = ?, hash = ?;
            """, [envelope.seq, envelope.eventId, envelope.stream, envelope.streamVersion, envelope.type, envelope.schemaVersion,
                  envelope.effectiveOn, envelope.recordedAt, envelope.actor.role, envelope.actor.unit, envelope.actor.name,
                  envelope.payload, envelope.prevHash, envelope.hash, envelope.seq, envelope.hash])
        #expect(try CLI.run(["verify", "--chain-only", "--ledger", fixture.path]).status == 0)
        let verify = try CLI.run(["verify", "--ledger", fixture.path])
        #expect(verify.status == 68)
        #expect(verify.stderr.contains("integrity failure (Art. 18, 19): seq \(DemoTests.head + 1): the stored revoked breaks a rule of the Measures: revoked is recorded by city-bureau, not by public"), "\(verify.stderr)")
        let json = try CLI.run(["verify", "--json", "--ledger", fixture.path])
        #expect(json.stdout.contains(#""article":"Art. 18, 19""#) && json.stdout.contains("\"seq\":\(DemoTests.head + 1)"), "\(json.stdout)")
    }
}

@Suite("verify decides an Art. 19 act with its bar wherever its pages of the log are cut")
struct AuditPageTests {
    @Test("a revocation at seq 4096 and its bar at 4097, on either side of a page's end, verify as one act")
    func art19PairAcrossPages() throws {
        let fixture = try LedgerFixture()
        // Inclusions up to seq 4091, then a registration (4092–4095), its revocation (4096) and its bar (4097).
        let inclusions = (1...(4091 - Int(genesis))).map { number in
            Sample.inclusion(USCC.completing("91210100" + String(format: "%09d", number))!.code)
        }
        let revoked = Sample.candidate("revoked", on: "2025-11-20", payload: ["ground": "false-materials", "detail": "申报材料虚假"])
        let bar = Sample.candidate("barred-3-years", on: "2025-11-20", payload: ["ground": "false-materials"])
        _ = try fixture.ledger.importEvents(inclusions + Sample.registration() + [revoked, bar])
        #expect(try fixture.ledger.store.events(fromSeq: 4096, toSeq: 4096).first?.type == "revoked")
        let report = try fixture.ledger.audit()
        #expect(report.eventsDecided == 4097)
    }
}

