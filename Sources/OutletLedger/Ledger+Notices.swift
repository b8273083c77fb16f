import Foundation
import OutletDomain
import OutletNotices
import OutletCore
import OutletTransparency

/// The signed checkpoint a notice is generated under: its provenance names it, and its printable
/// forms carry each listed act's proof of inclusion in it.
public enum NoticeCheckpoint: Sendable {
    /// The newest stored checkpoint covering the notice's position, if one was signed.
    case newest
    /// The one a notice being verified names (nil: none), with its signed note if at hand (embedded in
    /// the notice, or stored here); without the note the proofs cannot be written out again.
    case named(size: Int64?, note: String?)
}

/// What `notice verify` found: the text regenerated exactly or not, and the proofs it carries.
public struct NoticeVerification: Sendable {
    public let matches: Bool
    public let provenance: Provenance
    /// Proofs of inclusion embedded in the notice, each checked against the log (and the key, if given).
    public let proofs: Int
    public let signatureChecked: Bool
}

extension Ledger {
    /// Generates a notice from the projections at `position`; it ends with that position (seq, chain
    /// hash, projection digest) and the generation time. It is signed on `issuedOn` (default: the day
    /// of `generatedAt` in Asia/Shanghai), never a day before the data it announces; a notice with
    /// nothing to announce is not issued (DOMAIN.md §7).
    public func notice(_ request: NoticeRequest, format: NoticeFormat, at position: LedgerHead,
                       templateFile: String? = nil, configFile: String? = nil,
                       generatedAt: String? = nil,
                       issuedOn: LocalDate? = nil, useSnapshots: Bool = true,
                       checkpoint: NoticeCheckpoint = .newest) throws(LedgerError) -> (text: String, provenance: Provenance)
    {
        let config: NoticeConfig
        if let configFile {
            config = try Self.noticeConfig(configFile)
        } else {
            do {
                config = try NoticeConfig.bundled()
            } catch {
                throw LedgerError(.ledgerUnusable, "the bundled notice config does not read: \(error)")
            }
        }
        let configIdentity = try configFile.map { path throws(LedgerError) in try Self.fileIdentity(path) } ?? "bundled"
        let renderer: NoticeRenderer
        do {
            let identity = try templateFile.map { path throws(LedgerError) in try Self.fileIdentity(path) }
            renderer = try NoticeRenderer(kind: request.kind, format: format, templateFile: templateFile, identity: identity)
        } catch let error as NoticeRenderer.TemplateError {
            throw LedgerError(.invalidInput, error.description)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.invalidInput, "\(error)")
        }
        let view = try projections(at: position, useSnapshots: useSnapshots)
        let generatedAt = generatedAt ?? store.clock.now().description
        let issued = issuedOn ?? Timestamp(generatedAt)?.shanghaiDate ?? today
        let content = NoticeContent(projection: view.projection, config: config).context(for: request, issuedOn: issued)
        if content.count == 0 {
            let nothing = switch request {
            case .publicity(let on, let noticeNo):
                "no application was publicized \(noticeNo.map { "under notice \($0)" } ?? "on \(on.map(\.description) ?? "")")"
            case .roster(let asOf): "no outlet is on the roster on \(asOf)"
            case .revocation(let from, let to): "no Art. 19 revocation or decline took effect from \(from) to \(to)"
            case .reminders(let from, let to): "nothing falls due from \(from) to \(to)"
            }
            throw LedgerError(.invalidInput, "\(nothing) (ledger at seq \(position.seq)); a notice with nothing to announce is not issued")
        }
        if let through = content.dataThrough, issued < through {
            throw LedgerError(.invalidInput, "a notice announcing acts of \(through) cannot be issued on \(issued); give --issued-on \(through) or later")
        }
        var provenance = Provenance(request: request, format: format, seq: position.seq, hash: position.hash,
                                    digest: view.digest(asOf: content.date), generatedAt: generatedAt,
                                    template: renderer.templateIdentity, config: configIdentity, issuedOn: issued,
                                    holidays: WhatIfHolidays.label(whatIfHolidays))
        var note: String?
        switch checkpoint {
        case .newest:
            if let newest = try store.checkpoints().last, newest.size >= position.seq {
                provenance.checkpoint = newest.size
                note = newest.note
            }
        case .named(let size, let given):
            provenance.checkpoint = size
            note = given
        }
        var values = content.values
        if let size = provenance.checkpoint, let note, !content.acts.isEmpty {
            values["proofs"] = try proofValues(content.acts, size: size, note: note)
        }
        return (renderer.render(values, provenance: provenance), provenance)
    }

    /// Each act's offline proof (C2SP tlog-proof) for a notice's appendix. A Markdown fence is longer
    /// than any run of backticks in the proof, so none closes it early.
    private func proofValues(_ acts: [NoticeContent.Act], size: Int64, note: String) throws(LedgerError) -> [String: Any] {
        var listed: [[String: Any]] = []
        let tree = try merkleTree()
        for act in acts {
            let bundle = try proofBundle(seq: act.seq, checkpoint: note, size: size, in: tree).text
            let longestRun = bundle.split(whereSeparator: { $0 != "`" }).map(\.count).max() ?? 0
            listed.append(["number": act.number, "name": act.name, "seq": String(act.seq), "type": act.type.rawValue,
                           "bundle": bundle, "fence": String(repeating: "`", count: max(3, longestRun + 1))])
        }
        return ["size": String(size), "acts": listed]
    }

    /// Regenerates a notice from the verified log at the position its provenance names (the chain checked
    /// up to there, every event folded again, no snapshot) and compares; checks each proof of inclusion it
    /// carries against the log, and against the bureau's key if one is given.
    public func verifyNotice(_ text: String, templateFile: String? = nil, configFile: String? = nil,
                             verifier: SignedNote.Verifier? = nil) throws(LedgerError) -> NoticeVerification
    {
        guard let provenance = Provenance(notice: text) else {
            throw LedgerError(.invalidInput, "the file has no outlet-ledger provenance line")
        }
        if provenance.template != "bundled" {
            guard let templateFile else {
                throw LedgerError(.invalidInput, "the notice was made with a custom template (sha256 \(provenance.template)); give it with --template")
            }
            guard try Self.fileIdentity(templateFile) == provenance.template else {
                throw LedgerError(.invalidInput, "\(templateFile) is not the template the notice was made with")
            }
        }
        if provenance.config != "bundled" {
            guard let configFile, try Self.fileIdentity(configFile) == provenance.config else {
                throw LedgerError(.invalidInput, "the notice was made with a notice config of sha256 \(provenance.config); give that file with --config")
            }
        }
        let label = WhatIfHolidays.label(whatIfHolidays)
        guard provenance.holidays == label else {
            throw LedgerError(.invalidInput, provenance.holidays == "ledger"
                ? "the notice was made with the ledger's holiday data; verify it without --holidays"
                : "the notice was made with a what-if holiday file (\(provenance.holidays)); give that file with --holidays")
        }
        let head = try store.head()
        guard provenance.seq <= head.seq else {
            throw LedgerError(.integrityFailure, "the notice names seq \(provenance.seq), but this ledger ends at seq \(head.seq)")
        }
        let chain = try store.verify(throughSeq: provenance.seq)
        guard chain.head == provenance.hash else {
            throw LedgerError(.integrityFailure, "the ledger's event \(provenance.seq) has chain hash \(chain.head), not the one the notice names (\(provenance.hash))")
        }
        let note = try checkEmbeddedProofs(text, provenance: provenance, verifier: verifier)
        let position = try store.head(atSeq: provenance.seq)
        let regenerated = try notice(provenance.request, format: provenance.format, at: position,
                                     templateFile: provenance.template == "bundled" ? nil : templateFile,
                                     configFile: provenance.config == "bundled" ? nil : configFile, generatedAt: provenance.generatedAt,
                                     issuedOn: provenance.issuedOn, useSnapshots: false,
                                     checkpoint: .named(size: provenance.checkpoint, note: note.text))
        return NoticeVerification(matches: regenerated.text == text, provenance: provenance, proofs: note.proofs,
                                  signatureChecked: verifier != nil && note.proofs > 0)
    }

    /// The signed checkpoint a notice's proofs lead to (embedded in it, else the one stored here of the
    /// size it names), held to the log: the checkpoint's root must be the root of the log's first events,
    /// and each embedded proof must lead from its event's chain hash to that root (and the note carry
    /// `verifier`'s signature, if given).
    private func checkEmbeddedProofs(_ text: String, provenance: Provenance, verifier: SignedNote.Verifier?) throws(LedgerError) -> (text: String?, proofs: Int) {
        var bundles: [ProofBundle] = []
        for (index, bundle) in ProofBundle.embedded(in: text, unescape: provenance.format == .html ? Self.unescapeHTML : { $0 }).enumerated() {
            do {
                bundles.append(try ProofBundle(text: bundle))
            } catch {
                throw LedgerError(.integrityFailure, "proof \(index + 1) of the notice does not read: \(error)")
            }
        }
        guard let size = provenance.checkpoint else {
            guard bundles.isEmpty else { throw LedgerError(.integrityFailure, "the notice carries proofs of inclusion but its provenance names no checkpoint") }
            return (nil, 0)
        }
        let notes = Set(bundles.map(\.checkpoint))
        guard notes.count <= 1 else { throw LedgerError(.integrityFailure, "the notice's proofs lead to \(notes.count) different checkpoints, not the one it names") }
        let stored = try store.checkpoints().first { $0.size == size }?.note
        guard let note = notes.first ?? stored else { return (nil, 0) }
        let signed = try Self.checkpoint(ofNote: note)
        let tree = try merkleTree()
        guard signed.size == Int(size), signed.size <= tree.size, tree.root(size: signed.size) == signed.root else {
            throw LedgerError(.integrityFailure, "the log is not the one the checkpoint of size \(size) the notice names was signed for")
        }
        if let verifier {
            do throws(SignedNote.KeyError) { _ = try verifier.open(note) } catch { throw LedgerError(.integrityFailure, "the checkpoint of size \(size) the notice names: \(error)") }
        }
        for (index, bundle) in bundles.enumerated() {
            let seq = Int64(bundle.index) + 1
            let failure = "proof \(index + 1) of the notice (event \(seq)) does not hold"
            guard seq <= Int64(signed.size), bundle.extra == HashChain.bytes(ofHex: try store.events(fromSeq: seq, toSeq: seq)[0].hash) else {
                throw LedgerError(.integrityFailure, "\(failure): its entry is not the chain hash of event \(seq)")
            }
            do {
                _ = try bundle.unsignedCheckpoint()
            } catch {
                throw LedgerError(.integrityFailure, "\(failure): \(error)")
            }
        }
        return (note, bundles.count)
    }

    /// What an HTML template's escaping did to a proof's text, undone.
    static func unescapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// A user file's identity in a provenance line: its SHA-256.
    static func fileIdentity(_ path: String) throws(LedgerError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.invalidInput, "cannot read \(path)")
        }
        return HashChain.sha256Hex([UInt8](data))
    }

    static func noticeConfig(_ path: String) throws(LedgerError) -> NoticeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(.invalidInput, "cannot read notice config \(path)")
        }
        do {
            return try JSONDecoder().decode(NoticeConfig.self, from: data)
        } catch {
            throw LedgerError(.invalidInput, "notice config is not {authority, objectionContact{department, phone, email, address}}: \(error)", location: path)
        }
    }
}
