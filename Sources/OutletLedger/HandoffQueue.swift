import Foundation

/// A bounded queue between two threads: `push` waits while it is full, `pop` while it is empty; once
/// closed, whatever waits is dropped and `push` says so (the other side has stopped listening).
final class HandoffQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// False if the queue was closed: nothing will take the element.
    func push(_ element: consuming Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// The oldest element, waiting for one (the pushing side always ends with a last element).
    func pop() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        condition.broadcast()
        return items.removeFirst()
    }

    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// One long piece of work on a thread of its own, with room to recurse (parsing and schema checks descend
/// into payloads: a thread's default half megabyte is not always enough); `join` waits for it to end.
struct WorkerThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(name: String? = nil, _ work: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            work()
            done.signal()
        }
        thread.stackSize = 16 << 20
        if let name { thread.name = name }
        thread.start()
    }

    /// Returns once the work has ended (called once).
    func join() {
        done.wait()
    }
}
