/// Why a stored snapshot cannot be used. The caller skips it and falls back to an older one or to a
/// full replay: a bad snapshot costs time, never a wrong answer.
public enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are damaged: the frame, its checksum or the layout inside it.
    case corrupt(String)
    /// Written by another format or projection version than this program's.
    case version(String)
    /// Sound, but not of this log: its chain hash differs from the event's at its seq.
    case mismatch(String)

    /// The same error, said of `what` (a segment's base).
    public func within(_ what: String) -> SnapshotError {
        switch self {
        case .corrupt(let reason): .corrupt("\(what): \(reason)")
        case .version(let reason): .version("\(what): \(reason)")
        case .mismatch(let reason): .mismatch("\(what): \(reason)")
        }
    }

    public var description: String {
        switch self {
        case .corrupt(let reason): "corrupt: \(reason)"
        case .version(let reason): "wrong version: \(reason)"
        case .mismatch(let reason): "does not match the log: \(reason)"
        }
    }
}
