/// The years an outlet owes an annual summary it has not filed (Art. 18), as bits that lie in its state.
/// Every roster entry asks which summaries are overdue; the roster spells and the filed years are arrays,
/// each an object of its own on the heap and a cache miss per entry (a fifth of what an entry cost). Worked
/// out from them whenever either changes, so it is never more than their summary: where the bits cannot
/// say (`unfiled(through:)` is nil), the spells are asked.
public struct SummaryYearBits: Sendable {
    /// False when the spells span more years than the bits hold.
    private var answers = true
    /// The last spell has no end (an inclusion): it owes a summary for every year after the bits too.
    private var openEnded = false
    /// The year of bit 0: the earliest spell's.
    private var base: Int16 = 0
    /// Bit `y - base`: the outlet is on the roster on `y`-12-31, as its spells run to their ends, and the
    /// summary for `y` is not filed. (Eight bytes in all: every version of every timeline holds them.)
    private var owedUnfiled: UInt32 = 0

    private static let years = UInt32.bitWidth

    public init() {}

    /// The bits of these spells and filed years.
    public init(spells: [InstitutionState.RosterSpell], filed filedYears: [Int]) {
        guard let first = spells.lazy.map(\.from.year).min() else { return }  // never on the roster: nothing is owed
        base = Int16(first)
        var owed: UInt32 = 0
        for spell in spells {
            let from = spell.from.year - first
            guard let through = spell.through else {
                guard from < Self.years else { answers = false; return }
                owed |= Self.bits(from..<Self.years)
                openEnded = true
                continue
            }
            // A spell runs through the 12-31 of each year from its first to the year before its end's; of its
            // end's year only if it ends on that 12-31 (DOMAIN.md §3: no summary for the year an outlet left).
            let last = InstitutionState.lastYearEnd(onOrBefore: through) - first
            guard from <= last else { continue }
            guard last < Self.years else { answers = false; return }
            owed |= Self.bits(from..<(last + 1))
        }
        var filed: UInt32 = 0
        for year in filedYears where (0..<Self.years).contains(year - first) {
            filed |= 1 << UInt32(year - first)
        }
        owedUnfiled = owed & ~filed
    }

    /// The years owed a summary up to `date` whose summary is not filed; nil when the bits cannot say (spells
    /// over more years than the bits, or a date past them with a spell still open).
    public func unfiled(through date: LocalDate) -> YearSet? {
        guard answers else { return nil }
        let span = InstitutionState.lastYearEnd(onOrBefore: date) - Int(base)
        var due = owedUnfiled
        if span < 0 {
            due = 0
        } else if span < Self.years - 1 {
            due &= Self.bits(0..<(span + 1))
        } else if openEnded && span >= Self.years {
            return nil
        }
        return YearSet(base: base, mask: due)
    }

    /// Bits `range` set (within 0 ..< 32).
    private static func bits(_ range: Range<Int>) -> UInt32 {
        guard !range.isEmpty else { return 0 }
        let high: UInt32 = range.upperBound >= years ? ~0 : (1 << UInt32(range.upperBound)) - 1
        return high & ~((1 << UInt32(range.lowerBound)) - 1)
    }
}
