import OutletDomain

/// Every version of every timeline as one row, in seq order, column by column: which institution, its
/// seq, the seq that retracted it, the day it took effect, where it sits in its timeline, and marks of
/// what its state is. The state of every institution on a date D as known at a seq S is then one pass
/// over a few integer columns — a row counts if `seq ≤ S`, it is not retracted by S and it took effect
/// by D; the last such row of an institution wins — which is `Timeline.state(on:knownAt:)` for all of
/// them at once, touching no state that does not win, and, with marks asked for, none that lacks them.
///
/// Rows live in chunks of 4,096: a copy of the projection (a reader's view of the live one) shares
/// every chunk, so the append after it copies the last chunk alone, never a column.
struct VersionIndex: Sendable {
    /// What a version's state is, read from the row before its state is looked at.
    struct Marks: OptionSet, Sendable {
        let rawValue: UInt8
        /// Registered or included: the only standings that can put an outlet on the roster (Art. 6(4), 7).
        static let rosterStanding = Marks(rawValue: 1)
        /// Has been barred at some time (Art. 19): a ban on a date needs a bar.
        static let barred = Marks(rawValue: 2)

        init(rawValue: UInt8) {
            self.rawValue = rawValue
        }

        init(of state: InstitutionState) {
            var marks: Marks = []
            switch state.standing {
            case .registered, .included: marks.insert(.rosterStanding)
            default: break
            }
            if !state.bars.isEmpty { marks.insert(.barred) }
            self = marks
        }
    }

    private struct Chunk: Sendable {
        var institution: [Int32] = []
        var seq: [Int64] = []
        /// `Int64.max` while not retracted.
        var retractedBy: [Int64] = []
        var effective: [Int32] = []
        var position: [Int32] = []
        var marks: [UInt8] = []

        init() {
            institution.reserveCapacity(VersionIndex.chunkSize)
            seq.reserveCapacity(VersionIndex.chunkSize)
            retractedBy.reserveCapacity(VersionIndex.chunkSize)
            effective.reserveCapacity(VersionIndex.chunkSize)
            position.reserveCapacity(VersionIndex.chunkSize)
            marks.reserveCapacity(VersionIndex.chunkSize)
        }
    }

    static let chunkSize = 4096
    private var chunks: [Chunk] = []
    /// The institutions, by the id their rows carry.
    private(set) var institutions: [USCC] = []
    private var ids: [USCC: Int32] = [:]

    init() {}

    /// The index of whole timelines folded through `lastSeq` (a restored snapshot); nil if two versions
    /// claim one seq or one lies past `lastSeq` (a snapshot is read from bytes anyone could have written).
    /// A fold's seqs are dense, so each version's row is put in a slot per seq rather than sorted; and each
    /// version is read in place, never copied out of its timeline.
    init?(_ timelines: [USCC: Timeline], through lastSeq: Int64) {
        let versionCount = timelines.values.reduce(0) { $0 + $1.allVersions.count }
        guard lastSeq >= 0 else { return nil }
        guard lastSeq <= 2 * Int64(versionCount) + 65_536 else {
            guard let sorted = Self.sorting(timelines, through: lastSeq) else { return nil }
            self = sorted
            return
        }
        struct Slot {
            var institution: Int32 = -1, position: Int32 = 0, effective: Int32 = 0, marks: UInt8 = 0, retractedBy = Int64.max
        }
        var slots = [Slot](repeating: Slot(), count: Int(lastSeq) + 1)
        ids.reserveCapacity(timelines.count)
        institutions.reserveCapacity(timelines.count)
        let placed = slots.withUnsafeMutableBufferPointer { slots in
            for timeline in timelines.values {
                let id = self.id(of: timeline.uscc)
                let placed = timeline.allVersions.withUnsafeBufferPointer { versions in
                    guard let first = versions.baseAddress else { return true }
                    for index in versions.indices {
                        // Through the pointer: a subscript copies the whole version out (ten reference counts).
                        let version = first + index
                        let seq = version.pointee.seq
                        guard 0 < seq, seq <= lastSeq, slots[Int(seq)].institution < 0 else { return false }
                        slots[Int(seq)] = Slot(
                            institution: id, position: Int32(index), effective: Int32(clamping: version.pointee.effectiveOn.dayNumber),
                            marks: version.pointee.marks.rawValue, retractedBy: version.pointee.retractedBy ?? .max)
                    }
                    return true
                }
                guard placed else { return false }
            }
            return true
        }
        guard placed else { return nil }
        for (seq, slot) in slots.enumerated() where slot.institution >= 0 {
            appendRow(institution: slot.institution, seq: Int64(seq), effective: slot.effective, position: slot.position,
                      marks: slot.marks, retractedBy: slot.retractedBy)
        }
    }

