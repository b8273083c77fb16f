import OutletDomain
import OutletProjections

/// A segment (snapshot format 5, FORMAT.md "Segments"): the state after `seq` as the changes since a whole
/// snapshot, its base. An automatic snapshot behind appends writes one from the timeline cache and the index
/// it already holds: the timelines unchanged since the base are named, not copied; a timeline that only gained
/// versions is the base's bytes with the new ones between them (`ProjectionCodec.extend`); the index, its rows
/// after the base's and the retractions since. A reader composes the base and the segment into what the whole
/// snapshot it stands for holds.
extension ProjectionCodec {
    /// What part 4 of a segment says of the next timelines, as a varint `n << 2 | kind`.
    enum SegmentStep: UInt64 {
        /// The base's next `n` timelines, as they are.
        case copy = 0
        /// A timeline the base has not: `n` bytes follow.
        case new = 1
        /// The base's next timeline, changed: `n` pieces follow, each some of its bytes or bytes given here.
        case replace = 2
    }

    /// The segment's body after its base's seq and digest: parts 1 to 3 as a whole snapshot writes them, part 4
    /// as steps over the base's timelines, part 5 as what the index gained since. False (the bytes written
    /// meaningless, the cache as it was) when the base holds what the projection has not — a timeline, an outlet
    /// slot out of its order: only a whole snapshot can say that. The cache then holds each timeline's encoding
    /// now (as after a whole snapshot, so that the next segment extends what changed since this one, not since
    /// the base), each with where its parts lie in the base.
    static func encodeSegment(_ projection: RegistryProjection, cache: inout TimelineCache, base: TimelineCache.Base, timelinesPerShare: Int,
                              into writer: inout BinaryWriter) -> Bool {
        let order = timelineOrder(of: projection)
        let encoded = timelineEncodings(of: projection, order: order, cache: cache, timelinesPerShare: timelinesPerShare)
        writeTotals(of: projection, into: &writer)
        writer.count(order.count)
        var next = 0
        var copies = 0
        func step(_ kind: SegmentStep, _ n: Int) {
            if copies > 0 { writer.varint(UInt64(copies) << 2 | SegmentStep.copy.rawValue) }
            copies = 0
            if n > 0 { writer.varint(UInt64(n) << 2 | kind.rawValue) }
        }
        for timeline in encoded {
            guard next == base.timelines.count || timeline.uscc <= base.timelines[next] else { return false }
            guard next < base.timelines.count, timeline.uscc == base.timelines[next] else {
                let bytes = timeline.bytes
                step(.new, bytes.count)
                writer.raw(bytes)
                continue
            }
            next += 1
            switch timeline {
            case .restored(_, _, let source) where source === base.restoredFrom:
                copies += 1
            case .cached(_, let entry), .extended(_, let entry):
                guard let form = entry.base else { fallthrough }
                if entry.lastAppliedSeq == form.lastAppliedSeq {
                    copies += 1
                } else {
                    let pieces = self.pieces(of: entry, over: form)
                    step(.replace, pieces.count)
                    for piece in pieces { write(piece, of: entry.bytes[...], into: &writer) }
                }
            default:
                let bytes = timeline.bytes
                step(.replace, 1)
                write(.given(bytes.indices), of: bytes, into: &writer)
            }
        }
        guard next == base.timelines.count else { return false }
        step(.copy, 0)
        var used: [USCC: TimelineCache.Entry] = [:]
        used.reserveCapacity(encoded.count)
        for timeline in encoded { if let entry = timeline.entry { used[timeline.uscc] = entry } }
        guard writeIndexChanges(projection.index, ranks: ranks(of: order), since: base, into: &writer) else { return false }
        cache.entries = used
        return true
    }

