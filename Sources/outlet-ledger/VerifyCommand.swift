import ArgumentParser
import CanonicalJSON
import OutletLedger
import OutletCore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Audit the ledger: the hash chain, every event re-decided by the rules, every snapshot against a replay.",
        discussion: """
            Recomputes every hash from the stored bytes and checks seq, streamVersion and the head record; then,
            in one pass, checks each event's form and decides it again by the rules of the Measures against the
            history before it, and compares each stored snapshot with the state the replay reaches at its seq.
            The first failure is exit 68, naming its seq (and the article, for a rule). Works on a read-only copy.
            """)

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Check the hash chain and head record only (fast; no rules, no snapshots).") var chainOnly = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let ledger = try options.open(readonly: true, forAudit: true)
        let report: AuditReport
        do {
            report = try ledger.audit(chainOnly: chainOnly)
        } catch {
            if json, error.code == .integrityFailure { print(error.jsonValue.canonicalString) }
            throw error
        }
        for warning in report.warnings { Output.standardError("warning: \(warning)") }
        if json {
            print(report.jsonValue(chainOnly: chainOnly).canonicalString)
        } else {
            // The first line is what tools/verify-export.py prints for the same chain.
            print("ok: \(report.chain.count) events, head \(report.chain.head)")
            let snapshots = report.snapshotsMatching.count
            let checkpoints = report.checkpointsMatching == 0 ? ""
                : "; \(report.checkpointsMatching) signed checkpoint\(report.checkpointsMatching == 1 ? "" : "s") matching the tree"
            print((chainOnly ? "chain only: the rules and snapshots were not checked"
                : "every event re-decided by the rules; \(snapshots) snapshot\(snapshots == 1 ? "" : "s") equal to the replay") + checkpoints)
        }
    }
}
