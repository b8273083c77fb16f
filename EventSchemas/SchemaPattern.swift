import Foundation

/// A schema's `pattern` (ECMA-262, as JSON Schema says), matched without Foundation for the plain kind
/// the ledger's schemas use — anchors, literals, classes, groups, alternatives and quantifiers — by
/// running its automaton over the text's Unicode scalars (Thompson's construction: time linear in the
/// text whatever the pattern, so no input can make a check backtrack for ever). NSRegularExpression cost
/// a tenth of an append, bridging each string to NSString. Anything beyond that kind (look-arounds,
/// back-references, `.`, `\d`-like classes — ICU's are Unicode-wide, ECMA's are ASCII — and lazy
/// quantifiers) is left to NSRegularExpression, which also refuses what is not a pattern at all. `$` is
/// the end of the text, as in ECMA-262 (ICU's would also match before a final line break).
struct SchemaPattern: @unchecked Sendable {
    let source: String
    private let automaton: Automaton?
    /// The automaton's states stepped ahead for every ASCII character: a text of ASCII alone (identifiers,
    /// dates, codes: nearly every patterned string) is matched a table lookup per character.
    private let table: AsciiTable?
    private let regex: NSRegularExpression?

    init(_ source: String) throws {
        self.source = source
        var parser = Parser(scalars: Array(source.unicodeScalars))
        if let alternatives = parser.parseWhole(), let automaton = Compiler.automaton(of: alternatives) {
            self.automaton = automaton
            table = automaton.asciiTable()
            regex = nil
        } else {
            automaton = nil
            table = nil
            regex = try NSRegularExpression(pattern: source)
        }
    }

    /// Whether this pattern is matched here, not by NSRegularExpression (for tests).
    var isPlain: Bool { automaton != nil }
    var hasAsciiTable: Bool { table != nil }

