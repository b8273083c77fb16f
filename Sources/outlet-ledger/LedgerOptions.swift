import ArgumentParser
import Foundation
import OutletDomain
import OutletLedger
import OutletCore

/// Where the ledger is: --ledger PATH, else $OUTLET_LEDGER, else ./outlets.sqlite.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: "The ledger file (default: $OUTLET_LEDGER, else ./outlets.sqlite).")
    var ledger: String?

    @Option(name: .long, help: "What if: a holiday calendar file replacing, for this query or notice only, the holiday data recorded in the ledger (default: $OUTLET_LEDGER_HOLIDAYS, else the ledger's). Never used to decide an append.")
    var holidays: String?

    /// The ledger's clock: the machine's, or the fixed time of `$OUTLET_LEDGER_NOW` (RFC 3339), so that
    /// "today", recording times and a demo are reproducible for a given date.
    var clock: any LedgerClock {
        get throws(LedgerError) { try Self.environmentClock() }
    }

    static func environmentClock() throws(LedgerError) -> any LedgerClock {
        guard let now = ProcessInfo.processInfo.environment["OUTLET_LEDGER_NOW"] else { return SystemClock() }
        guard let time = Query.time(now) else {
            throw LedgerError(.invalidInput, "$OUTLET_LEDGER_NOW \"\(now)\" is not an RFC 3339 time (2026-11-25T02:00:00Z)")
        }
        return ManualClock(time)
    }

    var path: String {
        ledger ?? ProcessInfo.processInfo.environment["OUTLET_LEDGER"] ?? "outlets.sqlite"
    }

    /// The what-if holiday file, if one is given.
    var whatIfHolidaysFile: String? {
        holidays ?? ProcessInfo.processInfo.environment["OUTLET_LEDGER_HOLIDAYS"]
    }

    /// Opens the ledger; a reader may ask "what if" with another holiday calendar, a writer never: its
    /// acts are decided with the data the chain holds.
    /// `forOneQuery` (read-only): for a command that answers one question and ends (`Ledger.open`).
    func open(readonly: Bool = false, forAudit: Bool = false, forOneQuery: Bool = false) throws(LedgerError) -> Ledger {
        guard readonly else {
            if holidays != nil {
                throw LedgerError(.invalidInput, "--holidays is a what-if for queries and notices; appends are decided with the holiday data recorded in the ledger (record a new year as a holiday-calendar-published event, see README)")
            }
            if whatIfHolidaysFile != nil {
                Output.standardError("outlet-ledger: warning: $OUTLET_LEDGER_HOLIDAYS is ignored when writing; the ledger's own holiday data decides")
            }
            return ProcessLifetime.keep(try Ledger.open(at: path, clock: try clock))
        }
        let whatIf = try whatIfHolidaysFile.map { file throws(LedgerError) in try RegistryData.holidays(file: file) }
        if let whatIf, let file = whatIfHolidaysFile {
            Output.standardError("outlet-ledger: warning: what-if: deadlines are counted with \(file) (\(WhatIfHolidays.label(whatIf))), not with the holiday data recorded in the ledger")
        }
        return ProcessLifetime.keep(try Ledger.open(at: path, clock: try clock, readonly: true, whatIfHolidays: whatIf, forAudit: forAudit,
                                                  forOneQuery: forOneQuery))
    }
}

/// Reading the caller's files: a missing or unreadable file is invalid input, named.
enum InputFile {
    static func read(_ path: String) throws(LedgerError) -> [UInt8] {
        if path == "-" {
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        // A handle, not FileManager.contents: process substitution (/dev/fd/N) and FIFOs are read too.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError(.invalidInput, "cannot read \(path): no such readable file")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw LedgerError(.invalidInput, "cannot read \(path): \(error.localizedDescription)")
        }
    }
}

/// Buffered writes to stdout or a file; stderr for diagnostics.
struct Output {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String?) throws(LedgerError) {
        guard let path, path != "-" else {
            handle = .standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw LedgerError(.storage, "cannot write \(path)")
        }
        self.handle = handle
    }

    mutating func write(_ bytes: [UInt8]) {
        guard bytes.count < Self.bufferSize else {
            // A whole document (a roster of 20 MB) goes out as it is: not copied into the buffer, nor into a `Data`.
            flush()
            send(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { flush() }
    }

    private static let bufferSize = 1 << 16

    mutating func line(_ text: String = "") {
        write(Array(text.utf8) + [0x0A])
    }

    mutating func flush() {
        send(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            // Read by the write alone, while `bytes` is alive.
            handle.write(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none))
        }
    }

    /// Period computations the caller should know about, one `warning:` line each.
    static func warn(_ warnings: [String]) {
        for warning in warnings { standardError("outlet-ledger: warning: \(warning)") }
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
