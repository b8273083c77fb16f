/// Years, ascending and each once: the annual summaries a roster entry shows as overdue (Art. 18). Kept as
/// bits beside a first year where they fit, so that every entry of a roster holds its years without an
/// allocation of its own (most outlets of a long registry owe one); as a list otherwise.
public struct YearSet: Sequence, Equatable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private enum Storage: Sendable {
        /// Bit `y - base` set: `y` is in the set.
        case bits(base: Int16, mask: UInt32)
        case listed([Int])
    }

    private let storage: Storage

    /// The years `base + b` for each bit `b` of `mask`.
    init(base: Int16, mask: UInt32) {
        storage = .bits(base: base, mask: mask)
    }

    /// These years, in any order, each kept once.
    public init(_ years: some Sequence<Int>) {
        var listed: [Int] = []
        for year in years.sorted() where listed.last != year { listed.append(year) }
        storage = .listed(listed)
    }

    public init(arrayLiteral years: Int...) {
        self.init(years)
    }

    public var isEmpty: Bool { count == 0 }

    public var count: Int {
        switch storage {
        case .bits(_, let mask): mask.nonzeroBitCount
        case .listed(let years): years.count
        }
    }

    public var underestimatedCount: Int { count }

    public struct Iterator: IteratorProtocol {
        fileprivate var base: Int
        fileprivate var mask: UInt32
        fileprivate var listed: IndexingIterator<[Int]>?

        public mutating func next() -> Int? {
            if listed != nil { return listed!.next() }
            guard mask != 0 else { return nil }
            defer { mask &= mask - 1 }
            return base + mask.trailingZeroBitCount
        }
    }

    public func makeIterator() -> Iterator {
        switch storage {
        case .bits(let base, let mask): Iterator(base: Int(base), mask: mask, listed: nil)
        case .listed(let years): Iterator(base: 0, mask: 0, listed: years.makeIterator())
        }
    }

    /// The same years, however each set keeps them.
    public static func == (lhs: YearSet, rhs: YearSet) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }

    public var description: String { "\(Array(self))" }
}
