import Dispatch

/// `body` over `0..<count` cut in shares of about `size` items, run on every core (Dispatch), the shares'
/// results in order; fewer than two shares' worth runs on the calling thread (always, for a `size` of
/// `.max`). For the work over a whole roster or calendar, where each item reads its own state: memory
/// latency, not arithmetic, bounds it, and two cores wait for twice as many cache lines as one.
package func inShares<Result>(_ count: Int, of size: Int, _ body: @Sendable (Range<Int>) -> Result) -> [Result] {
    guard count / 2 >= size else { return [body(0..<count)] }
    let shares = count / size
    return [Result](unsafeUninitializedCapacity: shares) { buffer, initialized in
        // Each share initializes its own element and nothing else.
        nonisolated(unsafe) let results = buffer
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            (results.baseAddress! + share).initialize(to: body((count * share / shares)..<(count * (share + 1) / shares)))
        }
        initialized = shares
    }
}

/// `element(i)` for each `i` in `0..<count`, worked in shares as `inShares` works them, each share putting
/// its elements straight into their places in the one array (not an array per share joined after: a copy
/// of an element that holds references is their reference counts).
package func elementsInShares<Element>(_ count: Int, of size: Int, _ element: @Sendable (Int) -> Element) -> [Element] {
    elementsInShares(count, of: size, sharing: {}) { index, _ in element(index) }
}

/// `elementsInShares`, each share making `shared()` once and lending it to each of its elements: an object
/// the elements hold in common, one per share rather than one for all, whose reference count the core that
/// builds the share moves in its own cache (one for all, two cores would pass its line between them for
/// every element).
package func elementsInShares<Element, Shared>(_ count: Int, of size: Int, sharing shared: @Sendable () -> Shared,
                                               _ element: @Sendable (Int, Shared) -> Element) -> [Element] {
    [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        // Each share initializes its own slice of the buffer and nothing else.
        nonisolated(unsafe) let elements = buffer
        _ = inShares(count, of: size) { share in
            let common = shared()
            for index in share { (elements.baseAddress! + index).initialize(to: element(index, common)) }
        }
        initialized = count
    }
}
