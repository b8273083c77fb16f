import Foundation
import OutletDomain

/// The benchmark's table, with the machine it ran on and the peer's figures beside ours.
struct Report {
    let events: Int
    var institutions = 0
    var rows: [(measure: String, figure: String, note: String)] = []
    var notes: [String] = []
    var replayPeakRSSKiB = 0
    var peer: PeerFigures?
    var peerPeakRSSKiB = 0
    var ours: (rate: Double, importRate: Double, appendP50: Double, appendP99: Double)?

    mutating func add(_ measure: String, _ figure: String, _ note: String = "") {
        rows.append((measure, figure, note))
    }

    func markdown(today: LocalDate) -> String {
        var lines = [
            "# Benchmark results",
            "",
            "`tools/bench/run --events \(events)` on \(today) (Asia/Shanghai; \(Self.now()) UTC), \(Self.machine()).",
            "Synthetic history: \(events) events of \(institutions) institutions, 2014 → today (`SyntheticRegistry`, seed 2014).",
            "",
            "| measure | figure | note |",
            "|---|---|---|",
        ]
        lines += rows.map { "| \($0.measure) | \($0.figure) | \($0.note) |" }
        if let peer, let ours {
            lines += [
                "",
                "## Peer: Python `\(peer.library)`, SQLite persistence (tools/bench/peer.py)",
                "",
                "| measure | outlet-ledger | peer | ours / peer |",
                "|---|---|---|---|",
                "| import, events/s (higher is better) | \(Int(ours.importRate)) | \(Int(peer.importRate)) | \(fmt(ours.importRate / peer.importRate))× |",
                "| single append p50, ms (lower is better) | \(fmt(ours.appendP50)) | \(fmt(peer.appendP50)) | \(fmt(ours.appendP50 / peer.appendP50))× |",
                "| single append p99, ms (lower is better) | \(fmt(ours.appendP99)) | \(fmt(peer.appendP99)) | \(fmt(ours.appendP99 / peer.appendP99))× |",
                "| full replay, events/s (higher is better) | \(Int(ours.rate)) | \(Int(peer.replayRate)) | \(fmt(ours.rate / peer.replayRate))× |",
                "| peak RSS | \(mib(replayPeakRSSKiB)) (replay process) | \(mib(peerPeakRSSKiB)) (whole peer run) | |",
                "",
                "The peer stores the same events (as one aggregate per institution, batches of 10,000 per transaction),",
                "appends the same single events (the same new applications: type, date and payload, each saved alone",
                "with SQLite's default synchronous=FULL in WAL mode, as ours), and replays its whole store through its own mapper into",
                "aggregates; it checks no rules and keeps no hash chain.",
            ]
        }
        if !notes.isEmpty { lines += [""] + notes.map { "- \($0)" } }
        return lines.joined(separator: "\n") + "\n"
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }

    /// CPU model, cores and memory, from /proc.
    static func machine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kib = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }?
            .split(separator: " ").compactMap { Int($0) }.first ?? 0
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(kib / 1_048_576) GiB"
    }
}

/// What tools/bench/peer.py prints.
struct PeerFigures: Decodable {
    let library: String
    let events: Int
    let importRate: Double
    let appendP50: Double
    let appendP99: Double
    let replayed: Int
    let replayRate: Double
}
