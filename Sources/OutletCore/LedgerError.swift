/// Every way the ledger refuses or fails, as one value with a code and its context; turned into a
/// line of text and an exit code only at the edge (the CLI).
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The input is malformed or names something that cannot be (bad JSON, schema, USCC, date…).
        case invalidInput = "invalid input"
        /// A rule of the Measures forbids the act; `article` names it.
        case refusedByRule = "refused"
        /// The stream moved since the caller read it (`--expect-version`), or an event id was reused.
        case conflict = "conflict"
        /// The stored history does not verify.
        case integrityFailure = "integrity failure"
        /// The path is not a ledger this program can use (missing, not SQLite, foreign, newer, existing).
        case ledgerUnusable = "ledger unusable"
        /// The operating system or SQLite failed (disk full, read-only file…).
        case storage = "storage error"
    }

    /// Why a write met another writer, with the versions that differ: callers match `kind`, not text.
    public struct Conflict: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// Another append moved the log's head after this one read it: decide again and retry.
            case headMoved = "head-moved"
            /// `--expect-version`: the stream is not at the version the caller saw.
            case streamMoved = "stream-moved"
            /// The event id names a stored event with other content.
            case eventIdReused = "event-id-reused"
        }

        public var kind: Kind
        public var expected: Int64?
        public var actual: Int64?

        public init(kind: Kind, expected: Int64?, actual: Int64?) {
            self.kind = kind
            self.expected = expected
            self.actual = actual
        }
    }

    public var code: Code
    public var message: String
    /// For `.conflict`: which, and the versions.
    public var conflict: Conflict?
    public var article: String?
    /// For `.refusedByRule`: the refusal is the "who" column's (this actor may not record this act), which
    /// a door with its own identities answers apart (HTTP 403, not 422).
    public var byActorRule = false
    public var stream: String?
    public var seq: Int64?
    /// Where in the caller's input: `export.jsonl line 3`, a file name.
    public var location: String?
    /// The failure underneath (SQLite's, the system's), kept as a value for whoever wants more than the line.
    public var underlying: (any Error & Sendable)?
    /// Which event of a multi-event call (0-based), so the caller can name it in its own terms.
    public var eventIndex: Int?

    public init(_ code: Code, _ message: String, article: String? = nil, stream: String? = nil,
                seq: Int64? = nil, location: String? = nil)
    {
        self.code = code
        self.message = message
        self.article = article
        self.stream = stream
        self.seq = seq
        self.location = location
    }

    /// Equal when everything said is equal; the underlying error is detail, not identity.
    public static func == (lhs: LedgerError, rhs: LedgerError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.article == rhs.article && lhs.byActorRule == rhs.byActorRule && lhs.stream == rhs.stream
            && lhs.seq == rhs.seq && lhs.location == rhs.location && lhs.eventIndex == rhs.eventIndex && lhs.conflict == rhs.conflict
    }

    /// The same error, with the failure underneath it kept.
    public func underlying(_ error: any Error & Sendable) -> LedgerError {
        var wrapped = self
        wrapped.underlying = error
        return wrapped
    }

    /// One line: `refused (Art. 6(3)): …`, `invalid input (line 3): …`.
    public var description: String {
        var qualifiers: [String] = []
        if let article { qualifiers.append(article) }
        if let location {
            qualifiers.append(location)
        } else if let eventIndex {
            qualifiers.append("event \(eventIndex + 1)")
        }
        let head = qualifiers.isEmpty ? code.rawValue : "\(code.rawValue) (\(qualifiers.joined(separator: ", ")))"
        return "\(head): \(message)"
    }

    /// The same error, placed at `location` in the caller's input.
    public func at(_ location: String) -> LedgerError {
        var located = self
        located.location = self.location.map { "\(location), \($0)" } ?? location
        return located
    }
}