    /// Whether the pattern matches somewhere in `text` (JSON Schema's patterns are not anchored unless they say so).
    func matches(_ text: String) -> Bool {
        if let table, let verdict = table.matches(text.utf8) { return verdict }
        if let automaton { return automaton.matches(text.unicodeScalars) }
        guard let regex else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// A set of scalars: inclusive ranges, or everything outside them.
    struct ScalarSet {
        var ranges: [ClosedRange<UInt32>]
        var negated = false
    }

    indirect enum Atom {
        case scalars(ScalarSet)
        case group([[Piece]])
        case start
        case end
    }

    /// An atom repeated `min` to `max` times.
    struct Piece {
        let atom: Atom
        let min: Int
        let max: Int
    }

    /// Builds the automaton: the pattern as states (a scalar of a set, a fork, an anchor, or the match).
    private struct Compiler {
        enum State {
            case scalar(ScalarSet, next: Int)
            case fork([Int])
            case start(next: Int)
            case end(next: Int)
            case match
        }

        /// Counted repeats are written out: a pattern that would need more states than this is left to ICU.
        static let mostStates = 4_096
        private var states: [State] = [.match]

        static func automaton(of alternatives: [[Piece]]) -> Automaton? {
            var compiler = Compiler()
            guard let entry = compiler.compile(alternatives, then: 0) else { return nil }
            return Automaton(states: compiler.states, entry: entry)
        }

        private mutating func add(_ state: State) -> Int? {
            guard states.count < Self.mostStates else { return nil }
            states.append(state)
            return states.count - 1
        }

        /// Builds back to front: each part is given the state that follows it.
        private mutating func compile(_ alternatives: [[Piece]], then next: Int) -> Int? {
            var entries: [Int] = []
            for pieces in alternatives {
                var entry = next
                for piece in pieces.reversed() {
                    guard let before = compile(piece, then: entry) else { return nil }
                    entry = before
                }
                entries.append(entry)
            }
            return entries.count == 1 ? entries[0] : add(.fork(entries))
        }

        private mutating func compile(_ piece: Piece, then next: Int) -> Int? {
            var entry = next
            if piece.max == .max {
                // A loop: the fork goes round once more or on.
                guard let loop = add(.fork([])), let body = compile(piece.atom, then: loop) else { return nil }
                states[loop] = .fork([body, next])
                entry = loop
            } else {
                // The optional copies, each of which may be the last.
                for _ in 0..<(piece.max - piece.min) {
                    guard let body = compile(piece.atom, then: entry), let fork = add(.fork([body, next])) else { return nil }
                    entry = fork
                }
            }
            for _ in 0..<piece.min {
                guard let body = compile(piece.atom, then: entry) else { return nil }
                entry = body
            }
            return entry
        }

        private mutating func compile(_ atom: Atom, then next: Int) -> Int? {
            switch atom {
            case .scalars(let set): add(.scalar(set, next: next))
            case .start: add(.start(next: next))
            case .end: add(.end(next: next))
            case .group(let alternatives): compile(alternatives, then: next)
            }
        }
    }

    /// The compiled states as arrays of plain values, for the walk: no reference counting in it.
    private struct Automaton {
        enum Kind: UInt8 { case scalar, fork, start, end, match }

        let entry: Int
        let kinds: [Kind]
        /// A scalar's, an anchor's: the state after it. A fork's: its first target in `targets`.
        let nexts: [Int]
        /// A fork's targets, `targets[nexts[state]..<nexts[state] + forkSizes[state]]`.
        let forkSizes: [Int]
        let targets: [Int]
        /// A scalar state's ranges, `ranges[firstRange[state]..<firstRange[state + 1]]`.
        let firstRange: [Int]
        let ranges: [ClosedRange<UInt32>]
        let negated: [Bool]

        init(states: [Compiler.State], entry: Int) {
            self.entry = entry
            var kinds: [Kind] = [], nexts: [Int] = [], forkSizes: [Int] = [], targets: [Int] = []
            var firstRange: [Int] = [], ranges: [ClosedRange<UInt32>] = [], negated: [Bool] = []
            for state in states {
                firstRange.append(ranges.count)
                var size = 0, isNegated = false
                switch state {
                case .scalar(let set, let next):
                    kinds.append(.scalar)
                    nexts.append(next)
                    ranges += set.ranges
                    isNegated = set.negated
                case .fork(let forked):
                    kinds.append(.fork)
                    nexts.append(targets.count)
                    targets += forked
                    size = forked.count
                case .start(let next):
                    kinds.append(.start)
                    nexts.append(next)
                case .end(let next):
                    kinds.append(.end)
                    nexts.append(next)
                case .match:
                    kinds.append(.match)
                    nexts.append(0)
                }
                forkSizes.append(size)
                negated.append(isNegated)
            }
            firstRange.append(ranges.count)
            (self.kinds, self.nexts, self.forkSizes, self.targets) = (kinds, nexts, forkSizes, targets)
            (self.firstRange, self.ranges, self.negated) = (firstRange, ranges, negated)
        }

        func accepts(_ scalar: Unicode.Scalar, at state: Int) -> Bool {
            var inside = false
            for index in firstRange[state]..<firstRange[state + 1] where ranges[index].contains(scalar.value) {
                inside = true
                break
            }
            return inside != negated[state]
        }

        /// Follows `pending` without reading — forks, and anchors where they hold — to the scalar states, added
        /// to `active`; each state is visited once, marked in `seen` with `mark`. True as soon as the match is
        /// reached (then `active` is left incomplete: nothing after a match is read).
        private func close(_ pending: inout [Int], seen: inout [Int], mark: Int, atStart: Bool, atEnd: Bool,
                           into active: inout [Int]) -> Bool
        {
            while let state = pending.popLast() {
                guard seen[state] != mark else { continue }
                seen[state] = mark
                switch kinds[state] {
                case .match: return true
                case .scalar: active.append(state)
                case .fork: pending.append(contentsOf: targets[nexts[state]..<nexts[state] + forkSizes[state]])
                case .start: if atStart { pending.append(nexts[state]) }
                case .end: if atEnd { pending.append(nexts[state]) }
                }
            }
            return false
        }

        /// Where reading `scalar` in the scalar states `active` leads, added to `stepped`.
        private func step(_ active: [Int], reading scalar: Unicode.Scalar, into stepped: inout [Int]) {
            for state in active where accepts(scalar, at: state) { stepped.append(nexts[state]) }
        }

        /// The scalar states reachable from `states` and a new start (a match may begin anywhere) without
        /// reading, and whether the match is among them, at the start and end of the text or neither.
        private func closure(of states: [Int], atStart: Bool, atEnd: Bool) -> (scalarStates: [Int], matched: Bool) {
            var pending = states + [entry], seen = [Int](repeating: -1, count: kinds.count), scalarStates: [Int] = []
            let matched = close(&pending, seen: &seen, mark: 0, atStart: atStart, atEnd: atEnd, into: &scalarStates)
            return (scalarStates.sorted(), matched)
        }

        /// The subset construction over ASCII: each table state is the set of states the last character led
        /// to (the first, the text's start). nil if the pattern would need more than `mostStates` of them.
        func asciiTable(mostStates: Int = 1_024) -> AsciiTable? {
            var ids: [[Int]: Int32] = [:], sets: [[Int]] = []
            var next: [Int32] = [], matchesBefore: [Bool] = [], matchesAtEnd: [Bool] = []
            func id(of stepped: [Int]) -> Int32 {
                if let known = ids[stepped] { return known }
                ids[stepped] = Int32(sets.count)
                sets.append(stepped)
                return Int32(sets.count - 1)
            }
            sets.append([])  // the start of the text: no character read yet
            var state = 0
            while state < sets.count {
                guard sets.count <= mostStates else { return nil }
                let atStart = state == 0
                let inside = closure(of: sets[state], atStart: atStart, atEnd: false)
                matchesBefore.append(inside.matched)
                matchesAtEnd.append(closure(of: sets[state], atStart: atStart, atEnd: true).matched)
                for character in 0..<UInt32(AsciiTable.width) {
                    var stepped: [Int] = []
                    step(inside.scalarStates, reading: Unicode.Scalar(character)!, into: &stepped)
                    next.append(id(of: Array(Set(stepped)).sorted()))
                }
                state += 1
            }
            return AsciiTable(next: next, matchesBefore: matchesBefore, matchesAtEnd: matchesAtEnd)
        }

        /// Every state reachable at once, stepped a scalar at a time; a match may begin at any scalar.
        func matches(_ text: String.UnicodeScalarView) -> Bool {
            // `active`: the scalar states at this position; `stepped`: where reading the last scalar led.
            var active: [Int] = [], stepped: [Int] = [], pending: [Int] = []
            var seen = [Int](repeating: -1, count: kinds.count)
            var read = 0  // scalars read so far: the mark of the states seen at this position
            var position = text.startIndex
            while true {
                let atStart = position == text.startIndex, atEnd = position == text.endIndex
                pending.append(contentsOf: stepped)
                pending.append(entry)
                active.removeAll(keepingCapacity: true)
                if close(&pending, seen: &seen, mark: read, atStart: atStart, atEnd: atEnd, into: &active) { return true }
                guard !atEnd else { return false }
                stepped.removeAll(keepingCapacity: true)
                step(active, reading: text[position], into: &stepped)
                position = text.index(after: position)
                read += 1
            }
        }
    }

    /// A deterministic automaton over ASCII, made from the pattern's own states (`Automaton.asciiTable`).
    struct AsciiTable {
        static let width = 128
        /// `next[state * width + character]`.
        let next: [Int32]
        /// Whether the pattern has matched at a place inside the text, or at its end, in this state.
        let matchesBefore: [Bool]
        let matchesAtEnd: [Bool]

        /// Whether the pattern matches somewhere in `text`; nil for a text that is not ASCII alone.
        func matches(_ text: String.UTF8View) -> Bool? {
            var state = 0
            for byte in text {
                if matchesBefore[state] { return true }
                guard byte < Self.width else { return nil }
                state = Int(next[state &* Self.width &+ Int(byte)])
            }
            return matchesAtEnd[state]
        }
    }

    // MARK: Parsing

    /// Reads the plain kind of pattern; nil for anything else.
    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        mutating func parseWhole() -> [[Piece]]? {
            guard let alternatives = parseAlternatives(), index == scalars.count else { return nil }
            return alternatives
        }

        private var next: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        private mutating func parseAlternatives() -> [[Piece]]? {
            var alternatives: [[Piece]] = [[]]
            while let scalar = next, scalar != ")" {
                if scalar == "|" {
                    index += 1
                    alternatives.append([])
                    continue
                }
                guard let atom = parseAtom(), let (min, max) = parseQuantifier() else { return nil }
                if case .start = atom, (min, max) != (1, 1) { return nil }
                if case .end = atom, (min, max) != (1, 1) { return nil }
                alternatives[alternatives.count - 1].append(Piece(atom: atom, min: min, max: max))
            }
            return alternatives
        }

        private mutating func parseAtom() -> Atom? {
            guard let scalar = next else { return nil }
            index += 1
            switch scalar {
            case "^": return .start
            case "$": return .end
            case "(":
                // `(?:`, `(?=` and the like are not plain.
                guard next != "?", let alternatives = parseAlternatives(), next == ")" else { return nil }
                index += 1
                return .group(alternatives)
            case "[": return parseClass().map(Atom.scalars)
            case "\\": return parseEscape().map(Atom.scalars)
            case ".", "*", "+", "?", "{", "}", ")", "]": return nil
            default: return .scalars(ScalarSet(ranges: [scalar.value...scalar.value]))
            }
        }

        /// After `\`: one scalar.
        private mutating func parseEscape() -> ScalarSet? {
            parseEscapedScalar().map { ScalarSet(ranges: [$0...$0]) }
        }

        /// After `\`: a syntax character as itself, `\n`, `\t` or `\uXXXX`.
        private mutating func parseEscapedScalar() -> UInt32? {
            guard let scalar = next else { return nil }
            index += 1
            switch scalar {
            case "n": return 0x0A
            case "t": return 0x09
            case "u":
                guard index + 4 <= scalars.count, let value = UInt32(String(String.UnicodeScalarView(scalars[index..<index + 4])), radix: 16)
                else { return nil }
                index += 4
                return value
            default:
                return "^$\\.*+?()[]{}|/-".unicodeScalars.contains(scalar) ? scalar.value : nil
            }
        }

        /// After `[`: single scalars and ranges up to `]`, negated by a leading `^`; not empty.
        private mutating func parseClass() -> ScalarSet? {
            var set = ScalarSet(ranges: [])
            if next == "^" {
                set.negated = true
                index += 1
            }
            while let scalar = next, scalar != "]" {
                guard let low = parseClassScalar() else { return nil }
                if next == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    guard let high = parseClassScalar(), low <= high else { return nil }
                    set.ranges.append(low...high)
                } else {
                    set.ranges.append(low...low)
                }
            }
            guard next == "]", !set.ranges.isEmpty else { return nil }
            index += 1
            return set
        }

