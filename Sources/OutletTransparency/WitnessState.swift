import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A witness's memory: per log origin, the checkpoint it last cosigned — one file per origin in a folder.
/// C2SP tlog-witness asks that checking the old size and recording the new checkpoint be one step, or
/// two requests could roll the record back; so each update holds an exclusive lock on the folder (between
/// processes too: a `witness cosign` beside a `witness serve`) and replaces the file atomically (written
/// aside, synced, renamed), so a crash leaves the old record or the new one, never half of one.
public struct WitnessState: Sendable {
    public struct StorageError: Error, CustomStringConvertible {
        public let description: String
    }

    public let folder: String

    public init(folder: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StorageError(description: "cannot create the witness state folder \(folder): \(error.localizedDescription)")
        }
        self.folder = folder
    }

    /// `log-<origin>`, with `%` and `/` percent-encoded: one file per origin, no two origins on one file.
    func file(of origin: String) -> String {
        (folder as NSString).appendingPathComponent(
            "log-" + origin.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F"))
    }

    /// The checkpoint last cosigned for `origin`, if any.
    public func latest(origin: String) throws(StorageError) -> Checkpoint? {
        guard let data = FileManager.default.contents(atPath: file(of: origin)) else { return nil }
        do {
            let checkpoint = try Checkpoint(text: String(decoding: data, as: UTF8.self))
            guard checkpoint.origin == origin else { throw SignedNote.KeyError(description: "it names origin \(checkpoint.origin)") }
            return checkpoint
        } catch {
            throw StorageError(description: "the witness record \(file(of: origin)) does not read: \(error)")
        }
    }

    /// Reads the record of `origin`, lets `decide` answer from it, and records the checkpoint it returns —
    /// all under the folder's lock. A refusal records nothing.
    public func update<Answer>(origin: String, _ decide: (Checkpoint?) throws -> (answer: Answer, record: Checkpoint)) throws -> Answer {
        let lockFile = (folder as NSString).appendingPathComponent(".lock")
        let descriptor = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw StorageError(description: "cannot open \(lockFile): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw StorageError(description: "cannot lock \(lockFile): \(String(cString: strerror(errno)))") }
        let (answer, record) = try decide(try latest(origin: origin))
        try write(record.text, to: file(of: origin))
        return answer
    }

    private func write(_ text: String, to path: String) throws(StorageError) {
        let aside = path + ".new"
        let descriptor = open(aside, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StorageError(description: "cannot write \(aside): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(aside, path) == 0 else {
            throw StorageError(description: "cannot record the witness state in \(path): \(String(cString: strerror(errno)))")
        }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
