import Dispatch
import GRDB
import Synchronization

/// Read-only connections of a ledger opened to write, beside the writer's: a read outside a write,
/// however long (restoring a snapshot and folding its tail, a feed of the log, an audit), then holds up
/// no append, and an append none of them. Each read sees the log as committed when it began (WAL).
///
/// Not GRDB's `DatabasePool`: opening one writes to the file when its write-ahead log is empty (a table
/// made and dropped) and sets the writer to `synchronous = NORMAL`, under which a commit acknowledged
/// before a power loss may be lost.
final class ReaderConnections: Sendable {
    /// At most this many reads run at once (a service's are answered on a concurrent queue); more wait.
    static let limit = 4

    private let path: String
    private let configuration: Configuration
    private let idle = Mutex<[DatabaseQueue]>([])
    private let slots = DispatchSemaphore(value: limit)

    /// The connection this thread reads on, inside a read: a read within it (the store's reads nest) is
    /// answered there, not on a second connection each (which could wait for a slot its own thread holds).
    @TaskLocal private static var held: DatabaseQueue?

    init(path: String, configuration: Configuration) {
        self.path = path
        self.configuration = configuration
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let held = Self.held { return try held.unsafeReentrantRead(body) }
        slots.wait()
        defer { slots.signal() }
        // Opened when first needed, kept for the next read.
        let connection = try idle.withLock { $0.popLast() } ?? DatabaseQueue(path: path, configuration: configuration)
        defer { idle.withLock { $0.append(connection) } }
        return try Self.$held.withValue(connection) { try connection.unsafeReentrantRead(body) }
    }

    /// Closes the idle connections: before the writer's, which, closed last, copies the log into the file
    /// and removes it.
    func close() {
        idle.withLock { $0.removeAll() }
    }
}
