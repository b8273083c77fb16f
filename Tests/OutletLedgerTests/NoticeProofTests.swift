import Foundation
import OutletCore
import OutletDomain
import OutletLedger
import OutletNotices
import OutletTransparency
import Testing

@Suite("Notices carry the proof of each act they announce, checkable offline with the bureau's key alone")
struct NoticeProofTests {
    static let origin = "outlets.shenyang.example/registry"

    /// The demo registry with a signed checkpoint of its whole log.
    static func signedDemo() throws -> (fixture: LedgerFixture, signer: SignedNote.Signer) {
        let fixture = try DemoTests.build()
        let signer = try SignedNote.Signer.generate(name: origin)
        _ = try fixture.ledger.signCheckpoint(with: signer)
        return (fixture, signer)
    }

    static func bundles(in text: String, _ format: NoticeFormat) throws -> [ProofBundle] {
        try ProofBundle.embedded(in: text, unescape: format == .html ? htmlUnescaped : { $0 }).map { try ProofBundle(text: $0) }
    }

    static func htmlUnescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("a roster lists each outlet's registration or inclusion, a 通报 each revocation or decline and its bar, a 公示 each publicity: every proof opens with the bureau's key and leads from that event",
          arguments: [NoticeFormat.html, .md])
    func everyListedActIsProved(format: NoticeFormat) throws {
        let (fixture, signer) = try Self.signedDemo()
        let ledger = try fixture.ledger
        let position = try ledger.store.head()
        let events = try ledger.store.events()
        let view = try ledger.projections(at: position)
        let publicityDay = view.projection.timelines.flatMap(\.allVersions).filter { $0.type == .publicized }.map(\.effectiveOn).max()!
        let requests: [(NoticeRequest, Set<String>, Int)] = [
            (.roster(asOf: DemoTests.today), ["registered", "auto-included"], view.projection.roster(on: DemoTests.today).count),
            (.revocation(from: LocalDate("2024-01-01")!, to: DemoTests.today), ["revoked", "declined", "barred-3-years"],
             2 * view.projection.timelines.flatMap(\.allVersions).filter { $0.type == .barred3Years }.count),
            (.publicity(on: publicityDay, noticeNo: nil), ["publicized"],
             view.projection.timelines.flatMap(\.allVersions).filter { $0.type == .publicized && $0.effectiveOn == publicityDay }.count),
        ]
        for (request, types, count) in requests {
            let text = try ledger.notice(request, format: format, at: position, issuedOn: DemoTests.today).text
            let bundles = try Self.bundles(in: text, format)
            #expect(bundles.count == count && count > 0, "\(request.kind): \(bundles.count) proofs for \(count) acts")
            for bundle in bundles {
                let checkpoint = try bundle.check(with: signer.verifier)
                #expect(checkpoint.size == Int(position.seq))
                let event = events[bundle.index]
                #expect(types.contains(event.type), "\(request.kind): proof of a \(event.type)")
                #expect(bundle.extra == HashChain.bytes(ofHex: event.hash))
            }
            let file = fixture.file("\(request.kind).\(format.rawValue)")
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            let verified = try CLI.run(["notice", "verify", file, "--vkey", signer.verifier.encoded, "--ledger", fixture.path])
            #expect(verified.status == 0 && verified.stdout.contains("its \(count) proofs of inclusion lead to the log's checkpoint of size \(position.seq), signed by \(Self.origin)"),
                    "\(verified.stdout)\(verified.stderr)")
        }
    }

    @Test("a proof copied out of a printed roster checks with tools/verify-proof.py and the verifier key, no code of ours")
    func copiedProofChecksWithoutOurCode() throws {
        let (fixture, signer) = try Self.signedDemo()
        let file = fixture.file("roster.md")
        #expect(try CLI.run(["notice", "roster", "--as-of", DemoTests.today.description, "--out", file, "--ledger", fixture.path]).status == 0)
        let embedded = ProofBundle.embedded(in: try String(contentsOfFile: file, encoding: .utf8))
        let proof = fixture.file("copied.tlog-proof")
        try Data(embedded[0].utf8).write(to: URL(fileURLWithPath: proof))
        let python = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                                 ["python3", Repository.path("tools/verify-proof.py"), proof, signer.verifier.encoded])
        #expect(python.status == 0 && python.stdout.hasPrefix("ok: event "), "\(python.stdout)\(python.stderr)")
    }

    @Test("a notice with one proof hash changed, or checked with another key, fails notice verify naming the proof; an unchanged one passes")
    func alteredProofIsNamed() throws {
        let (fixture, signer) = try Self.signedDemo()
        let file = fixture.file("roster.md")
        #expect(try CLI.run(["notice", "roster", "--as-of", DemoTests.today.description, "--out", file, "--ledger", fixture.path]).status == 0)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let first = try #require(try Self.bundles(in: text, .md).first)
        let hash = Data(first.hashes[0]).base64EncodedString()
        let other = Data(first.hashes[1]).base64EncodedString()
        let altered = fixture.file("altered.md")
        try Data(text.replacingOccurrences(of: hash, with: other).utf8).write(to: URL(fileURLWithPath: altered))
        let refused = try CLI.run(["notice", "verify", altered, "--ledger", fixture.path])
        #expect(refused.status == 68 && refused.stderr.contains("proof 1 of the notice (event \(first.index + 1)) does not hold"), "\(refused.stderr)")
        let stranger = try SignedNote.Signer.generate(name: Self.origin)
        let wrongKey = try CLI.run(["notice", "verify", file, "--vkey", stranger.verifier.encoded, "--ledger", fixture.path])
        #expect(wrongKey.status == 68 && wrongKey.stderr.contains("the checkpoint of size \(DemoTests.head) the notice names"), "\(wrongKey.stderr)")
        #expect(try CLI.run(["notice", "verify", file, "--vkey", signer.verifier.encoded, "--ledger", fixture.path]).status == 0)
    }

    @Test("reminders announce no logged act and carry no proofs; a notice made before any checkpoint carries none and names none")
    func noProofsWhereNothingIsSigned() throws {
        let (fixture, _) = try Self.signedDemo()
        let ledger = try fixture.ledger
        let position = try ledger.store.head()
        let reminders = try ledger.notice(.reminders(from: DemoTests.today, to: DemoTests.today.adding(days: 90)), format: .md, at: position, issuedOn: DemoTests.today).text
        #expect(ProofBundle.embedded(in: reminders).isEmpty && reminders.contains(" checkpoint=\(DemoTests.head)"))
        let unsigned = try DemoTests.build()
        let roster = try unsigned.ledger.notice(.roster(asOf: DemoTests.today), format: .html, at: try unsigned.ledger.store.head(), issuedOn: DemoTests.today).text
        #expect(ProofBundle.embedded(in: roster).isEmpty && !roster.contains("checkpoint=") && !roster.contains("日志包含证明"))
    }
}
