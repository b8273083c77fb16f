import OutletDomain
import OutletStore

/// The registry ledger as its users see it: offered events are checked for form, then for the rules,
/// inside the store's append transaction; anything refused leaves the file as it was.
public final class Ledger: Sendable {
    public let store: EventStore
    public let checker: CandidateChecker

    init(store: EventStore, checker: CandidateChecker = CandidateChecker()) {
        self.store = store
        self.checker = checker
    }

    public static func create(at path: String, clock: any LedgerClock = SystemClock()) throws(LedgerError) -> Ledger {
        Ledger(store: try EventStore.create(at: path, clock: clock))
    }

    public static func open(at path: String, clock: any LedgerClock = SystemClock(),
                            readonly: Bool = false) throws(LedgerError) -> Ledger
    {
        Ledger(store: try EventStore.open(at: path, clock: clock, readonly: readonly))
    }

    /// Appends events recorded now, all or none.
    public func append(_ candidates: [Candidate], expectVersion: Int64? = nil) throws(LedgerError) -> [AppendResult] {
        if let stamped = candidates.firstIndex(where: { $0.recordedAt != nil }) {
            throw Self.locate(LedgerError(.invalidInput, "recordedAt is set by the ledger; only import keeps it"),
                              in: candidates, index: stamped)
        }
        return try write(candidates, expectVersion: expectVersion, importing: false)
    }

    /// Appends a migrated log, keeping its `recordedAt`s, all or none.
    public func importEvents(_ candidates: [Candidate]) throws(LedgerError) -> [AppendResult] {
        try write(candidates, expectVersion: nil, importing: true)
    }

    private func write(_ candidates: [Candidate], expectVersion: Int64?, importing: Bool) throws(LedgerError) -> [AppendResult] {
        var checked: [CheckedEvent] = []
        for (index, candidate) in candidates.enumerated() {
            do {
                checked.append(try checker.check(candidate))
            } catch {
                throw Self.locate(error, in: candidates, index: index)
            }
        }
        do throws(LedgerError) {
            return try store.append(checked.map(\.pending), expectVersion: expectVersion, importing: importing) { _, new in
                for event in new {
                    do throws(LedgerError) {
                        try Self.checkRecordingDate(event.envelope)
                    } catch {
                        var located = error
                        located.eventIndex = event.index
                        throw located
                    }
                }
            }
        } catch {
            guard let index = error.eventIndex else { throw error }
            throw Self.locate(error, in: candidates, index: index)
        }
    }

    /// Names the offending event as its caller knows it: its line or place in a file, else its number.
    static func locate(_ error: LedgerError, in candidates: [Candidate], index: Int) -> LedgerError {
        var located = error
        located.eventIndex = candidates.count > 1 ? index : nil
        if let origin = candidates[index].origin { located.location = origin }
        return located
    }

    /// DOMAIN.md §3: an act is recorded on or after the day it took effect (Asia/Shanghai).
    static func checkRecordingDate(_ envelope: Envelope) throws(LedgerError) {
        guard let recorded = Timestamp(envelope.recordedAt), envelope.effectiveOn > recorded.shanghaiDate.description
        else { return }
        throw LedgerError(
            .invalidInput,
            "effectiveOn \(envelope.effectiveOn) is later than the recording date \(recorded.shanghaiDate) (Asia/Shanghai); acts are recorded once they take effect",
            stream: envelope.stream)
    }
}
