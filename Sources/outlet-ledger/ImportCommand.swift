import ArgumentParser
import Foundation
import OutletCore
import OutletLedger

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append a JSON Lines log (e.g. an export) in one transaction, keeping its recordedAt.",
        discussion: """
            Each line: {type, stream, effectiveOn, actor{role, unit, name}, payload} and optionally eventId,
            schemaVersion, recordedAt (must not decrease nor lie in the future). Lines of an export also carry
            seq, streamVersion, prevHash and hash: they must be exactly what this ledger computes. The file is
            read and decided \(Self.chunkLines) lines at a time inside the one transaction, the next chunk read
            and checked on a second core while one is decided (a chunk that ends with a revocation or decline on
            an Art. 19 ground is decided with the next, which holds its bar), so a log of any length imports in
            bounded memory; a file holding one JSON array is read whole.
            """)

    /// Lines read, checked and decided at a time: enough to amortise each step, few enough to stay small.
    static let chunkLines = 4_000

    @OptionGroup var options: LedgerOptions

    @Argument(help: "The JSON Lines file, or - for stdin.") var file: String

    func run() throws {
        let reader = try LineReader(path: file)
        let ledger = try options.open()
        // A JSON array is parsed whole and imported as one chunk.
        var array = reader.startsWithArray ? try EventInput.events(try reader.rest(), kind: .import, source: file) : nil
        let summary = try ledger.importEvents { () throws(LedgerError) -> [Candidate]? in
            if array != nil {
                defer { array = nil }
                return array
            }
            var chunk: [Candidate] = []
            while chunk.count < Self.chunkLines, let (number, line) = try reader.nextLine() {
                if let candidate = try EventInput.event(line: line, number: number, kind: .import, source: file) { chunk.append(candidate) }
            }
            return chunk.isEmpty ? nil : chunk
        }
        Output.warn(summary.warnings + ledger.finishBackgroundWork())
        let head = try ledger.store.head()
        print("imported \(summary.imported) events (\(summary.alreadyPresent) already present), head seq \(head.seq) \(head.hash)")
    }
}

/// The lines of a file or of stdin, read a block at a time: an import's memory is its chunk's.
final class LineReader {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    private var lineNumber = 0
    /// The file's first non-blank byte is `[`: one JSON array, read whole.
    private(set) var startsWithArray = false

    static let blockSize = 1 << 20

    init(path: String) throws(LedgerError) {
        if path == "-" {
            handle = .standardInput
        } else {
            // A handle, not FileManager.contents: process substitution (/dev/fd/N) and FIFOs are read too.
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw LedgerError(.invalidInput, "cannot read \(path): no such readable file")
            }
            handle = opened
        }
        self.path = path
        while !ended, EventInput.firstNonBlank(buffer) == nil { try fill() }
        startsWithArray = EventInput.firstNonBlank(buffer) == UInt8(ascii: "[")
    }

    deinit {
        if path != "-" { try? handle.close() }
    }

    /// The next line (without its newline) and its number; nil at the end of the file.
    func nextLine() throws(LedgerError) -> (number: Int, line: ArraySlice<UInt8>)? {
        while true {
            if let end = buffer[start...].firstIndex(of: 0x0A) {
                defer { start = end + 1 }
                lineNumber += 1
                return (lineNumber, buffer[start..<end])
            }
            guard !ended else {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                lineNumber += 1
                return (lineNumber, buffer[start...])
            }
            try fill()
        }
    }

    /// Everything not yet read (after it, no line is left).
    func rest() throws(LedgerError) -> [UInt8] {
        while !ended { try fill() }
        defer { start = buffer.count }
        return Array(buffer[start...])
    }

    /// Reads the next block, dropping the lines already handed out.
    private func fill() throws(LedgerError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        do {
            guard let block = try handle.read(upToCount: Self.blockSize), !block.isEmpty else {
                ended = true
                return
            }
            buffer.append(contentsOf: block)
        } catch {
            throw LedgerError(.invalidInput, "cannot read \(path): \(error.localizedDescription)")
        }
    }
}
