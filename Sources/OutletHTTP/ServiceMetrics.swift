import Foundation
import Synchronization

/// What `/metrics` says, in the Prometheus text format: requests by route and status, the latency of
/// appends, and the ledger's head. Kept by hand — a few counters do not need a metrics backend.
public final class ServiceMetrics: Sendable {
    /// Upper bounds of the append latency histogram, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private struct State {
        var requests: [String: [Int: Int]] = [:]
        var appendCounts = [Int](repeating: 0, count: ServiceMetrics.buckets.count + 1)
        var appendSum = 0.0
        var appendEvents = 0
    }

    private let state = Mutex(State())

    public init() {}

    func request(route: String, status: Int) {
        state.withLock { $0.requests[route, default: [:]][status, default: 0] += 1 }
    }

    func append(seconds: Double, events: Int) {
        state.withLock { state in
            let bucket = Self.buckets.firstIndex { seconds <= $0 } ?? Self.buckets.count
            state.appendCounts[bucket] += 1
            state.appendSum += seconds
            state.appendEvents += events
        }
    }

    func text(headSeq: Int64) -> String {
        let state = self.state.withLock { $0 }
        var lines = [
            "# HELP outlet_http_requests_total HTTP requests answered, by route and status.",
            "# TYPE outlet_http_requests_total counter",
        ]
        for route in state.requests.keys.sorted() {
            for status in state.requests[route]!.keys.sorted() {
                lines.append("outlet_http_requests_total{route=\"\(Self.escape(route))\",status=\"\(status)\"} \(state.requests[route]![status]!)")
            }
        }
        lines += ["# HELP outlet_append_seconds Time to decide and durably commit one append request.", "# TYPE outlet_append_seconds histogram"]
        var cumulative = 0
        for (index, bound) in Self.buckets.enumerated() {
            cumulative += state.appendCounts[index]
            lines.append("outlet_append_seconds_bucket{le=\"\(bound)\"} \(cumulative)")
        }
        cumulative += state.appendCounts[Self.buckets.count]
        lines += [
            "outlet_append_seconds_bucket{le=\"+Inf\"} \(cumulative)", "outlet_append_seconds_sum \(state.appendSum)", "outlet_append_seconds_count \(cumulative)",
            "# HELP outlet_appended_events_total Events appended through the service.", "# TYPE outlet_appended_events_total counter",
            "outlet_appended_events_total \(state.appendEvents)",
            "# HELP outlet_ledger_head_seq The seq of the ledger's newest event.", "# TYPE outlet_ledger_head_seq gauge",
            "outlet_ledger_head_seq \(headSeq)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