    /// Part 5 of a segment: what the index gained since the base — the outlet slots of registrations after the
    /// base's (which the base's slots precede), the base's rows retracted since, and the rows after the base's
    /// seq. False when the base's slots are not the first (only a whole snapshot can say so).
    static func writeIndexChanges(_ index: VersionIndex, ranks: [Int32], since base: TimelineCache.Base,
                                  into writer: inout BinaryWriter) -> Bool {
        let (registrations, slotRanks) = slotsByRegistration(of: index)
        guard registrations.count >= base.slots,
              base.slots == 0 || registrations[base.slots - 1] == base.lastRegistration
        else { return false }
        writer.count(registrations.count - base.slots)
        var previous = base.lastRegistration
        for registration in registrations[base.slots...] {
            writer.varint(UInt64(registration - previous))
            previous = registration
        }
        // The rows after the base's seq end the index (each chunk's found by seq); the base's rows are passed over
        // for the retractions since.
        var retracted: [(seq: Int64, by: Int64)] = []
        var after: [(chunk: Int, rows: Range<Int>)] = []
        for (number, chunk) in index.chunks.enumerated() {
            let first = rows(of: chunk, through: base.seq)
            for row in 0..<first where chunk.retractedBy[row] != .max && chunk.retractedBy[row] > base.seq {
                retracted.append((chunk.seq[row], chunk.retractedBy[row]))
            }
            if first < chunk.seq.count { after.append((number, first..<chunk.seq.count)) }
        }
        writer.count(retracted.count)
        var previousSeq: Int64 = 0
        for (seq, by) in retracted {
            writer.varint(UInt64(seq - previousSeq))
            writer.varint(UInt64(by - seq))
            previousSeq = seq
        }
        writer.count(after.reduce(0) { $0 + $1.rows.count })
        var previousRow: (seq: Int64, day: Int64) = (0, 0)
        for (number, rows) in after {
            writeRows(rows, of: index.chunks[number], ranks: ranks, slotRanks: slotRanks, after: &previousRow, into: &writer)
        }
        return true
    }

    /// Some bytes of a changed timeline: `fromBase`, a range of the base's bytes of it; `given`, a range of its
    /// new bytes, written into the segment.
    enum Piece: Equatable {
        case fromBase(Range<Int>)
        case given(Range<Int>)
    }

    /// `entry` as the base's bytes of its timeline (`form`) and the new ones between them: each of its three
    /// tables (strings, institutions, versions) is the base's with more after it, under a new count (format 4's
    /// order; `extend` keeps it).
    static func pieces(of entry: TimelineCache.Entry, over form: TimelineCache.BaseForm) -> [Piece] {
        let layout = entry.layout
        return entry.bytes.withUnsafeBufferPointer { bytes in
            var pieces: [Piece] = [.fromBase(0..<form.tableCountAt)]
            var given = layout.tableCountAt
            let tables = [(form.tableAt, form.institutionCountAt, layout.tableCountAt, layout.institutionCountAt),
                          (form.institutionsAt, form.versionCountAt, layout.institutionCountAt, layout.versionCountAt),
                          (form.versionsAt, form.end, layout.versionCountAt, bytes.count)]
            for (baseItems, baseEnd, countAt, end) in tables {
                // The new count, the base's items as they were, then the new items.
                let items = count(at: countAt, in: bytes)!.end
                pieces.append(.given(given..<items))
                pieces.append(.fromBase(baseItems..<baseEnd))
                given = items + (baseEnd - baseItems)
                pieces.append(.given(given..<end))
                given = end
            }
            // A given piece followed by another is one piece; an empty one is none.
            var merged: [Piece] = []
            for piece in pieces {
                if case .given(let range) = piece, range.isEmpty { continue }
                if case .given(let range) = piece, case .given(let previous)? = merged.last, previous.upperBound == range.lowerBound {
                    merged[merged.count - 1] = .given(previous.lowerBound..<range.upperBound)
                } else {
                    merged.append(piece)
                }
            }
            return merged
        }
    }

    /// A piece as `varint (length << 1 | given)`, then its bytes if given, else its offset in the base's bytes.
    private static func write(_ piece: Piece, of bytes: ArraySlice<UInt8>, into writer: inout BinaryWriter) {
        switch piece {
        case .fromBase(let range):
            writer.varint(UInt64(range.count) << 1)
            writer.count(range.lowerBound)
        case .given(let range):
            writer.varint(UInt64(range.count) << 1 | 1)
            writer.raw(bytes[range])
        }
    }

