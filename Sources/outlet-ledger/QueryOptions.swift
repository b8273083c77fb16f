import ArgumentParser
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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        line(fields, into: &bytes)
        output.write(bytes)
    }

    /// A line for each of `elements`, `fields` giving its fields, written in order. Worked in shares on
    /// every core: a roster is tens of thousands of lines, each a dozen strings made and checked for quoting.
    static func lines<Element: Sendable>(_ elements: [Element], to output: inout Output, _ fields: @Sendable (Element) -> [String]) {
        let shares = min(8, max(1, elements.count / 64))
        var written = [[UInt8]](repeating: [], count: shares)
        written.withUnsafeMutableBufferPointer { written in
            // Each share sets its own element and nothing else.
            nonisolated(unsafe) let written = written
            DispatchQueue.concurrentPerform(iterations: shares) { share in
                var bytes: [UInt8] = []
                for element in elements[(elements.count * share / shares)..<(elements.count * (share + 1) / shares)] {
                    line(fields(element), into: &bytes)
                }
                written[share] = bytes
            }
        }
        for bytes in written { output.write(bytes) }
    }

    private static func line(_ fields: [String], into bytes: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            cell(field, into: &bytes)
        }
        bytes.append(0x0A)
    }

    /// A field that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR first: OWASP's
    /// CSV injection guidance) is prefixed with `'` and quoted, so it shows as text.
    static func cell(_ field: String, into bytes: inout [UInt8]) {
        var field = field
        field.withUTF8 { utf8 in
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
}

/// Keeps large values alive until the process exits: the system reclaims a whole process's memory at
/// once, far faster than freeing a million timeline versions one by one when a command returns.
enum ProcessLifetime {
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) {
        kept.append(value)
    }
}
