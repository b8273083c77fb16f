import Foundation

/// The allocator's free pages handed back to the system. Memory a thread frees stays with its arena (under
/// jemalloc, the executables' allocator on Linux: see Package.swift) until it decays, seconds later, and
/// another thread's allocations do not reuse it: what one phase of a long job freed on one thread and the
/// next phase allocates on others are then both resident at once.
public enum FreePages {
    /// Under jemalloc every arena is purged (after this thread's cache of freed pieces); under glibc's malloc,
    /// `malloc_trim` (which Swift's Glibc module leaves out).
    /// - Returns: false if jemalloc refused either step (its pages may still be resident).
    @discardableResult
    public static func handBack() -> Bool {
        if let mallctl = dlsym(nil, "mallctl") {
            typealias Control = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                                                UnsafeMutableRawPointer?, Int) -> Int32
            let control = unsafeBitCast(mallctl, to: Control.self)
            // 4096: jemalloc's MALLCTL_ARENAS_ALL.
            return control("thread.tcache.flush", nil, nil, nil, 0) == 0 && control("arena.4096.purge", nil, nil, nil, 0) == 0
        } else if let symbol = dlsym(nil, "malloc_trim") {
            _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
        }
        return true
    }
}
