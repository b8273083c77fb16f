import Foundation
import OutletDomain
import OutletNotices
import OutletCore

extension Ledger {
    /// Generates a notice from the projections at `position`; it ends with that position (seq, chain
    /// hash, projection digest) and the generation time. It is signed on `issuedOn` (default: the day
    /// of `generatedAt` in Asia/Shanghai), never a day before the data it announces; a notice with
    /// nothing to announce is not issued (DOMAIN.md §7).
    public func notice(_ request: NoticeRequest, format: NoticeFormat, at position: LedgerHead,
                       templateFile: String? = nil, configFile: String? = nil,
                       generatedAt: String? = nil,
                       issuedOn: LocalDate? = nil, useSnapshots: Bool = true,
                       checkpoint: Int64?? = nil) throws(LedgerError) -> (text: String, provenance: Provenance)
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
        // Named as when it was made (verify), else the newest signed checkpoint covering the position.
        if let checkpoint {
            provenance.checkpoint = checkpoint
        } else if let newest = try store.checkpoints().last, newest.size >= position.seq {
            provenance.checkpoint = newest.size
        }
        return (renderer.render(content.values, provenance: provenance), provenance)
    }

    /// Regenerates a notice from the verified log at the position its provenance names (the chain checked
    /// up to there, every event folded again, no snapshot); true if identical.
    public func verifyNotice(_ text: String, templateFile: String? = nil, configFile: String? = nil) throws(LedgerError) -> (matches: Bool, provenance: Provenance) {
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
        let position = try store.head(atSeq: provenance.seq)
        let regenerated = try notice(provenance.request, format: provenance.format, at: position,
                                     templateFile: provenance.template == "bundled" ? nil : templateFile,
                                     configFile: provenance.config == "bundled" ? nil : configFile, generatedAt: provenance.generatedAt,
                                     issuedOn: provenance.issuedOn, useSnapshots: false, checkpoint: .some(provenance.checkpoint))
        if let size = provenance.checkpoint, let stored = try store.checkpoints().first(where: { $0.size == size }) {
            // The checkpoint the notice names, held here: the log must still be the one it signed.
            let signed = try Self.checkpoint(ofNote: stored.note)
            let tree = try merkleTree()
            guard signed.size <= tree.size, tree.root(size: signed.size) == signed.root else {
                throw LedgerError(.integrityFailure, "the log is not the one the checkpoint of size \(size) the notice names was signed for")
            }
        }
        return (regenerated.text == text, provenance)
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
