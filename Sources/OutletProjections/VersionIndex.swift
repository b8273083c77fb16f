import CPrefetch
import Dispatch
import OutletDomain

/// Every version of every timeline as one row, in seq order, column by column: which institution, its
/// seq, the seq that retracted it, the day it took effect, where it sits in its timeline, and what its
/// state is as far as the queries over every institution ask (`Facts`: its bars, its standing toward the
/// roster, the reach of its calendar dates).
/// The state of every institution on a date D as known at a seq S is then one pass over a few integer
/// columns — a row counts if `seq ≤ S`, it is not retracted by S and it took effect by D; the last such
/// row of an institution wins — which is `Timeline.state(on:knownAt:)` for all of them at once; and the
/// roster's members and their order come from the winners' columns alone, touching no state.
///
/// Rows live in chunks of 4,096: a copy of the projection (a reader's view of the live one) shares
/// every chunk, so the append after it copies the last chunk alone, never a column. A snapshot stores the
/// chunks as they are (FORMAT.md, part 5), so that restoring the index reads columns, not versions.
package struct VersionIndex: Sendable {
    /// What a version's state is, read from the row before its state is looked at.
    package struct Marks: OptionSet, Sendable {
        package let rawValue: UInt8
        /// Has been barred at some time (Art. 19): a ban on a date needs a bar.
        package static let barred = Marks(rawValue: 1)

        package init(rawValue: UInt8) {
            self.rawValue = rawValue
        }
    }

    /// What the index keeps of a version's state, worked out once where the state is at hand.
    struct Facts: Sendable {
        // In this order the facts pack into 24 bytes, as a restore's slot per seq holds them.
        /// The `registered` event its outlet number is of (nil: included, or not on the roster).
        let registration: Int64?
        let marks: Marks
        /// The last day the state can put the institution on the roster 名录 (Art. 6(4), 7): its
        /// registration's last valid day, no end for an included outlet (`Int32.max`); `Int32.min` if
        /// it cannot be on it at all (no registration or inclusion in force, or a registration under a new
        /// application: its status is then `applying`).
        let rosterThrough: Int32
        /// The last day a date of the calendar 到期日历 the state schedules can fall on, of those fixed by
        /// the act (validity ends of registrations not ended early, bar ends, summaries owed while on the
        /// roster: `Int32.max` while a spell on it is open); `Int32.min` for none.
        let calendarThrough: Int32
        /// The last day a deadline counted at query time starts from (a publicity, an open rectification
        /// order): its end depends on the holidays known then, so the query works out which starts reach
        /// its calendar.
        let lastDeadlineStart: Int32

        /// A state with no marks, no place on the roster and nothing in the calendar.
        static let none = Facts(registration: nil, marks: [], rosterThrough: .min, calendarThrough: .min, lastDeadlineStart: .min)

        private init(registration: Int64?, marks: Marks, rosterThrough: Int32, calendarThrough: Int32, lastDeadlineStart: Int32) {
            self.registration = registration
            self.marks = marks
            self.rosterThrough = rosterThrough
            self.calendarThrough = calendarThrough
            self.lastDeadlineStart = lastDeadlineStart
        }

        /// Read through a pointer, field by field: a state passed as a value is copied whole (ten reference counts).
        init(of state: UnsafePointer<InstitutionState>) {
            marks = state.pointee.bars.isEmpty ? [] : .barred
            func day(_ date: LocalDate) -> Int32 { Int32(clamping: date.dayNumber) }
            switch state.pointee.sharedInstitution == nil ? nil : RosterPlace(state.pointee.standing, applying: state.pointee.hasOpenApplication) {
            case .registered(_, let validThrough):
                rosterThrough = day(validThrough)
                registration = state.pointee.registrations.last?.seq
            case .included:
                rosterThrough = .max
                registration = nil
            case nil:
                rosterThrough = .min
                registration = nil
            }
            var calendarThrough = Int32.min
            for registration in state.pointee.registrations where registration.endedOn == nil {
                calendarThrough = max(calendarThrough, day(registration.validThrough))
            }
            for bar in state.pointee.bars { calendarThrough = max(calendarThrough, day(bar.through)) }
            for spell in state.pointee.rosterSpells { calendarThrough = max(calendarThrough, spell.through.map(day) ?? .max) }
            self.calendarThrough = calendarThrough
            var lastDeadlineStart = state.pointee.publicityDates.max().map(day) ?? .min
            for rectification in state.pointee.rectifications where rectification.completedOn == nil {
                lastDeadlineStart = max(lastDeadlineStart, day(rectification.orderedOn))
            }
            self.lastDeadlineStart = lastDeadlineStart
        }
    }

    /// An outlet number as big-endian words of its ASCII bytes padded with zeros, which order as the
    /// strings do: the roster's order (registered outlets by number, then included ones) in two integers.
    struct OutletKey: Sendable {
        let words: (UInt64, UInt64)

        /// After every number: an included outlet's place.
        static let included = OutletKey("~")

        init(_ outletNo: String) {
            var text = outletNo
            words = text.withUTF8 { utf8 in
                precondition(utf8.count <= 16, "outlet numbers are short ASCII")
                /// Bytes `8 * n ..< 8 * n + 8`, big-endian, zeros past the end.
                func word(_ n: Int) -> UInt64 {
                    (8 * n..<8 * n + 8).reduce(0) { word, at in word << 8 | (at < utf8.count ? UInt64(utf8[at]) : 0) }
                }
                return (word(0), word(1))
            }
        }
    }

    /// Up to `chunkSize` rows, column by column (`Facts` spread over `marks` … `lastDeadlineStart`).
    package struct Chunk: Sendable {
        package var institution: [Int32] = []
        package var seq: [Int64] = []
        /// `Int64.max` while not retracted.
        package var retractedBy: [Int64] = []
        package var effective: [Int32] = []
        /// The version's place in its timeline: how many rows of its institution come before it. A
        /// snapshot does not store it.
        package var position: [Int32] = []
        package var marks: [UInt8] = []
        package var rosterThrough: [Int32] = []
        /// Into `outletKeys`; -1 without a registration.
        package var outlet: [Int32] = []
        package var calendarThrough: [Int32] = []
        package var lastDeadlineStart: [Int32] = []

        package init() {
            institution.reserveCapacity(VersionIndex.chunkSize)
            seq.reserveCapacity(VersionIndex.chunkSize)
            retractedBy.reserveCapacity(VersionIndex.chunkSize)
            effective.reserveCapacity(VersionIndex.chunkSize)
            position.reserveCapacity(VersionIndex.chunkSize)
            marks.reserveCapacity(VersionIndex.chunkSize)
            rosterThrough.reserveCapacity(VersionIndex.chunkSize)
            outlet.reserveCapacity(VersionIndex.chunkSize)
            calendarThrough.reserveCapacity(VersionIndex.chunkSize)
            lastDeadlineStart.reserveCapacity(VersionIndex.chunkSize)
        }

        /// The version at `row`, as a query hands it on.
        func winner(_ row: Int) -> Winner {
            Winner(institution: institution[row], position: position[row], outlet: outlet[row])
        }
    }

    package static let chunkSize = 4096
    package private(set) var chunks: [Chunk] = []
    /// The institutions, by the id their rows carry.
    package private(set) var institutions: [USCC] = []
    package private(set) var numbering = InstitutionNumbering()
    /// Each registration's outlet number and its sort key, once per registration, at the slot its rows carry.
    private var outletNumbers: [String?] = []
    private var outletKeys: [OutletKey] = []
    private var outletSlots: [Int64: Int32] = [:]
    /// Each institution's last registration looked up and its slot, by institution id: a fold appends many
    /// versions under one registration, and this is one read beside the other per-institution lines it asks
    /// for ahead, where the dictionary was a hash and two misses per version. A cache: a miss asks the
    /// dictionary.
    private var lastOutlet: [(registration: Int64, slot: Int32)] = []
    /// The `registered` seq of each slot.
    package private(set) var outletRegistrations: [Int64] = []

    init() {}

    /// The index of whole timelines folded through `lastSeq` (a restored snapshot) from their rows, each
    /// timeline's id its place in `timelines`; nil if two timelines are of one institution, two versions
    /// claim one seq or one lies past `lastSeq` (a snapshot is read from bytes anyone could have written).
    /// A fold's seqs are dense, so each version's row is put in a slot per seq rather than sorted.
    init?(_ timelines: consuming [TimelineRows], through lastSeq: Int64, outletNumbers: [Int64: String]) {
        let versionCount = timelines.reduce(0) { $0 + $1.rows.count }
        guard lastSeq >= 0, assignIds(timelines.map(\.uscc)) else { return nil }
        struct Slot {
            var row = TimelineRows.Row(facts: .none, seq: 0, retractedBy: .max, effective: 0)
            var institution: Int32 = -1, position: Int32 = 0, outlet: Int32 = -1
        }
        let dense = lastSeq <= 2 * Int64(versionCount) + 65_536
        // Dense: a slot per seq, and a bit per seq to find a second claim in cache (the slots are only
        // stored to); else a slot per version, sorted by seq after.
        var slots = [Slot](repeating: Slot(), count: dense ? Int(lastSeq) + 1 : 0)
        var claimed = [UInt64](repeating: 0, count: dense ? Int(lastSeq) / 64 + 1 : 0)
        if !dense { slots.reserveCapacity(versionCount) }
        for (id, timeline) in zip(Int32(0)..., timelines) {
            // A registration's outlet slot, looked up once per run of versions standing on it.
            var registration: (seq: Int64, slot: Int32)?
            for (position, row) in timeline.rows.enumerated() {
                guard 0 < row.seq, row.seq <= lastSeq else { return nil }
                var outlet: Int32 = -1
                if let registered = row.facts.registration {
                    if registration?.seq != registered {
                        registration = (registered, outletSlot(of: registered, outletNumbers: outletNumbers))
                    }
                    outlet = registration!.slot
                }
                let slot = Slot(row: row, institution: id, position: Int32(position), outlet: outlet)
                if dense {
                    let (word, bit) = (Int(row.seq) >> 6, UInt64(1) << (UInt64(row.seq) & 63))
                    guard claimed[word] & bit == 0 else { return nil }
                    claimed[word] |= bit
                    slots[Int(row.seq)] = slot
                } else {
                    slots.append(slot)
                }
            }
        }
        timelines = []  // each row is in its slot now: the memory of the rows is not held beside the index's
        if !dense {
            slots.sort { $0.row.seq < $1.row.seq }
            guard zip(slots, slots.dropFirst()).allSatisfy({ $0.row.seq < $1.row.seq }) else { return nil }
        }
        for slot in slots where slot.institution >= 0 {
            appendRow(institution: slot.institution, seq: slot.row.seq, effective: slot.row.effective, position: slot.position,
                      facts: slot.row.facts, retractedBy: slot.row.retractedBy, outlet: slot.outlet)
        }
    }

    /// What is wrong with an index read from bytes.
    package struct Damage: Error {
        package let reason: String
    }

    /// The index a snapshot stores (FORMAT.md, part 5): `chunks` as read (every column but `position`),
    /// `institutions` by id, `registrations` the `registered` seq of each outlet slot, ascending. Refused,
    /// naming the first row at fault, unless its rows are what a fold through `lastSeq` makes: chunks full
    /// but the last, seqs rising within 1 … `lastSeq`, each retraction after its version, ids and slots in
    /// range, no institution twice. `rowCounts` is set to how many rows each institution has: its
    /// timeline's versions, which the position column counts.
    package init(restoring chunks: consuming [Chunk], institutions: [USCC], registrations: [Int64],
                 outletNumbers: [Int64: String], through lastSeq: Int64, rowCounts: inout [Int32]) throws(Damage)
    {
        // Three parts that need nothing of one another, on two cores for a large index: the institutions'
        // ids, then the rows' check; the outlet slots beside them. Each part builds fields of an index of its
        // own, taken into this one after; the damage named is the one a single pass would meet first.
        nonisolated(unsafe) var (named, slotted, rows) = (VersionIndex(), VersionIndex(), chunks)
        nonisolated(unsafe) var counts = [Int32](repeating: 0, count: institutions.count)
        nonisolated(unsafe) var (unique, slotDamage, rowDamage): (Bool, Damage?, Damage?) = (false, nil, nil)
        @Sendable func part(_ part: Int) {
            if part == 0 {
                unique = named.assignIds(institutions)
                do throws(Damage) {
                    try Self.check(&rows, through: lastSeq, institutions: Int32(institutions.count), slots: Int32(registrations.count),
                                   counts: &counts)
                } catch {
                    rowDamage = error
                }
            } else {
                do throws(Damage) {
                    try slotted.assignSlots(registrations, through: lastSeq, outletNumbers: outletNumbers)
                } catch {
                    slotDamage = error
                }
            }
        }
        if institutions.count >= 2_048 {
            DispatchQueue.concurrentPerform(iterations: 2, execute: part)
        } else {
            part(0)
            part(1)
        }
        guard unique else { throw Damage(reason: "two timelines of one institution") }
        if let slotDamage { throw slotDamage }
        if let rowDamage { throw rowDamage }
        (self.institutions, numbering) = (named.institutions, named.numbering)
        (outletSlots, outletKeys, self.outletNumbers, outletRegistrations) =
            (slotted.outletSlots, slotted.outletKeys, slotted.outletNumbers, slotted.outletRegistrations)
        self.chunks = rows
        rowCounts = counts
    }

    /// The slots of `registrations` (ascending, within 1 … `lastSeq`), in their order.
    private mutating func assignSlots(_ registrations: [Int64], through lastSeq: Int64, outletNumbers: [Int64: String]) throws(Damage) {
        outletSlots.reserveCapacity(registrations.count)
        outletKeys.reserveCapacity(registrations.count)
        self.outletNumbers.reserveCapacity(registrations.count)
        outletRegistrations.reserveCapacity(registrations.count)
        var previous: Int64 = 0
        for registration in registrations {
            guard registration > previous, registration <= lastSeq else {
                throw Damage(reason: "outlet slot of registration \(registration) out of order or past seq \(lastSeq)")
            }
            previous = registration
            _ = outletSlot(of: registration, outletNumbers: outletNumbers)
        }
    }

    /// Checks restored chunks' rows (`check(_:rows:…)`) and sets their positions, `counts` each institution's rows.
    private static func check(_ chunks: inout [Chunk], through lastSeq: Int64, institutions institutionCount: Int32, slots slotCount: Int32,
                              counts: inout [Int32]) throws(Damage)
    {
        var previousSeq: Int64 = 0
        for number in chunks.indices {
            let rows = chunks[number].seq.count
            guard rows == Self.chunkSize || (number == chunks.count - 1 && rows > 0) else {
                throw Damage(reason: "index block \(number) holds \(rows) rows, not \(Self.chunkSize)")
            }
            // Through pointers: a million rows, each a few comparisons, are what a deferred restore waits on.
            let position = try [Int32](unsafeUninitializedCapacity: rows) { position, initialized throws(Damage) in
                try Self.check(chunks[number], rows: rows, after: &previousSeq, through: lastSeq, institutions: institutionCount,
                               slots: slotCount, counts: &counts, positions: position)
                initialized = rows
            }
            chunks[number].position = position
        }
    }

    /// Checks `rows` rows of a restored chunk (seqs rising after `previousSeq` to `lastSeq`, retractions after
    /// their versions, ids and slots in range) and counts each row's place among its institution's rows.
    private static func check(_ chunk: borrowing Chunk, rows: Int, after previousSeq: inout Int64, through lastSeq: Int64,
                              institutions institutionCount: Int32, slots slotCount: Int32, counts: inout [Int32],
                              positions: UnsafeMutableBufferPointer<Int32>) throws(Damage)
    {
        precondition([chunk.institution.count, chunk.retractedBy.count, chunk.effective.count, chunk.marks.count,
                      chunk.rosterThrough.count, chunk.outlet.count, chunk.calendarThrough.count,
                      chunk.lastDeadlineStart.count].allSatisfy { $0 == rows }, "a chunk's columns are read row by row")
        var previous = previousSeq
        defer { previousSeq = previous }
        let damage: Damage? = chunk.seq.withUnsafeBufferPointer { seqs in
            chunk.retractedBy.withUnsafeBufferPointer { retractions in
                chunk.institution.withUnsafeBufferPointer { institutions in
                    chunk.outlet.withUnsafeBufferPointer { outlets in
                        counts.withUnsafeMutableBufferPointer { counts in
                            for row in 0..<rows {
                                let (seq, retractedBy, institution, outlet) = (seqs[row], retractions[row], institutions[row], outlets[row])
                                guard seq > previous, seq <= lastSeq else {
                                    return Damage(reason: "index row seq \(seq) after \(previous), through \(lastSeq)")
                                }
                                previous = seq
                                guard retractedBy == .max || (retractedBy > seq && retractedBy <= lastSeq) else {
                                    return Damage(reason: "index row \(seq) retracted by \(retractedBy)")
                                }
                                guard institution >= 0, institution < institutionCount else {
                                    return Damage(reason: "index row \(seq) of institution \(institution) of \(institutionCount)")
                                }
                                guard outlet >= -1, outlet < slotCount else {
                                    return Damage(reason: "index row \(seq) of outlet slot \(outlet) of \(slotCount)")
                                }
                                positions[row] = counts[Int(institution)]
                                counts[Int(institution)] += 1
                            }
                            return nil
                        }
                    }
                }
            }
        }
        if let damage { throw damage }
    }

    /// The first seq at which this index and `other` disagree — a row one has and the other lacks, or any
    /// column of a row, outlet slots compared by the registration they are of — or nil: the same rows.
    package func firstDisagreement(with other: VersionIndex) -> Int64? {
        guard institutions == other.institutions else { return 0 }
        for number in 0..<max(chunks.count, other.chunks.count) {
            guard number < chunks.count, number < other.chunks.count else {
                return (number < chunks.count ? chunks[number] : other.chunks[number]).seq[0]
            }
            let (mine, theirs) = (chunks[number], other.chunks[number])
            for row in 0..<max(mine.seq.count, theirs.seq.count) {
                guard row < mine.seq.count, row < theirs.seq.count else { return (row < mine.seq.count ? mine : theirs).seq[row] }
                func registration(_ index: VersionIndex, _ slot: Int32) -> Int64 { slot < 0 ? 0 : index.outletRegistrations[Int(slot)] }
                guard mine.seq[row] == theirs.seq[row], mine.institution[row] == theirs.institution[row],
                      mine.retractedBy[row] == theirs.retractedBy[row], mine.effective[row] == theirs.effective[row],
                      mine.position[row] == theirs.position[row], mine.marks[row] == theirs.marks[row],
                      mine.rosterThrough[row] == theirs.rosterThrough[row], mine.calendarThrough[row] == theirs.calendarThrough[row],
                      mine.lastDeadlineStart[row] == theirs.lastDeadlineStart[row],
                      registration(self, mine.outlet[row]) == registration(other, theirs.outlet[row])
                else { return min(mine.seq[row], theirs.seq[row]) }
            }
        }
        return nil
    }

    /// Ids in the order of `institutions`; false if two are of one institution.
    private mutating func assignIds(_ institutions: [USCC]) -> Bool {
        numbering.reserveCapacity(institutions.count)
        self.institutions.reserveCapacity(institutions.count)
        for uscc in institutions {
            guard numbering.knownId(of: uscc) == nil else { return false }
            _ = id(of: uscc)
        }
        return true
    }

    /// The id of an institution's rows, if it has any.
    func knownId(of uscc: USCC) -> Int32? {
        numbering.knownId(of: uscc)
    }

    /// The id of an institution's rows, given it on its first version.
    mutating func id(of uscc: USCC) -> Int32 {
        let id = numbering.id(of: uscc)
        if Int(id) == institutions.count { institutions.append(uscc) }
        return id
    }

    /// Takes `id` as the id of `uscc`, which a copy of `numbering` gave it (a fold's reading thread): an
    /// institution already numbered is checked against its place (three integers, no hashing), a new one is
    /// numbered as `id(of:)` numbers it. A copy that numbered otherwise stops the fold rather than fold an
    /// event into another institution's timeline.
    mutating func adopt(_ id: Int32, of uscc: USCC) {
        let numbered = if id >= 0, Int(id) < institutions.count { institutions[Int(id)] == uscc } else { self.id(of: uscc) == id }
        precondition(numbered, "a copy of the numbering numbers institutions as the index does")
    }

    /// A new version, later in seq than every row before it; `outletNumbers` names the registration its facts name.
    mutating func append(institution: Int32, seq: Int64, effectiveOn: LocalDate, position: Int, facts: Facts,
                         outletNumbers: [Int64: String])
    {
        var outlet: Int32 = -1
        if let registration = facts.registration {
            let id = Int(institution)
            if id < lastOutlet.count, lastOutlet[id].registration == registration {
                outlet = lastOutlet[id].slot
            } else {
                outlet = outletSlot(of: registration, outletNumbers: outletNumbers)
                if id >= lastOutlet.count { lastOutlet += repeatElement((registration: Int64(-1), slot: Int32(-1)), count: max(id + 1 - lastOutlet.count, lastOutlet.count)) }
                lastOutlet[id] = (registration, outlet)
            }
        }
        appendRow(institution: institution, seq: seq, effective: Int32(clamping: effectiveOn.dayNumber), position: Int32(position),
                  facts: facts, retractedBy: .max, outlet: outlet)
    }

    /// `outlet`: the slot of the outlet number `facts` name, -1 for none.
    private mutating func appendRow(institution: Int32, seq: Int64, effective: Int32, position: Int32, facts: Facts, retractedBy: Int64,
                                    outlet: Int32)
    {
        precondition(chunks.last?.seq.last.map { $0 < seq } ?? true, "versions are indexed in seq order")
        if chunks.isEmpty || chunks[chunks.count - 1].seq.count == Self.chunkSize { chunks.append(Chunk()) }
        let last = chunks.count - 1
        chunks[last].institution.append(institution)
        chunks[last].seq.append(seq)
        chunks[last].retractedBy.append(retractedBy)
        chunks[last].effective.append(effective)
        chunks[last].position.append(position)
        chunks[last].marks.append(facts.marks.rawValue)
        chunks[last].rosterThrough.append(facts.rosterThrough)
        chunks[last].outlet.append(outlet)
        chunks[last].calendarThrough.append(facts.calendarThrough)
        chunks[last].lastDeadlineStart.append(facts.lastDeadlineStart)
    }

    /// Asks for what `adopt` and `append` read of the institution at `id`: its USCC and its last outlet.
    @inline(__always)
    func prefetchInstitution(_ id: Int32) {
        guard id >= 0 else { return }
        if Int(id) < institutions.count { institutions.withUnsafeBufferPointer { outlet_prefetch($0.baseAddress! + Int(id)) } }
        if Int(id) < lastOutlet.count { lastOutlet.withUnsafeBufferPointer { outlet_prefetch($0.baseAddress! + Int(id)) } }
    }

    /// The slot of a registration's outlet number key, made on its first version.
    private mutating func outletSlot(of registration: Int64, outletNumbers: [Int64: String]) -> Int32 {
        if let slot = outletSlots[registration] { return slot }
        let slot = Int32(outletKeys.count)
        let number = outletNumbers[registration]
        outletRegistrations.append(registration)
        self.outletNumbers.append(number)
        outletKeys.append(number.map(OutletKey.init) ?? .included)
        outletSlots[registration] = slot
        return slot
    }

    /// The version appended at `target` was withdrawn by the event at `seq`.
    mutating func retract(_ target: Int64, by seq: Int64) {
        guard let (chunk, row) = Self.place(of: target, in: chunks) else { return }
        chunks[chunk].retractedBy[row] = seq
    }

    /// Where the row of `seq` lies among `chunks` (their rows ascending by seq, chunk after chunk), if there is one.
    package static func place(of seq: Int64, in chunks: [Chunk]) -> (chunk: Int, row: Int)? {
        // The chunk is the last whose first seq is at or below `seq`; then the row within it.
        var low = 0, high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if let first = chunks[middle].seq.first, first <= seq { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let chunk = low - 1
        let row = chunks[chunk].seq.withUnsafeBufferPointer { rowCount(of: $0, before: seq) }
        guard row < chunks[chunk].seq.count, chunks[chunk].seq[row] == seq else { return nil }
        return (chunk, row)
    }

    /// How many of a chunk's rows, by their seqs (ascending), have a seq below `seq`.
    package static func rowCount(of seqs: UnsafeBufferPointer<Int64>, before seq: Int64) -> Int {
        var (low, high) = (0, seqs.count)
        while low < high {
            let middle = (low + high) / 2
            if seqs[middle] < seq { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// An institution's version in force on a date: the institution's id, the version's position in its
    /// timeline and the slot of the outlet number it stands under (-1: none).
    struct Winner: Sendable {
        let institution: Int32
        let position: Int32
        let outlet: Int32
    }

    /// The outlet number a winning version stands under, if it is registered.
    func outletNumber(of winner: Winner) -> String? {
        winner.outlet < 0 ? nil : outletNumbers[Int(winner.outlet)]
    }

    /// For each institution with a version in force on `date` as known at `knownAt` whose marks include
    /// `marked`: that version.
    func winners(on date: LocalDate, knownAt: Int64, marked: Marks) -> [Winner] {
        var winners: [Winner] = []
        forEachWinningRow(on: date, knownAt: knownAt) { chunk, row in
            guard (chunk.pointee.marks[row] & marked.rawValue) == marked.rawValue else { return }
            winners.append(chunk.pointee.winner(row))
        }
        return winners
    }

    /// For each institution with a version in force on `date` as known at `knownAt` that can put a date in
    /// a calendar from `from` on: a date fixed by the act on or after `from`, or a deadline counted from a
    /// day on or after `startsFrom` (the first start whose deadline can reach `from`; nil: any start).
    func calendarWinners(on date: LocalDate, knownAt: Int64, from: LocalDate, startsFrom: LocalDate?) -> [Winner] {
        let from = Int32(clamping: from.dayNumber)
        let startsFrom = startsFrom.map { Int32(clamping: $0.dayNumber) } ?? .min
        var winners: [Winner] = []
        forEachWinningRow(on: date, knownAt: knownAt) { chunk, row in
            guard chunk.pointee.calendarThrough[row] >= from || chunk.pointee.lastDeadlineStart[row] >= startsFrom else { return }
            winners.append(chunk.pointee.winner(row))
        }
        return winners
    }

    /// The outlets on the roster on `date` as known at `knownAt`, in its order — registered outlets by number,
    /// then included ones, each by USCC: the winners whose roster standing reaches `date`, from their columns
    /// alone. Sorted as plain integers (32 bytes a place; a USCC looked up only between equal numbers), so
    /// that a roster of tens of thousands is sorted without a reference count moving.
    func roster(on date: LocalDate, knownAt: Int64) -> [Winner] {
        struct Place {
            let key: OutletKey
            let version: Winner
        }
        let day = Int32(clamping: date.dayNumber)
        var places: [Place] = []
        // Room for every institution at once: grown by doubling, it was a dozen allocations of up to megabytes,
        // and after a large projection is freed each such allocation walks the allocator's lists of the pieces
        // it left (most of a held roster's time, measured after a snapshot's roster: README, stop 43).
        places.reserveCapacity(institutions.count)
        forEachWinningRow(on: date, knownAt: knownAt) { chunk, row in
            guard chunk.pointee.rosterThrough[row] >= day else { return }
            let outlet = Int(chunk.pointee.outlet[row])
            places.append(Place(key: outlet < 0 ? .included : outletKeys[outlet], version: chunk.pointee.winner(row)))
        }
        institutions.withUnsafeBufferPointer { institutions in
            places.sort { left, right in
                guard left.key.words == right.key.words else { return left.key.words < right.key.words }
                return institutions[Int(left.version.institution)] < institutions[Int(right.version.institution)]
            }
        }
        return places.map(\.version)
    }

    /// The one pass: for each institution with a version in force on `date` as known at `knownAt`, its row.
    @inline(__always)
    private func forEachWinningRow(on date: LocalDate, knownAt: Int64, _ body: (UnsafePointer<Chunk>, Int) -> Void) {
        let day = Int32(clamping: date.dayNumber)  // only dates millions of years away reach the clamp
        let parts = chunks.count * Self.chunkSize >= 2 * Self.rowsPerPart ? 2 : 1
        let best = winningRows(on: day, knownAt: knownAt, parts: parts)
        // Through pointers: a subscript of the array, or a loop over it, copies a chunk out (its columns' reference
        // counts), and so would a chunk lent to `body` (a call the compiler cannot see into).
        chunks.withUnsafeBufferPointer { chunks in
            for row in best where row >= 0 { body(chunks.baseAddress! + Int(row) / Self.chunkSize, Int(row) % Self.chunkSize) }
        }
    }

    /// How many rows a pass has before it is cut in two, one part per core (a thread's start costs a few
    /// microseconds; a pass over this many rows, about a tenth of a millisecond).
    private static let rowsPerPart = 65_536

    /// For each institution, by id, its row in force on `day` as known at `knownAt`, as `chunk * chunkSize + row`
    /// (-1: none). The rows are passed over in `parts` runs of about equal length, on every core, each keeping the
    /// winners of its own run; where runs disagree, the later run's winner is the newer version (rows ascend by seq).
    func winningRows(on day: Int32, knownAt: Int64, parts: Int) -> [Int32] {
        let count = institutions.count
        return chunks.withUnsafeBufferPointer { chunks in
            // Where each chunk's rows start, counted over the rows known at `knownAt`: rows ascend by seq, so those
            // are a prefix, cut here once (in the one chunk it ends in) rather than row by row in the pass, which
            // then reads no seq at all (a third of the bytes it read a row).
            var starts = [0]
            starts.reserveCapacity(chunks.count + 1)
            for chunk in chunks.indices {
                guard chunks[chunk].seq[0] <= knownAt else { break }
                starts.append(starts.last! + chunks[chunk].seq.withUnsafeBufferPointer { seqs in
                    // Below its last seq, `knownAt + 1` does not overflow.
                    seqs[seqs.count - 1] <= knownAt ? seqs.count : Self.rowCount(of: seqs, before: knownAt + 1)
                })
            }
            let total = starts.last!
            let runs = UnsafeMutablePointer<Int32>.allocate(capacity: count * parts)
            defer { runs.deallocate() }
            runs.initialize(repeating: -1, count: count * parts)
            nonisolated(unsafe) let (shared, into) = (chunks, runs)
            let bounds = starts
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                Self.winningRows(in: shared, starts: bounds, rows: (total * part / parts)..<(total * (part + 1) / parts),
                                 on: day, knownAt: knownAt, into: into + count * part)
            }
            return [Int32](unsafeUninitializedCapacity: count) { best, initialized in
                for id in 0..<count {
                    var row: Int32 = -1
                    for part in stride(from: parts - 1, through: 0, by: -1) where runs[count * part + id] >= 0 {
                        row = runs[count * part + id]
                        break
                    }
                    best[id] = row
                }
                initialized = count
            }
        }
    }

    /// Into `best` (by institution id), the winning row of each institution among `rows` of the rows counted by
    /// `starts` (where each chunk's rows start; all of them known at `knownAt`).
    private static func winningRows(in chunks: UnsafeBufferPointer<Chunk>, starts: [Int], rows: Range<Int>, on day: Int32,
                                    knownAt: Int64, into best: UnsafeMutablePointer<Int32>) {
        for number in 0..<(starts.count - 1) where starts[number] < rows.upperBound && rows.lowerBound < starts[number + 1] {
            let first = Int32(number * chunkSize)
            let within = max(rows.lowerBound - starts[number], 0)..<(min(rows.upperBound, starts[number + 1]) - starts[number])
            chunks[number].retractedBy.withUnsafeBufferPointer { retractedBy in
                chunks[number].effective.withUnsafeBufferPointer { effective in
                    chunks[number].institution.withUnsafeBufferPointer { institution in
                        for row in within where effective[row] <= day && retractedBy[row] > knownAt {
                            best[Int(institution[row])] = first + Int32(row)
                        }
                    }
                }
            }
        }
    }
}

/// A timeline's versions as rows of the version index, in the timeline's order: worked out by whoever
/// holds the timeline while its versions are still in cache — a snapshot's reader, on every core — so
/// that restoring the index places compact rows instead of reading a million versions a second time.
package struct TimelineRows: Sendable {
    struct Row {
        let facts: VersionIndex.Facts
        let seq: Int64
        /// `Int64.max` while not retracted.
        let retractedBy: Int64
        let effective: Int32
    }

    let uscc: USCC
    let rows: [Row]

    package init(of timeline: Timeline) {
        uscc = timeline.uscc
        rows = timeline.allVersions.withUnsafeBufferPointer { versions in
            versions.indices.map { index in
                // Through the pointer: a subscript copies the whole version out (ten reference counts).
                let version = versions.baseAddress! + index
                return Row(facts: VersionIndex.Facts(of: Timeline.Version.state(of: version)), seq: version.pointee.seq,
                           retractedBy: version.pointee.retractedBy ?? .max, effective: Int32(clamping: version.pointee.effectiveOn.dayNumber))
            }
        }
    }
}

/// Each institution's id in a projection's index: the order it first appeared in, from 0. A fold's reading
/// thread numbers each event's institution with a copy of its projection's numbering (the same events in the
/// same order give the same ids), so that the folding thread, the busier of the two, is handed each id
/// rather than looking it up.
package struct InstitutionNumbering: Sendable {
    /// An open-addressed table, three words a slot: the code's two long words, then its short one above the
    /// id + 1 (0: an empty slot). A fold's reading thread asks it once per event, from a table of tens of
    /// thousands of codes out of cache: one slot holds key and id together (a dictionary keeps them in two
    /// arrays, a miss each, and hashes through SipHash).
    private var slots: [UInt64] = []
    private(set) var count = 0

    package init() {}

    /// The id of `uscc`, numbered next if it has none yet.
    package mutating func id(of uscc: USCC) -> Int32 {
        if count * 2 >= slots.count / 3 { grow(to: max(1_024, slots.count / 3 * 2)) }
        let words = uscc.words
        let (slot, found) = place(of: words)
        if let found { return found }
        let id = Int32(count)
        slots[3 * slot] = words.head
        slots[3 * slot + 1] = words.middle
        slots[3 * slot + 2] = UInt64(words.tail) << 32 | UInt64(id + 1)
        count += 1
        return id
    }

    /// The ids of the institutions of a run of steps (`FoldStep.stream`), in order, numbered as `id(of:)`
    /// numbers them one by one; -1 for a step of the registry's own stream (it has no institution). Each
    /// code's slot is asked for `distance` steps ahead: one at a time, each was a miss and a page walk of
    /// its own, a quarter of a microsecond per event on the fold's reading thread.
    package mutating func ids(of streams: [USCC?]) -> [Int32] {
        let distance = 8
        var ids: [Int32] = []
        ids.reserveCapacity(streams.count)
        for place in streams.indices {
            if place + distance < streams.count, !slots.isEmpty, let ahead = streams[place + distance] {
                let home = self.home(of: ahead.words)
                slots.withUnsafeBufferPointer { outlet_prefetch($0.baseAddress! + 3 * home) }
            }
            ids.append(streams[place].map { id(of: $0) } ?? -1)
        }
        return ids
    }

    func knownId(of uscc: USCC) -> Int32? {
        count > 0 ? place(of: uscc.words).id : nil
    }

    mutating func reserveCapacity(_ count: Int) {
        var slotCount = 1_024
        while slotCount < 2 * count { slotCount *= 2 }
        if slotCount > slots.count / 3 { grow(to: slotCount) }
    }

    /// The slot that holds these words, with its id, or the empty slot where they would go (the table is
    /// never more than half full, so there is one).
    private func place(of words: (head: UInt64, middle: UInt64, tail: UInt16)) -> (slot: Int, id: Int32?) {
        let mask = slots.count / 3 - 1
        var slot = home(of: words)
        while true {
            let last = slots[3 * slot + 2]
            if last == 0 { return (slot, nil) }
            if slots[3 * slot] == words.head, slots[3 * slot + 1] == words.middle, last >> 32 == UInt64(words.tail) {
                return (slot, Int32(truncatingIfNeeded: last & 0xFFFF_FFFF) - 1)
            }
            slot = (slot + 1) & mask
        }
    }

    /// Rehashes into `slotCount` slots (a power of two), ids kept.
    private mutating func grow(to slotCount: Int) {
        let old = slots
        slots = Array(repeating: 0, count: 3 * slotCount)
        for at in stride(from: 0, to: old.count, by: 3) where old[at + 2] != 0 {
            let (slot, _) = place(of: (old[at], old[at + 1], UInt16(truncatingIfNeeded: old[at + 2] >> 32)))
            slots[3 * slot] = old[at]
            slots[3 * slot + 1] = old[at + 1]
            slots[3 * slot + 2] = old[at + 2]
        }
    }

    /// The first slot these words are looked for in: the three words mixed by multiplication, the bits above
    /// the product's lowest sixteen taken. A product's low bits depend on its factors' low bits alone, and
    /// codes that differ only in a few characters (one authority, one region) must still spread over the table.
    @inline(__always)
    private func home(of words: (head: UInt64, middle: UInt64, tail: UInt16)) -> Int {
        let mixed = (words.head &* 0x9E37_79B9_7F4A_7C15) ^ (words.middle &* 0xC2B2_AE3D_27D4_EB4F)
            ^ (UInt64(words.tail) &* 0x1656_67B1_9E37_79F9)
        return Int(truncatingIfNeeded: ((mixed ^ (mixed >> 29)) &* 0xBF58_476D_1CE4_E5B9) >> 16) & (slots.count / 3 - 1)
    }
}
