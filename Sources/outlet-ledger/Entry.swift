import ArgumentParser
import Foundation
import OutletSnapshots
import OutletCore
import OutletLedger

/// `outlet-ledger`: the registry ledger of Shenyang's IP information public service outlets.
struct OutletLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outlet-ledger",
        abstract: "An append-only, hash-chained ledger of Shenyang's IP information public service outlets (知识产权信息公共服务网点).",
        discussion: """
            The ledger file is --ledger PATH, else $OUTLET_LEDGER, else ./outlets.sqlite.
            Exit codes: 0 ok, 64 usage error, 65 invalid input, 66 refused by a rule, 67 concurrency conflict,
            68 integrity failure, 69 ledger unusable (missing, not a ledger, newer format, exists at init), 74 storage error.
            """,
        version: "outlet-ledger 0.7 (ledger format \(Ledger.formatVersion), snapshot format \(SnapshotHeader.currentFormatVersion), segments \(SnapshotHeader.segmentFormatVersion))",
        subcommands: [
            InitCommand.self, AppendCommand.self, ImportCommand.self, ExportCommand.self, VerifyCommand.self,
            LogCommand.self, HistoryCommand.self, StatusCommand.self, PolicyCommand.self, RosterCommand.self,
            BansCommand.self, CalendarCommand.self, ReplayCommand.self, SnapshotCommand.self, StatsCommand.self, NoticeCommand.self, ProofCommand.self, KeyCommand.self, CheckpointCommand.self, WitnessCommand.self, TilesCommand.self, TokenCommand.self, ServeCommand.self, DemoCommand.self,
        ]
    )
}

/// Every error becomes one line on stderr and an exit code here, and nowhere else.
@main
enum Entry {
    static func main() async {
        let status: Int32
        do {
            var command = try OutletLedgerCommand.parseAsRoot()
            if var server = command as? AsyncParsableCommand {
                try await server.run()
            } else {
                try command.run()
            }
            status = 0
        } catch let error as LedgerError {
            Output.standardError("outlet-ledger: \(error)")
            status = ExitStatus.code(for: error.code)
        } catch {
            ProcessLifetime.end()
            OutletLedgerCommand.exit(withError: error)
        }
        ProcessLifetime.end()
        exit(status)
    }
}

/// The exit codes the README documents, one per kind of failure.
enum ExitStatus {
    static func code(for code: LedgerError.Code) -> Int32 {
        switch code {
        case .invalidInput: 65
        case .refusedByRule: 66
        case .conflict: 67
        case .integrityFailure: 68
        case .ledgerUnusable: 69
        case .storage: 74
        }
    }
}
