import CanonicalJSON
import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutletDomain
import OutletCore
import OutletDemo
import OutletLedger
import OutletStore

/// The repository, for the files tests read beside the package (tools/, EventSchemas/).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }
}

/// The payload fixtures shared with tools/schema-check.py.
enum PayloadFixtures {
    struct File {
        let name: String
        let type: String
        let schemaVersion: Int64
        let valid: [JSONValue]
        let invalid: [(why: String, payload: JSONValue)]
    }

    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("payloads")

    static let files: [File] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let json = try! JSONParser.parse([UInt8](Data(contentsOf: directory.appendingPathComponent(name))))
            return File(
                name: String(name.dropLast(5)), type: json["type"]!.stringValue!,
                schemaVersion: json["schemaVersion"]!.integerValue!, valid: json["valid"]!.arrayValue!,
                invalid: json["invalid"]!.arrayValue!.map { ($0["why"]!.stringValue!, $0["payload"]!) })
        }
    }()

    /// The first valid payload of `type` at its newest version.
    static func valid(_ type: String) -> JSONValue {
        files.filter { $0.type == type }.max { $0.schemaVersion < $1.schemaVersion }!.valid[0]
    }
}

/// The events a new ledger's first append records before the caller's: the policy and one event per
/// bundled holiday year (the genesis); the caller's first event is seq `genesis + 1`.
let genesis = Int64(1 + (try! RegistryData.bundledHolidayYears).count)

/// Institutions used across the tests; USCCs with valid check characters.
enum Sample {
    static let university = "91350100M000100Y43"
    static let other = "91110000802100433B"

    static let districtBureau = EnvelopeActor(role: "district-bureau", unit: "210103", name: "沈河区市场监督管理局")
    static let cityBureau = EnvelopeActor(role: "city-bureau", unit: "210100", name: "沈阳市知识产权局")

    static func candidate(_ type: String, stream: String = university, on date: String = "2025-09-01",
                          actor: EnvelopeActor = cityBureau, payload: JSONValue? = nil, eventId: String? = nil) -> Candidate
    {
        Candidate(type: type, stream: stream, effectiveOn: date, actor: actor,
                  payload: payload ?? PayloadFixtures.valid(type), eventId: eventId)
    }

    static func applicant(_ stream: String) -> EnvelopeActor {
        EnvelopeActor(role: "applicant", unit: stream, name: "刘洋")
    }

    /// A fixture payload of `type` whose `institution.uscc` is `stream` (in 沈河区, 210103).
    static func payload(_ type: String, for stream: String) -> JSONValue {
        guard case .object(var members) = PayloadFixtures.valid(type), case .object(var institution)? = members["institution"]
        else { return PayloadFixtures.valid(type) }
        institution["uscc"] = .string(stream)
        members["institution"] = .object(institution)
        return .object(members)
    }

    /// The application procedure carried to registration: submitted 2025-08-25, recommended 09-02,
    /// publicized 09-26 (window ends 10-09 after the National Day holiday), registered 10-10.
    static func registration(_ stream: String = university) -> [Candidate] {
        [candidate("submitted", stream: stream, on: "2025-08-25", actor: applicant(stream), payload: payload("submitted", for: stream)),
         candidate("recommended", stream: stream, on: "2025-09-02", actor: districtBureau),
         candidate("publicized", stream: stream, on: "2025-09-26"),
         candidate("registered", stream: stream, on: "2025-10-10")]
    }

    /// A national outlet included under Art. 7 on 2025-09-01.
    static func inclusion(_ stream: String) -> Candidate {
        candidate("auto-included", stream: stream, on: "2025-09-01", payload: payload("auto-included", for: stream))
    }
}

/// A ledger in its own temporary folder.
final class LedgerFixture {
    let directory: URL
    let path: String
    let clock = ManualClock(Timestamp("2025-12-01T02:00:00.000Z")!)
    private var openLedger: Ledger?

    init(create: Bool = true, policy: Policy? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("ledger.sqlite").path
        if create { openLedger = try Ledger.create(at: path, clock: clock, policy: policy) }
    }