    /// What a segment stands for: the start of the whole snapshot's content (format 4) — `header` and the
    /// segment's parts 1 to 3 —, where each of its timelines' bytes lie (the base's timelines with the segment's
    /// steps applied: a timeline copied or new is read where the base or the segment holds it, a changed one
    /// pieced together apart), and its index, the base's with the segment's changes. `segment` and `base` are the
    /// two contents; `reader` reads the segment from its part 1, `baseStart` is where the base's part 1 is, and
    /// `baseSeq` and `seq` their seqs. Damage is an error naming the byte, never a trap; `decode` checks the rest.
    static func compose(header: [UInt8], segment: [UInt8], reader: inout BinaryReader, base: [UInt8], baseStart: Int, baseSeq: Int64,
                        seq: Int64) throws(SnapshotError) -> (prefix: [UInt8], timelines: TimelineSpans, index: IndexParts)
    {
        try withBytes(of: base) { baseBytes throws(SnapshotError) in
            let totalsStart = reader.offset
            try skipTotals(&reader)
            let prefix = header + Array(try reader.bytes(totalsStart..<reader.offset))
            var baseReader = BinaryReader(baseBytes, offset: baseStart)
            try skipTotals(&baseReader)
            // Each base timeline's bytes, as part 4 holds them.
            var baseTimelines: [Range<Int>] = []
            for _ in 0..<(try baseReader.count()) {
                let length = try baseReader.count()
                let start = baseReader.offset
                _ = try baseReader.raw(length)
                baseTimelines.append(start..<baseReader.offset)
            }
            // A copy step of one byte stands for many timelines: the count is bounded by the base's and the bytes left.
            let declared = try reader.varint()
            guard declared <= UInt64(baseTimelines.count + reader.remaining) else { throw reader.corrupt("\(declared) timelines") }
            let count = Int(declared)
            // The base's content, the segment's, and the changed timelines' bytes.
            var timelines = TimelineSpans(contents: [base, segment])
            timelines.buffers.reserveCapacity(count)
            timelines.spans.reserveCapacity(count)
            var changed = BinaryWriter()
            // Each base timeline's place among the composed ones: what the base's index rows are renumbered to.
            var places = [Int32](repeating: 0, count: baseTimelines.count)
            var next = 0
            while timelines.spans.count < count {
                let head = try reader.varint()
                let n = Int(clamping: head >> 2)
                switch SegmentStep(rawValue: head & 3) {
                case .copy:
                    guard n >= 1, n <= baseTimelines.count - next, n <= count - timelines.spans.count else {
                        throw reader.corrupt("a copy of \(n) timelines, \(baseTimelines.count - next) of the base's left")
                    }
                    for offset in 0..<n {
                        places[next + offset] = Int32(timelines.spans.count)
                        timelines.buffers.append(0)
                        timelines.spans.append(baseTimelines[next + offset])
                    }
                    next += n
                case .new:
                    let start = reader.offset
                    _ = try reader.raw(n)
                    timelines.buffers.append(1)
                    timelines.spans.append(start..<reader.offset)
                case .replace:
                    guard n >= 1, n <= reader.remaining, next < baseTimelines.count else { throw reader.corrupt("a change of \(n) pieces") }
                    let old = baseTimelines[next]
                    let start = changed.bytes.count
                    for _ in 0..<n {
                        let head = try reader.varint()
                        let length = Int(clamping: head >> 1)
                        if head & 1 == 1 {
                            changed.raw(try reader.raw(length))
                        } else {
                            let offset = Int(clamping: try reader.varint())
                            guard offset <= old.count, length <= old.count - offset else {
                                throw reader.corrupt("a piece of bytes \(offset)..<\(offset + length) of a base timeline of \(old.count)")
                            }
                            changed.raw(UnsafeRawBufferPointer(rebasing: baseBytes[(old.lowerBound + offset)..<(old.lowerBound + offset + length)]))
                        }
                    }
                    places[next] = Int32(timelines.spans.count)
                    timelines.buffers.append(2)
                    timelines.spans.append(start..<changed.bytes.count)
                    next += 1
                case nil:
                    throw reader.corrupt("a step of kind \(head & 3)")
                }
            }
            guard next == baseTimelines.count else {
                throw reader.corrupt("\(baseTimelines.count - next) of the base's timelines left unaccounted for")
            }
            timelines.contents.append(changed.bytes)
            var index = try readIndexParts(&baseReader, foldedThrough: baseSeq)
            guard baseReader.isAtEnd else { throw baseReader.corrupt("\(baseReader.remaining) bytes after the base's body") }
            try applyIndexChanges(&reader, to: &index, places: places, baseSeq: baseSeq, seq: seq)
            return (prefix, timelines, index)
        }
    }

