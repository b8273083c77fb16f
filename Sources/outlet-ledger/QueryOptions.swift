import ArgumentParser
import CanonicalJSON
import Foundation
import OutletDomain
import OutletLedger
import OutletCore

/// The two time axes of every query: the legal date (--as-of) and what the ledger knew (--known-at / --at-seq).
struct QueryOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "The legal date D (YYYY-MM-DD; default: today in Asia/Shanghai).")
    var asOf: String?
    @Option(name: .customLong("known-at"), help: "Read the ledger as it stood at this time (RFC 3339, e.g. 2025-07-15T00:00:00.000Z).")
    var knownAt: String?
    @Option(name: .customLong("at-seq"), parsing: .unconditional, help: "Read the ledger as it stood after event N.")
    var atSeq: Int64?
    @Flag(name: .customLong("no-snapshots"), help: "Fold the whole log instead of starting from the newest snapshot (same answer, slower).")
    var noSnapshots = false

    func validate() throws {
        if knownAt != nil && atSeq != nil { throw ValidationError("give --known-at or --at-seq, not both") }
    }

    private var query: Query {
        Query(asOf: asOf, knownAt: knownAt, atSeq: atSeq, names: Query.Names(asOf: "--as-of", knownAt: "--known-at", atSeq: "--at-seq"))
    }

    /// The as-of date: given, or today by the ledger's clock (Asia/Shanghai).
    func date(in ledger: Ledger) throws(LedgerError) -> LocalDate {
        try query.date(in: ledger)
    }

    func position(in ledger: Ledger) throws(LedgerError) -> LedgerHead {
        try query.position(in: ledger)
    }

    /// The ledger, the as-of date and the projections at the chosen position: every query's start.
    /// Skipped snapshots are reported on stderr, one line each; the answer is the same without them.
    func projections(_ options: LedgerOptions, useSnapshots: Bool = true) throws(LedgerError) -> (Ledger, LocalDate, ProjectionView) {
        let ledger = try options.open(readonly: true, forOneQuery: true)
        let date = try date(in: ledger)
        let view = try ledger.projections(at: try position(in: ledger), useSnapshots: useSnapshots && !noSnapshots)
        for warning in view.warnings { Output.standardError("outlet-ledger: warning: \(warning)") }
        ProcessLifetime.keep(view)
        return (ledger, date, view)
    }
}

/// table (default), json or csv.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// RFC 4180 fields, safe to open in a spreadsheet, written as bytes (a roster of tens of thousands of
/// lines built as strings and printed one by one took a sixth of the command's time).
enum CSV {
    /// The header line, after a UTF-8 byte order mark when asked (spreadsheet programs read the Chinese right then).
    static func header(_ fields: [String], bom: Bool, to output: inout Output) {
        if bom { output.write([0xEF, 0xBB, 0xBF]) }
        line(fields, to: &output)
    }

    static func line(_ fields: [String], to output: inout Output) {
        var row = Row()
        for field in fields { row.cell(field) }
        row.end()
        output.write(row.bytes)
    }

    /// A line for each of `elements`, `write` putting its cells in the row, written in order. Worked in shares
    /// on every core: a roster is tens of thousands of lines of a dozen cells each, written where they are
    /// made (made as a dozen strings first, then copied, they were a seventh of a roster's CPU time).
    static func lines<Element: Sendable>(_ elements: [Element], to output: inout Output, _ write: @Sendable (Element, inout Row) -> Void) {
        let shares = min(8, max(1, elements.count / 64))
        var written = [[UInt8]](repeating: [], count: shares)
        written.withUnsafeMutableBufferPointer { written in
            // Each share sets its own element and nothing else.
            nonisolated(unsafe) let written = written
            DispatchQueue.concurrentPerform(iterations: shares) { share in
                let range = (elements.count * share / shares)..<(elements.count * (share + 1) / shares)
                var row = Row()
                row.bytes.reserveCapacity(range.count * 256)
                for element in elements[range] {
                    write(element, &row)
                    row.end()
                }
                written[share] = row.bytes
            }
        }
        for bytes in written { output.write(bytes) }
    }

    /// The line being written: cells appended as they come, comma-separated, each quoted only if it must be.
    struct Row {
        fileprivate var bytes: [UInt8] = []
        private var cells = 0

        mutating func cell(_ field: String) {
            separate()
            Canonical.withUTF8(field) { CSV.cell($0, into: &bytes) }
        }

        /// A date as `YYYY-MM-DD`; nothing for none.
        mutating func cell(_ date: LocalDate?) {
            guard let date, (0...9999).contains(date.year) else { return cell(date?.description ?? "") }
            separate()
            let at = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 10))
            bytes.withUnsafeMutableBufferPointer { date.write(into: UnsafeMutableBufferPointer(rebasing: $0[at...])) }
        }

        /// Texts joined by `separator`, as one cell.
        mutating func cell(joining fields: some Sequence<String>, separator: String) {
            cell(fields.joined(separator: separator))
        }

        private mutating func separate() {
            if cells > 0 { bytes.append(UInt8(ascii: ",")) }
            cells += 1
        }

        fileprivate mutating func end() {
            bytes.append(0x0A)
            cells = 0
        }
    }

    /// A field that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first: OWASP's
    /// CSV injection guidance) is prefixed with `'` and quoted, so it shows as text.
    private static func cell(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        let neutralised = switch utf8.first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: true
        default: false
        }
        // Bytes, not characters: the four that need quoting are ASCII, and grapheme breaking is slow.
        let quoted = neutralised || utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard quoted else { return bytes.append(contentsOf: utf8) }
        bytes.append(UInt8(ascii: "\""))
        if neutralised { bytes.append(UInt8(ascii: "'")) }
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Keeps large values alive until the process exits: the system reclaims a whole process's memory at
/// once, far faster than freeing a million timeline versions one by one when a command returns.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []
    nonisolated(unsafe) private static var ledgers: [Ledger] = []

    static func keep(_ value: Any) {
        kept.append(value)
    }

    /// A ledger the command opened, with what it holds (after an import, the whole registry's projection):
    /// kept too, its file closed by `end`.
    static func keep(_ ledger: Ledger) -> Ledger {
        ledgers.append(ledger)
        return ledger
    }

    /// Closes the kept ledgers' files, the last opened first: what their release would have done.
    static func end() {
        for ledger in ledgers.reversed() { ledger.close() }
    }
}