    /// This process's connection to the ledger, opened again after `fingerprint()` closed it.
    var ledger: Ledger {
        get throws {
            if let openLedger { return openLedger }
            let ledger = try Ledger.open(at: path, clock: clock)
            openLedger = ledger
            return ledger
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    func file(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Event count, head hash and the bytes of the file and its write-ahead log.
    ///
    /// Closes this process's connection first: SQLite moves the write-ahead log into the file when the
    /// last connection closes, which is housekeeping, not a write; what is compared is the file as a
    /// user finds it between two commands.
    func fingerprint() throws -> [String] {
        // A copy of the log into the file under way beside this process's writer (a test may still hold the
        // ledger, its connection open) would change both files between two fingerprints: as the store's own do.
        (openLedger?.store as? EventStore)?.finishCheckpoint()
        openLedger = nil
        let head = try Ledger.open(at: path, readonly: true).store.head()
        // An absent WAL and an empty one hold the same: nothing.
        let files = [path, path + "-wal"].map { file in
            SHA256.hash(data: (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()).description
        }
        return ["\(head.seq)", head.hash] + files
    }
}

/// Runs the built `outlet-ledger` binary, as a user or a second process would.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: URL = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("outlet-ledger")
    }()

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Result
    {
        try run(executable: binary, arguments, stdin: stdin, in: directory, environment: environment)
    }

    static func run(executable: URL, _ arguments: [String], stdin: Data? = nil, in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Result
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["OUTLET_LEDGER"] = nil
        env.merge(environment) { _, new in new }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(stdin ?? Data())
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// An `outlet-ledger` service running as its own process on a free loopback port, stopped (SIGTERM) on
/// `stop()` or when dropped: what a client on another machine would reach.
final class RunningServer {
    let process = Process()
    /// `http://127.0.0.1:<port>`, as the service announced it.
    let url: URL
    /// Its standard error (the request log) goes to a file: a pipe nobody reads would fill and stall it.
    private let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("outlet-ledger-serve-\(UUID().uuidString).log")

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = CLI.binary
        process.arguments = arguments + ["--listen", "127.0.0.1:0"]
        var env = ProcessInfo.processInfo.environment
        env["OUTLET_LEDGER"] = nil
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        try Data().write(to: errorLog)
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()
        // The first line says where it listens; nothing else is printed before it.
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://") else {
            process.terminate()
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the server did not start: \(text) \(stderr)"])
        }
        url = URL(string: String(text[range.lowerBound...]))!
    }

    /// What it wrote on standard error (its request log), once stopped.
    var standardError: String {
        (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
    }

    /// SIGTERM, then the exit status once it has shut down.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        _ = stop()
        try? FileManager.default.removeItem(at: errorLog)
    }
}

/// A plain HTTP client for the tests that reach a server over a socket.
enum HTTP {
    struct Response {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func request(_ url: URL, method: String = "GET", headers: [String: String] = [:], body: Data? = nil) async throws -> Response {
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Response(status: http.statusCode, headers: fields, body: data)
    }
}

extension LedgerFixture {
    /// A ledger holding a synthetic history of 3,000 events (`SyntheticRegistry`, 2014 → 2025-11-30), imported
    /// through the rules 1,000 at a time.
    static func synthetic(seed: UInt64) throws -> LedgerFixture {
        let (fixture, registry) = try syntheticHistory(events: 3_000, seed: seed)
        for candidates in registry.chunks(of: 1_000) { _ = try fixture.ledger.importEvents(candidates) }
        return fixture
    }

    /// A new ledger under `policy` (the default one if nil) and a synthetic history of about `events` for it,
    /// not yet imported.
    static func syntheticHistory(events: Int, seed: UInt64, policy: Policy? = nil) throws -> (LedgerFixture, SyntheticRegistry) {
        let fixture = try LedgerFixture(policy: policy)
        var registry = SyntheticRegistry(periods: try fixture.ledger.periods, today: LocalDate("2025-11-30")!)
        registry.schedule(events: events, seed: seed)
        return (fixture, registry)
    }
}