    /// The base's index with a segment's part 5 applied: its rows renumbered to the composed timelines (`places`),
    /// the slots and rows after the base's added, the retractions since set. `decode` checks what this makes.
    private static func applyIndexChanges(_ segment: inout BinaryReader, to index: inout IndexParts, places: [Int32], baseSeq: Int64,
                                          seq: Int64) throws(SnapshotError) {
        var previous = index.registrations.last ?? 0
        for _ in 0..<(try segment.count()) {
            let gap = try segment.varint()
            guard gap >= 1, gap <= UInt64(seq - previous) else { throw segment.corrupt("outlet slot registrations out of order") }
            previous += Int64(gap)
            index.registrations.append(previous)
        }
        for number in index.chunks.indices {
            try index.chunks[number].institution.withUnsafeMutableBufferPointer { (institutions) throws(SnapshotError) in
                for row in institutions.indices {
                    guard institutions[row] >= 0, Int(institutions[row]) < places.count else {
                        throw .corrupt("the base's index names timeline \(institutions[row]) of \(places.count)")
                    }
                    institutions[row] = places[Int(institutions[row])]
                }
            }
        }
        var previousSeq: Int64 = 0
        for _ in 0..<(try segment.count(minimumSize: 2)) {
            let gap = try segment.varint()
            guard gap >= 1, gap <= UInt64(baseSeq - previousSeq) else { throw segment.corrupt("a retraction of a row out of order") }
            let target = previousSeq + Int64(gap)
            let distance = try segment.varint()
            guard distance >= 1, distance <= UInt64(seq - target), target + Int64(distance) > baseSeq else {
                throw segment.corrupt("a retraction of seq \(target) by one out of range")
            }
            guard let (chunk, row) = VersionIndex.place(of: target, in: index.chunks), index.chunks[chunk].retractedBy[row] == .max else {
                throw segment.corrupt("a retraction of seq \(target), no row of the base's not retracted")
            }
            index.chunks[chunk].retractedBy[row] = target + Int64(distance)
            previousSeq = target
        }
        let added = try readBlock(&segment, rows: segment.count(minimumSize: 9))
        var row = 0
        while row < added.seq.count {
            if index.chunks.last.map({ $0.seq.count == VersionIndex.chunkSize }) ?? true { index.chunks.append(VersionIndex.Chunk()) }
            let last = index.chunks.count - 1
            let take = min(VersionIndex.chunkSize - index.chunks[last].seq.count, added.seq.count - row)
            index.chunks[last].append(added, rows: row..<(row + take))
            row += take
        }
    }

    /// How many of a chunk's rows (ascending by seq) have a seq at or below `seq`.
    private static func rows(of chunk: VersionIndex.Chunk, through seq: Int64) -> Int {
        chunk.seq.withUnsafeBufferPointer { VersionIndex.rowCount(of: $0, before: seq + 1) }
    }

    /// Passes over parts 1 to 3; `decode` reads and checks them.
    private static func skipTotals(_ reader: inout BinaryReader) throws(SnapshotError) {
        _ = try reader.varint()
        for _ in 0..<(try reader.count(minimumSize: 2)) {
            _ = try reader.varint()
            _ = try reader.varint()
        }
        for _ in 0..<(try reader.count(minimumSize: 2)) {
            _ = try reader.varint()
            _ = try reader.raw(reader.count())
        }
    }
}

extension VersionIndex.Chunk {
    /// `rows` of `other` after this chunk's, every column but the position (which the index's check counts).
    fileprivate mutating func append(_ other: VersionIndex.Chunk, rows: Range<Int>) {
        institution.append(contentsOf: other.institution[rows])
        seq.append(contentsOf: other.seq[rows])
        retractedBy.append(contentsOf: other.retractedBy[rows])
        effective.append(contentsOf: other.effective[rows])
        marks.append(contentsOf: other.marks[rows])
        outlet.append(contentsOf: other.outlet[rows])
        rosterThrough.append(contentsOf: other.rosterThrough[rows])
        calendarThrough.append(contentsOf: other.calendarThrough[rows])
        lastDeadlineStart.append(contentsOf: other.lastDeadlineStart[rows])
    }
}
