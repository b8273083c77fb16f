import Foundation
import OutletCore
import Synchronization

/// An import on two cores (issue #13): one thread reads the next chunk and checks it (parsing, schemas,
/// text rules, canonical encoding: nothing that depends on the log), while the caller's thread decides
/// and writes the chunk before it (sequencing, the rules, the chain, the insert). At most `depth` checked
/// chunks wait between them, so memory holds a few chunks, never the file.
///
/// A chunk, once decided, goes back to the reading thread to be freed there: it was allocated there, and
/// freed on the deciding thread (the bound) it cost that thread a tenth of its time, more with glibc's
/// locks on another thread's arena.
///
/// Errors come out as a reader in one pass meets them: chunk by chunk, in order; the reading thread's error
/// is thrown only once every chunk before it is decided, and a refusal by the deciding side stops the reader.
enum ImportPipeline {
    /// A chunk as offered, with each candidate checked.
    struct CheckedChunk: Sendable {
        let candidates: [Candidate]
        let checked: [CheckedEvent]
    }

    /// What the reading thread hands over.
    private enum Handoff: Sendable {
        case chunk(CheckedChunk)
        case failed(LedgerError)
        case end
    }

    static let depth = 1

    /// Reads chunks with `next` and checks them with `checker` on another thread, handing each, in order, to
    /// `decide` on this one. `decide` may take further chunks itself with the function it is given.
    static func run(reading next: () throws(LedgerError) -> [Candidate]?, checker: CandidateChecker,
                    decide: (CheckedChunk, _ more: () throws(LedgerError) -> CheckedChunk?) throws(LedgerError) -> Void) throws(LedgerError)
    {
        try withoutActuallyEscaping(next) { next throws(LedgerError) in
            let queue = HandoffQueue<Handoff>(capacity: depth)
            // Only the reading thread calls `next`, through a slot emptied once that thread is done: the thread
            // object may outlive its work, and `next` must not outlive this call.
            let slot = ReadingSlot(next)
            let spent = Mutex<[CheckedChunk]>([])
            let reader = WorkerThread {
                while true {
                    // Freed here, on the thread that made them (outside the lock), before the next chunk is read.
                    var freed: [CheckedChunk] = []
                    spent.withLock { swap(&$0, &freed) }
                    freed.removeAll()
                    let handoff: Handoff
                    do throws(LedgerError) {
                        guard let candidates = try slot.read() else {
                            _ = queue.push(.end)
                            return
                        }
                        handoff = .chunk(try check(candidates, with: checker))
                    } catch {
                        _ = queue.push(.failed(error))
                        return
                    }
                    guard queue.push(handoff) else { return }
                }
            }
            defer {
                queue.close()
                reader.join()
                slot.empty()
            }
            var ended = false
            func take() throws(LedgerError) -> CheckedChunk? {
                guard !ended else { return nil }  // the reading thread is gone: nothing more will come
                switch queue.pop() {
                case .chunk(let chunk): return chunk
                case .failed(let error): throw error
                case .end:
                    ended = true
                    return nil
                }
            }
            while let chunk = try take() {
                try decide(chunk, take)
                spent.withLock { $0.append(chunk) }
            }
        }
    }

    /// Every candidate of a chunk checked, or the first refusal, located in the chunk.
    static func check(_ candidates: [Candidate], with checker: CandidateChecker) throws(LedgerError) -> CheckedChunk {
        CheckedChunk(candidates: candidates, checked: try Ledger.checkForm(of: candidates, with: checker))
    }
}

/// The reading function, handed to the reading thread and taken back from it.
private final class ReadingSlot: @unchecked Sendable {
    private var next: (() throws(LedgerError) -> [Candidate]?)?

    init(_ next: @escaping () throws(LedgerError) -> [Candidate]?) {
        self.next = next
    }

    /// Called by the reading thread alone, before `empty`.
    func read() throws(LedgerError) -> [Candidate]? {
        guard let next else { preconditionFailure("the reading thread reads only until the pipeline ends") }
        return try next()
    }

    /// Called once the reading thread has ended.
    func empty() {
        next = nil
    }
}
