import Foundation
import OutletLedger

/// A whole process, timed, with its peak resident memory from the kernel (`wait4`'s rusage).
struct ChildRun {
    let seconds: Double
    let peakRSSKiB: Int
    let status: Int32
    let stdout: String

    /// Runs `executable` with `arguments`; stdout is captured (to a file, so a large output cannot block).
    static func run(_ executable: String, _ arguments: [String], scratch: String) -> ChildRun {
        let output = scratch + "/child-\(getpid()).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
            return ChildRun(seconds: 0, peakRSSKiB: 0, status: -1, stdout: "")
        }
        // rusage's ru_maxrss would not do: posix_spawn shares this process's memory until exec, and
        // Linux carries that high-water mark into the child's. The child's own VmHWM is read instead.
        let peak = PeakWatcher(pid: pid)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output)
        return ChildRun(seconds: seconds, peakRSSKiB: peak.stop(), status: (status >> 8) & 0xFF, stdout: text)
    }
}

/// Polls /proc/PID/status for VmHWM (the process's own peak RSS) every 2 ms until stopped.
final class PeakWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(pid: pid_t) {
        let path = "/proc/\(pid)/status"
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                if let status = try? String(contentsOfFile: path, encoding: .utf8),
                   let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                   let kib = line.split(separator: " ").compactMap({ Int($0) }).first
                {
                    lock.withLock { peak = max(peak, kib) }
                }
                usleep(2_000)
            }
            done.signal()
        }
    }

    /// The highest VmHWM seen, in KiB.
    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }
}

/// Medians and tail percentiles of latencies (nearest rank).
struct Sample {
    private(set) var values: [Double] = []

    mutating func add(_ value: Double) {
        values.append(value)
    }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    var median: Double { percentile(50) }
}

/// Seconds of a Duration.
extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// This process's peak resident memory so far.
func selfPeakRSSKiB() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss)
}

/// This process's resident memory once malloc has handed its free pages back (`FreePages`): after a load minus
/// before it, what the loaded structure occupies, not the temporaries the load freed.
func trimmedResidentBytes() -> Int {
    precondition(FreePages.handBack(), "jemalloc purges its arenas")
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let residentPages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return residentPages * sysconf(Int32(_SC_PAGESIZE))
}
