import ArgumentParser
import OutletDomain
import OutletLedger
import OutletCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new, empty ledger with its policy (never overwrites an existing file).",
        discussion: "The policy (periods, period rule, districts) is stored in the ledger and fixed from then on; see `outlet-ledger policy`.")

    @OptionGroup var options: LedgerOptions

    @Option(help: "A policy JSON file (default: the bundled policy; see `outlet-ledger policy --json` for its shape).")
    var policy: String?
    @Option(name: .customLong("period-rule"), help: "How periods are counted: civil-code (default) or inclusive-calendar.")
    var periodRule: String?
    @Option(help: "The log's origin in its signed checkpoints (e.g. outlets.shenyang.example/registry), fixed with the policy.")
    var origin: String?

    func run() throws {
        var chosen = try policy.map { path throws(LedgerError) in try RegistryData.policy(file: path) } ?? (try RegistryData.defaultPolicy)
        if let periodRule {
            guard let rule = PeriodRule(rawValue: periodRule) else {
                throw ValidationError("--period-rule is civil-code or inclusive-calendar, not \(periodRule)")
            }
            chosen.periodRule = rule
        }
        if let origin {
            chosen.origin = origin
            do {
                try chosen.validate()
            } catch {
                throw LedgerError(.invalidInput, "--origin: \(error)")
            }
        }
        // At init, a holiday file is not a what-if: it is the data the ledger starts with (its genesis).
        let holidays = try options.holidays.map { file throws(LedgerError) in try RegistryData.holidayYears(file: file) }
            ?? (try RegistryData.bundledHolidayYears)
        let ledger = try Ledger.create(at: options.path, policy: chosen, holidays: holidays)
        print("created ledger \(ledger.store.location) (period rule \(chosen.periodRule.rawValue))")
    }
}

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Print the policy the chain adopted, and the holiday years in force with the seq that recorded each.")

    @OptionGroup var options: LedgerOptions

    @Flag(help: "Print the policy as JSON.") var json = false

    func run() throws {
        let ledger = try options.open(readonly: true)
        let policy = ledger.policy
        if json {
            print(String(decoding: policy.encoded(), as: UTF8.self))
            return
        }
        let calendar = ledger.periods.calendar
        var table = TextTable(["value", "setting"])
        table.add(["publicity window 公示期", "\(policy.publicityDays) days (Art. 6(3))"])
        table.add(["validity 有效期", "\(policy.validityYears) years (Art. 16)"])
        table.add(["renewal window 延续", "\(policy.renewalWindowDays) days before the last valid day (Art. 16)"])
        table.add(["rectification 整改", "\(policy.rectificationMonths) months (Art. 18)"])
        table.add(["bar 三年内不接受申请", "\(policy.barYears) years (Art. 19)"])
        table.add(["period rule", policy.periodRule.rawValue])
        table.add(["city bureau unit", policy.cityBureauUnit])
        table.add(["checkpoint origin", policy.origin ?? "not fixed by the policy: the first signed checkpoint fixes it"])
        table.add(["districts (Art. 4(1))", policy.districts.map { "\($0.code) \($0.name)" }.joined(separator: ", ")])
        table.add(["snapshots", policy.snapshotEvery == 0 ? "never automatic" : "automatic every \(policy.snapshotEvery) events, or every 1/\(Ledger.snapshotShareOfLog) of the log once that is more"])
        let reference = ledger.reference
        if let policySeq = reference.policySeq {
            table.add(["recorded", "policy-adopted at seq \(policySeq) (the genesis)"])
            let head = try ledger.store.head().seq
            let inForce = reference.holidayYears(atSeq: head)
            for year in inForce {
                let seq = reference.years.last { $0.data == year }?.seq ?? 0
                table.add(["holidays \(year.year)", "\(year.source) (holiday-calendar-published at seq \(seq))"])
            }
        } else {
            table.add(["recorded", "not yet in the chain: the first append records it (the genesis)"])
            table.add(["holiday data", "\(calendar.source); years \(calendar.coveredYears.sorted().map(String.init).joined(separator: ", "))"])
        }
        if let whatIf = ledger.whatIfHolidays {
            table.add(["what-if holidays", "\(whatIf.calendar.source) (\(WhatIfHolidays.label(whatIf))): queries only"])
        }
        print(table.render(withHeaders: false).joined(separator: "\n"))
    }
}
