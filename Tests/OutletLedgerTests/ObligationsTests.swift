import CanonicalJSON
import Foundation
import OutletDomain
import OutletCore
import OutletLedger
import Testing

@Suite("Art. 18 obligations end when the outlet leaves the roster (DOMAIN.md §3): no deadline, no summary after the day it left")
struct ObligationsTests {
    /// Registered 2025-10-10, ordered to rectify 2025-11-03 (deadline 2026-05-06), then `leaving` on 2025-12-01.
    static func ledger(leaving: Candidate) throws -> LedgerFixture {
        let fixture = try LedgerFixture()
        _ = try fixture.ledger.append(Sample.registration())
        _ = try fixture.ledger.append([Sample.candidate("rectification-ordered", on: "2025-11-03", payload: ["reason": "服务记录不全"])])
        _ = try fixture.ledger.append([leaving])
        _ = try fixture.fingerprint()
        return fixture
    }

    @Test("terminated: the open rectification is moot, and no 2025 or 2026 summary is asked for", arguments: [
        Sample.candidate("terminated", on: "2025-12-01", payload: ["reason": "申请终止", "requestedOn": "2025-11-20", "basis": "voluntary"]),
        Sample.candidate("superseded", on: "2025-12-01", payload: ["designation": "tisc"]),
    ])
    func leftTheRoster(leaving: Candidate) throws {
        let fixture = try Self.ledger(leaving: leaving)
        let calendar = try CLI.run(["calendar", "--ledger", fixture.path, "--from", "2025-11-01", "--to", "2026-12-31", "--as-of", "2025-12-02", "--format", "csv"])
        #expect(calendar.status == 0, "\(calendar.stderr)")
        #expect(!calendar.stdout.contains("rectification-deadline") && !calendar.stdout.contains("annual-summary-due"), "\(calendar.stdout)")
        let reminders = try CLI.run(["notice", "reminders", "--ledger", fixture.path, "--from", "2026-01-01", "--to", "2026-12-31"])
        #expect(reminders.status == 65 && reminders.stderr.contains("nothing falls due"), "\(reminders.stdout)\(reminders.stderr)")
    }

    @Test("calendar --as-of applies: before the termination was in effect, the deadline and the 2025 summary were scheduled")
    func asOfBeforeLeaving() throws {
        let fixture = try Self.ledger(leaving: Sample.candidate("terminated", on: "2025-12-01",
                                                                payload: ["reason": "申请终止", "requestedOn": "2025-11-20", "basis": "voluntary"]))
        let calendar = try CLI.run(["calendar", "--ledger", fixture.path, "--from", "2025-11-01", "--to", "2026-12-31", "--as-of", "2025-11-30", "--format", "csv"]).stdout
        #expect(calendar.contains("2026-05-06,rectification-deadline") && calendar.contains("2025-12-31,annual-summary-due"), "\(calendar)")
    }
}