        /// One scalar of a class (`[` inside one is not plain: ICU reads it as a nested set).
        private mutating func parseClassScalar() -> UInt32? {
            guard let scalar = next, scalar != "[" else { return nil }
            index += 1
            return scalar == "\\" ? parseEscapedScalar() : scalar.value
        }

        /// `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` or nothing (once); nil for a lazy or malformed one.
        private mutating func parseQuantifier() -> (Int, Int)? {
            let bounds: (Int, Int)
            switch next {
            case "?": bounds = (0, 1)
            case "*": bounds = (0, .max)
            case "+": bounds = (1, .max)
            case "{":
                guard let close = scalars[index...].firstIndex(of: "}") else { return nil }
                let inside = String(String.UnicodeScalarView(scalars[(index + 1)..<close])).split(separator: ",", omittingEmptySubsequences: false)
                guard let low = inside.first.flatMap({ Int($0) }) else { return nil }
                switch inside.count {
                case 1: bounds = (low, low)
                case 2 where inside[1].isEmpty: bounds = (low, .max)
                case 2: guard let high = Int(inside[1]), low <= high else { return nil }
                    bounds = (low, high)
                default: return nil
                }
                index = close
            default:
                return (1, 1)
            }
            index += 1
            // A lazy or possessive quantifier is not plain.
            if next == "?" || next == "+" { return nil }
            return bounds
        }
    }
}
