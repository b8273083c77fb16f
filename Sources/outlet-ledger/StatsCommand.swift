import ArgumentParser
import CanonicalJSON
import OutletDomain
import OutletLedger
import OutletProjections

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "The bureau's statistics (Art. 10): outlets by category, district and level; applications by stage; annual-summary compliance; revocations and bars per year.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var query: QueryOptions
    @Option(help: "table, json or csv.") var format: OutputFormat = .table
    @Flag(help: "Same as --format json.") var json = false
    @Flag(help: "CSV only: begin with a UTF-8 byte order mark, for spreadsheet programs.") var bom = false

    func run() throws {
        let (ledger, date, view) = try query.projections(options)
        let statistics = view.projection.statistics(on: date)
        var rows: [(String, String, String)] = []
        for category in Category.allCases { rows.append(("outlets by category", category.chineseName, String(statistics.outletsByCategory[category] ?? 0))) }
        for district in ledger.policy.districts { rows.append(("outlets by district", district.name, String(statistics.outletsByDistrict[district.code] ?? 0))) }
        for level in [RosterEntry.Level.municipal, .provincial, .national] { rows.append(("outlets by level", level.rawValue, String(statistics.outletsByLevel[level] ?? 0))) }
        for stage in StatusReport.Stage.allCases { rows.append(("applications by stage", stage.rawValue, String(statistics.applicationsByStage[stage] ?? 0))) }
        for summary in statistics.summaries { rows.append(("annual summaries filed/owed", String(summary.year), "\(summary.filed)/\(summary.owed)")) }
        for year in statistics.revocationsByYear.keys.sorted() { rows.append(("revocations", String(year), String(statistics.revocationsByYear[year]!))) }
        for year in statistics.barsByYear.keys.sorted() { rows.append(("bars", String(year), String(statistics.barsByYear[year]!))) }
        switch json ? .json : format {
        case .json:
            print(QueryDocument.statistics(view, asOf: date).canonicalString)
        case .csv:
            var output = try Output(path: nil)
            CSV.header(["section", "key", "value"], bom: bom, to: &output)
            for row in rows { CSV.line([row.0, row.1, row.2], to: &output) }
            output.flush()
        case .table:
            var table = TextTable(["SECTION", "KEY", "VALUE"])
            for row in rows { table.add([row.0, row.1, row.2]) }
            print("statistics as of \(date), ledger at seq \(view.position.seq)\n")
            print(table.render().joined(separator: "\n"))
        }
    }
}