    /// The same, for seqs too sparse for a slot each: the rows sorted.
    private static func sorting(_ timelines: [USCC: Timeline], through lastSeq: Int64) -> VersionIndex? {
        var index = VersionIndex()
        var rows: [(seq: Int64, institution: Int32, position: Int32)] = []
        for timeline in timelines.values {
            let id = index.id(of: timeline.uscc)
            for (position, version) in timeline.allVersions.enumerated() {
                guard 0 < version.seq, version.seq <= lastSeq else { return nil }
                rows.append((version.seq, id, Int32(position)))
            }
        }
        rows.sort { $0.seq < $1.seq }
        guard zip(rows, rows.dropFirst()).allSatisfy({ $0.seq < $1.seq }) else { return nil }
        for row in rows {
            guard let timeline = timelines[index.institutions[Int(row.institution)]] else { return nil }
            let version = timeline.allVersions[Int(row.position)]
            index.appendRow(institution: row.institution, seq: row.seq, effective: Int32(clamping: version.effectiveOn.dayNumber),
                            position: row.position, marks: version.marks.rawValue, retractedBy: version.retractedBy ?? .max)
        }
        return index
    }

    /// The id of an institution's rows, given it on its first version.
    mutating func id(of uscc: USCC) -> Int32 {
        if let id = ids[uscc] { return id }
        let id = Int32(institutions.count)
        institutions.append(uscc)
        ids[uscc] = id
        return id
    }

    /// A new version, later in seq than every row before it.
    mutating func append(institution: Int32, seq: Int64, effectiveOn: LocalDate, position: Int, marks: Marks) {
        appendRow(institution: institution, seq: seq, effective: Int32(clamping: effectiveOn.dayNumber), position: Int32(position),
                  marks: marks.rawValue, retractedBy: .max)
    }

    private mutating func appendRow(institution: Int32, seq: Int64, effective: Int32, position: Int32, marks: UInt8, retractedBy: Int64) {
        precondition(chunks.last?.seq.last.map { $0 < seq } ?? true, "versions are indexed in seq order")
        if chunks.isEmpty || chunks[chunks.count - 1].seq.count == Self.chunkSize { chunks.append(Chunk()) }
        let last = chunks.count - 1
        chunks[last].institution.append(institution)
        chunks[last].seq.append(seq)
        chunks[last].retractedBy.append(retractedBy)
        chunks[last].effective.append(effective)
        chunks[last].position.append(position)
        chunks[last].marks.append(marks)
    }

    /// The version appended at `target` was withdrawn by the event at `seq`.
    mutating func retract(_ target: Int64, by seq: Int64) {
        // The chunk is the last whose first seq is at or below the target; then the row within it.
        var low = 0, high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if chunks[middle].seq[0] <= target { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return }
        let chunk = low - 1
        var first = 0, end = chunks[chunk].seq.count
        while first < end {
            let middle = (first + end) / 2
            if chunks[chunk].seq[middle] < target { first = middle + 1 } else { end = middle }
        }
        guard first < chunks[chunk].seq.count, chunks[chunk].seq[first] == target else { return }
        chunks[chunk].retractedBy[first] = seq
    }

    /// An institution's version in force on a date: the institution's id and the version's position in its timeline.
    struct Winner: Sendable {
        let institution: Int32
        let position: Int32
    }

    /// For each institution with a version in force on `date` as known at `knownAt` whose marks include
    /// `marked`: that version.
    func winners(on date: LocalDate, knownAt: Int64, marked: Marks) -> [Winner] {
        let day = Int32(clamping: date.dayNumber)  // only dates millions of years away reach the clamp
        var best = [Int32](repeating: -1, count: institutions.count)
        var bestMarks = [UInt8](repeating: 0, count: institutions.count)
        best.withUnsafeMutableBufferPointer { best in
            bestMarks.withUnsafeMutableBufferPointer { bestMarks in
                for chunk in chunks {
                    guard chunk.seq[0] <= knownAt else { break }
                    chunk.seq.withUnsafeBufferPointer { seq in
                        chunk.retractedBy.withUnsafeBufferPointer { retractedBy in
                            chunk.effective.withUnsafeBufferPointer { effective in
                                chunk.institution.withUnsafeBufferPointer { institution in
                                    chunk.position.withUnsafeBufferPointer { position in
                                        chunk.marks.withUnsafeBufferPointer { marks in
                                            for row in 0..<seq.count {
                                                guard seq[row] <= knownAt else { break }
                                                guard effective[row] <= day, retractedBy[row] > knownAt else { continue }
                                                let id = Int(institution[row])
                                                best[id] = position[row]
                                                bestMarks[id] = marks[row]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var winners: [Winner] = []
        for id in best.indices where best[id] >= 0 && (bestMarks[id] & marked.rawValue) == marked.rawValue {
            winners.append(Winner(institution: Int32(id), position: best[id]))
        }
        return winners
    }
}
