import ArgumentParser
import CanonicalJSON
import Foundation
import OutletDomain
import OutletLedger
import OutletProjections
import OutletCore

struct RosterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster", abstract: "The roster 名录 on a date: outlets active or included (Art. 6(4), 16).")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var query: QueryOptions
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "CSV only: begin with a UTF-8 byte order mark, for spreadsheet programs.") var bom = false

    func run() throws {
        let (ledger, date, view) = try query.projections(options)
        switch json ? .json : format {
        case .json:
            // Its canonical bytes as written: twenty megabytes at a million events need no String.
            var output = try Output(path: nil)
            output.write(QueryDocument.rosterJSON(view, asOf: date))
            output.write([0x0A])
            output.flush()
        case .csv:
            let roster = view.projection.roster(on: date)
            var output = try Output(path: nil)
            CSV.header(["outletNo", "uscc", "name", "category", "categoryName", "district", "districtName", "address", "level",
                        "registeredOn", "validThrough", "serviceItems", "underRectification", "rectificationDeadline",
                        "overdueSummaries"], bom: bom, to: &output)
            let policy = ledger.policy
            CSV.lines(roster, to: &output) { entry, row in
                row.cell(entry.outletNo ?? "")
                row.cell(entry.uscc.code)
                row.cell(entry.name)
                row.cell(entry.category.rawValue)
                row.cell(entry.category.chineseName)
                row.cell(entry.district)
                row.cell(policy.district(entry.district)?.name ?? "")
                row.cell(entry.address)
                row.cell(entry.level.rawValue)
                row.cell(entry.registeredOn)
                row.cell(entry.validThrough)
                row.cell(joining: entry.serviceItems, separator: ";")
                row.cell(entry.underRectification ? "true" : "false")
                row.cell(entry.rectificationDeadline)
                row.cell(joining: entry.overdueSummaries.map(String.init), separator: ";")
            }
            output.flush()
            ProcessLifetime.keep(roster)
        case .table:
            let roster = view.projection.roster(on: date)
            var table = TextTable(["编号", "名称", "类别", "区县", "级别", "备案日期", "有效期至", "整改期限", "未报总结"])
            for entry in roster {
                table.add([entry.outletNo ?? "—", entry.name, entry.category.chineseName,
                           ledger.policy.district(entry.district)?.name ?? entry.district, entry.level.rawValue,
                           entry.registeredOn.description, entry.validThrough?.description ?? "—",
                           entry.rectificationDeadline?.description ?? "", entry.overdueSummaries.map(String.init).joined(separator: ",")])
            }
            print(ProjectionText.header("roster 名录", date: date, view: view) + "\(roster.count) outlets\n")
            print(table.render().joined(separator: "\n"))
            ProcessLifetime.keep(roster)
        }
    }
}

struct BansCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bans", abstract: "Institutions barred from applying on a date (Art. 19).")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var query: QueryOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (_, date, view) = try query.projections(options)
        let bans = view.projection.bans(on: date)
        if json {
            print(QueryDocument.bans(view, asOf: date).canonicalString)
            return
        }
        var table = TextTable(["USCC", "名称", "事由", "自", "至"])
        for ban in bans {
            table.add([ban.uscc.code, ban.name, ban.ground.rawValue, ban.from.description, ban.through.description])
        }
        print(ProjectionText.header("bans 资格限制", date: date, view: view) + "\(bans.count) barred\n")
        print(table.render().joined(separator: "\n"))
    }
}

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The expiry calendar 到期日历: every dated obligation from D1 to D2.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var query: QueryOptions
    @Option(help: "The first day (YYYY-MM-DD).") var from: String
    @Option(help: "The last day (YYYY-MM-DD).") var to: String
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "CSV only: begin with a UTF-8 byte order mark, for spreadsheet programs.") var bom = false

    func run() throws {
        let (first, last) = try QueryDocument.range(from: from, to: to, names: ("--from", "--to"))
        let (_, date, view) = try query.projections(options)
        let calendar = view.projection.calendar(from: first, to: last, asOf: date)
        Output.warn(calendar.warnings)
        switch json ? .json : format {
        case .json:
            print(QueryDocument.calendar(view, asOf: date, from: first, to: last, entries: calendar.entries).canonicalString)
        case .csv:
            var output = try Output(path: nil)
            CSV.header(["date", "kind", "uscc", "name"], bom: bom, to: &output)
            CSV.lines(calendar.entries, to: &output) { entry, row in
                row.cell(entry.date)
                row.cell(entry.kind.rawValue)
                row.cell(entry.uscc.code)
                row.cell(entry.name)
            }
            output.flush()
        case .table:
            var table = TextTable(["日期", "事项", "USCC", "名称"])
            for entry in calendar.entries {
                table.add([entry.date.description, entry.kind.rawValue, entry.uscc.code, entry.name])
            }
            print("calendar 到期日历 \(first) to \(last), ledger at seq \(view.position.seq): \(calendar.entries.count) entries\n")
            print(table.render().joined(separator: "\n"))
        }
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild every projection from the log alone; print the event count, the time taken and the projection digest.",
        discussion: "The digest is the SHA-256 of the canonical JSON {asOf, roster, bans, calendar} on D, the calendar covering D to D + 1 year.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var query: QueryOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let (_, date, view) = try query.projections(options, useSnapshots: false)
        let seconds = Double(view.elapsed.components.seconds) + Double(view.elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(view.projection.eventCount) / seconds) : 0
        if json {
            ProjectionText.printJSON(view, asOf: date, [
                "events": .integer(Int64(view.projection.eventCount)), "milliseconds": .integer(Int64(seconds * 1000)),
            ])
            return
        }
        print("""
            replayed \(view.projection.eventCount) events to seq \(view.position.seq) in \(String(format: "%.3f", seconds)) s (\(rate) events/s)
            chain hash at seq \(view.position.seq): \(view.position.hash)
            projection digest as of \(date): \(view.digest(asOf: date))
            """)
    }
}

/// How projections are printed: which date and which ledger position they come from, always.
enum ProjectionText {
    /// `{asOf, knownAt, seq, hash, digest}` and the projection's own members, as one canonical JSON line.
    static func printJSON(_ view: ProjectionView, asOf date: LocalDate, _ members: JSONObject) {
        print(QueryDocument.document(view, asOf: date, members).canonicalString)
    }

    /// The first line of a projection table.
    static func header(_ title: String, date: LocalDate, view: ProjectionView) -> String {
        "\(title) as of \(date), ledger at seq \(view.position.seq) (known at \(view.position.recordedAt ?? "the start")): "
    }
}
