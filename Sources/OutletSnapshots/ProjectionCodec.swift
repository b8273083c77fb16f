import Dispatch
import Foundation
import OutletDomain
import OutletProjections

/// The body of a snapshot: a `RegistryProjection` as bytes and back (FORMAT.md "Body").
///
/// A version stores only the parts of its state that differ from the version before it in the
/// timeline; the reader copies the rest, so restored versions share storage as folded ones do.
enum ProjectionCodec {
    /// Which parts of a state a version stores (bit i set: part i follows).
    struct Changed: OptionSet {
        let rawValue: UInt16
        static let institution = Changed(rawValue: 1 << 0)
        static let serviceItems = Changed(rawValue: 1 << 1)
        static let application = Changed(rawValue: 1 << 2)
        static let standing = Changed(rawValue: 1 << 3)
        static let rectificationOrderedOn = Changed(rawValue: 1 << 4)
        static let rosterSpells = Changed(rawValue: 1 << 5)
        static let summaryYears = Changed(rawValue: 1 << 6)
        static let bars = Changed(rawValue: 1 << 7)
        /// Set only when `latest` is not the version's own seq and date (which it always is when folded).
        static let latest = Changed(rawValue: 1 << 8)
        static let registrations = Changed(rawValue: 1 << 9)
        static let rectifications = Changed(rawValue: 1 << 10)
        static let publicityDates = Changed(rawValue: 1 << 11)
        static let all = Changed(rawValue: (1 << 12) - 1)

        /// Each part in the set alone, in the order a version stores them.
        var each: some Sequence<Changed> {
            sequence(state: rawValue) { (bits: inout UInt16) -> Changed? in
                guard bits != 0 else { return nil }
                defer { bits &= bits - 1 }
                return Changed(rawValue: bits & (0 &- bits))
            }
        }

        /// The part's place in the order, 0 … 11.
        var place: Int { rawValue.trailingZeroBitCount }
    }

    // MARK: Writing

    /// About the bytes a projection's body takes (a little more: the writer never grows on the way). The
    /// count is a restored snapshot's word for it, so it is not believed past 2^26 events (4 GiB).
    static func capacity(for projection: RegistryProjection) -> Int {
        min(max(projection.eventCount, 0), 1 << 26) * 64 + (1 << 16)
    }

    /// Timelines a share of an encoding on every core takes at least (`Snapshot.make(…, onEveryCore: true)`).
    static let encodingShare = 1_024

    /// The share size `encode` is given: `encodingShare` on every core, else all of them on this thread.
    static func timelinesPerShare(onEveryCore: Bool) -> Int {
        onEveryCore ? encodingShare : .max
    }

    /// The body, written after what `writer` holds already (a snapshot's header, not copied again after).
    /// Timelines whose encoding is in `cache` under the same last applied seq are copied from it; the others
    /// are encoded, in shares of `timelinesPerShare` on every core (`.max`: on this thread alone), then written
    /// in order and put there. The cache is then that of a whole snapshot, which segments can be made over
    /// (`encodeSegment`); `baseSeq` is its seq.
    static func encode(_ projection: RegistryProjection, cache: inout TimelineCache, timelinesPerShare: Int,
                       into writer: inout BinaryWriter) {
        writeTotals(of: projection, into: &writer)
        let order = timelineOrder(of: projection)
        writer.count(order.count)
        let encoded = timelineEncodings(of: projection, order: order, cache: cache, timelinesPerShare: timelinesPerShare)
        var used: [USCC: TimelineCache.Entry] = [:]
        used.reserveCapacity(order.count)
        for timeline in encoded {
            let bytes = timeline.bytes
            writer.count(bytes.count)
            writer.raw(bytes)
            // This snapshot is the base of the segments made with the cache next: each timeline's bytes here.
            if var entry = timeline.entry {
                entry.base = TimelineCache.BaseForm(of: entry)
                used[timeline.uscc] = entry
            }
        }
        cache.entries = used
        let restored = encoded.lazy.compactMap { timeline -> SnapshotTimelines? in
            if case .restored(_, _, let source) = timeline { source } else { nil }
        }
        cache.base = TimelineCache.Base(seq: projection.foldedThrough, timelines: encoded.map(\.uscc), restoredFrom: restored.first,
                                        slots: projection.index.outletRegistrations.count,
                                        lastRegistration: projection.index.outletRegistrations.max() ?? 0)
        write(projection.index, ranks: ranks(of: order), into: &writer)
    }

    /// Parts 1 to 3: the counts of events and of registrations per year, and the outlet numbers.
    static func writeTotals(of projection: RegistryProjection, into writer: inout BinaryWriter) {
        writer.count(projection.eventCount)
        let years = projection.registrationsByYear.sorted { $0.key < $1.key }
        writer.count(years.count)
        for (year, count) in years {
            writer.signed(Int64(year))
            writer.count(count)
        }
        let numbers = projection.outletNumbers.sorted { $0.key < $1.key }
        writer.count(numbers.count)
        for (seq, number) in numbers {
            writer.varint(UInt64(seq))
            writer.inlineString(number)
        }
    }

    /// The index's timeline ids in the order part 4 holds them: by USCC.
    static func timelineOrder(of projection: RegistryProjection) -> [Int] {
        let institutions = projection.index.institutions
        return institutions.indices.sorted { institutions[$0] < institutions[$1] }
    }

    /// Each id's place in `order`: what an index row names its timeline by.
    static func ranks(of order: [Int]) -> [Int32] {
        var ranks = [Int32](repeating: 0, count: order.count)
        for (rank, id) in order.enumerated() { ranks[id] = Int32(rank) }
        return ranks
    }

    /// A timeline's bytes for a snapshot, and how they were come by.
    enum TimelineBytes {
        /// A restored timeline not read since: the bytes of the snapshot it was restored from, as they were.
        case restored(USCC, ArraySlice<UInt8>, SnapshotTimelines)
        /// The cached encoding: the timeline has not changed since it was made.
        case cached(USCC, TimelineCache.Entry)
        /// The cached encoding extended by the versions appended since.
        case extended(USCC, TimelineCache.Entry)
        /// Encoded now, whole.
        case encoded(USCC, TimelineCache.Entry)

        var uscc: USCC {
            switch self {
            case .restored(let uscc, _, _), .cached(let uscc, _), .extended(let uscc, _), .encoded(let uscc, _): uscc
            }
        }

        var bytes: ArraySlice<UInt8> {
            switch self {
            case .restored(_, let bytes, _): bytes
            case .cached(_, let entry), .extended(_, let entry), .encoded(_, let entry): entry.bytes[...]
            }
        }

        /// What the cache keeps for the next snapshot (nil: a restored timeline's bytes, which its source holds).
        var entry: TimelineCache.Entry? {
            switch self {
            case .restored: nil
            case .cached(_, let entry), .extended(_, let entry), .encoded(_, let entry): entry
            }
        }
    }

    /// Each timeline's bytes, in `order`: a restored timeline of this encoding not read since is the snapshot's
    /// bytes as they were (copied, not decoded); else the cached encoding if the timeline has not changed since
    /// it was made, that encoding extended by the versions appended since, or one made now.
    static func timelineEncodings(of projection: RegistryProjection, order: [Int], cache: TimelineCache,
                                  timelinesPerShare: Int) -> [TimelineBytes] {
        let cached = cache.entries
        return elementsInShares(order.count, of: timelinesPerShare) { rank -> TimelineBytes in
            let id = order[rank]
            if let source = projection.unchangedSource(ofTimelineAt: id) as? SnapshotTimelines, source.asEncoded {
                return .restored(projection.index.institutions[id], source.bytes(ofTimelineAt: id), source)
            }
            let timeline = projection.timeline(at: id)
            if let entry = cached[timeline.uscc] {
                if entry.lastAppliedSeq == timeline.lastAppliedSeq { return .cached(timeline.uscc, entry) }
                if var extended = extend(entry, to: timeline) {
                    // Still the base's bytes with more between them: what a segment's pieces say.
                    extended.base = entry.base
                    return .extended(timeline.uscc, extended)
                }
            }
            return .encoded(timeline.uscc, encodeEntry(timeline))
        }
    }

    /// Part 5, the version index: its outlet slots by registration, then its rows in blocks of one chunk,
    /// each row's institution its timeline's place in part 4 (`ranks`, by index id).
    static func write(_ index: VersionIndex, ranks: [Int32], into writer: inout BinaryWriter) {
        let (registrations, slotRanks) = slotsByRegistration(of: index)
        writer.count(registrations.count)
        var previous: Int64 = 0
        for registration in registrations {
            writer.varint(UInt64(registration - previous))
            previous = registration
        }
        writer.count(index.chunks.reduce(0) { $0 + $1.seq.count })
        var block = BinaryWriter(reservingCapacity: VersionIndex.chunkSize * 16)
        for chunk in index.chunks {
            block.clear()
            var previous: (seq: Int64, day: Int64) = (0, 0)
            writeRows(chunk.seq.indices, of: chunk, ranks: ranks, slotRanks: slotRanks, after: &previous, into: &block)
            writer.count(block.bytes.count)
            writer.raw(block.bytes)
        }
    }

    /// The index's outlet slots' registrations, ascending, and each slot's place among them: the order the
    /// snapshot holds them in, so that the same rows always give the same bytes.
    static func slotsByRegistration(of index: VersionIndex) -> (registrations: [Int64], ranks: [Int32]) {
        let registrations = index.outletRegistrations
        let slots = registrations.indices.sorted { registrations[$0] < registrations[$1] }
        var slotRanks = [Int32](repeating: 0, count: slots.count)
        for (rank, slot) in slots.enumerated() { slotRanks[slot] = Int32(rank) }
        return (slots.map { registrations[$0] }, slotRanks)
    }

    /// Rows of a chunk as a block holds them, each seq and day after `previous`'s.
    static func writeRows(_ rows: Range<Int>, of chunk: VersionIndex.Chunk, ranks: [Int32], slotRanks: [Int32],
                          after previous: inout (seq: Int64, day: Int64), into block: inout BinaryWriter) {
        for row in rows {
            let (seq, day) = (chunk.seq[row], Int64(chunk.effective[row]))
            block.varint(UInt64(ranks[Int(chunk.institution[row])]))
            block.varint(UInt64(seq - previous.seq))
            block.varint(chunk.retractedBy[row] == .max ? 0 : UInt64(chunk.retractedBy[row] - seq))
            block.signed(day - previous.day)
            block.byte(chunk.marks[row])
            block.varint(chunk.outlet[row] < 0 ? 0 : UInt64(slotRanks[Int(chunk.outlet[row])]) + 1)
            writeReach(chunk.rosterThrough[row], from: day, into: &block)
            writeReach(chunk.calendarThrough[row], from: day, into: &block)
            writeReach(chunk.lastDeadlineStart[row], from: day, into: &block)
            previous = (seq, day)
        }
    }

    /// One timeline, self-contained: its USCC, its own string table, its institutions, its versions.
    static func encode(_ timeline: Timeline) -> [UInt8] {
        encodeEntry(timeline).bytes
    }

    /// One timeline's encoding, with where its parts lie, for the cache.
    static func encodeEntry(_ timeline: Timeline) -> TimelineCache.Entry {
        // The versions are read where they lie, each state through its address: a version copied out of
        // the array, or its parts gathered into a value, retained every part it refers to and released them
        // after (with the string table's hashing, a quarter of what encoding a timeline cost).
        timeline.allVersions.withUnsafeBufferPointer { versions in
            var encoding = TimelineEncoding(reservingCapacity: versions.count * 48)
            encoding.write(versions, from: 0)
            return encoding.entry(of: timeline, versions, earlierVersions: UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    /// The cached encoding of a timeline extended by the versions appended to it since: the same bytes
    /// `encodeEntry` makes of the whole timeline, as its strings and institutions enter their tables in the
    /// order the versions name them (FORMAT.md, part 4.2), so a new version's go after the old ones'. Nil
    /// (encoded afresh) when the earlier versions are not as they were encoded (`TimelineEncoding(extending:)`).
    /// An automatic snapshot encoded each changed timeline whole, most of it as it was: 70% of its CPU.
    static func extend(_ entry: TimelineCache.Entry, to timeline: Timeline) -> TimelineCache.Entry? {
        let layout = entry.layout
        return timeline.allVersions.withUnsafeBufferPointer { versions in
            entry.bytes.withUnsafeBufferPointer { old in
                guard var encoding = TimelineEncoding(extending: layout, bytes: old, to: versions),
                      let versionsStart = count(at: layout.versionCountAt, in: old)?.end
                else { return nil }
                encoding.write(versions, from: layout.versionCount)
                return encoding.entry(of: timeline, versions, earlierVersions: UnsafeBufferPointer(rebasing: old[versionsStart...]))
            }
        }
    }

    /// A timeline's encoding under way: its string table and versions in one writer, its institutions'
    /// bytes beside them, each institution written at the first version that names it.
    private struct TimelineEncoding {
        var versionBytes: BinaryWriter
        var institutionBytes: [UInt8] = []
        var institutions: [Shared<Institution>] = []
        /// Each institution's place in `institutions`.
        var places: [ObjectIdentifier: Int] = [:]

        init(reservingCapacity capacity: Int) {
            versionBytes = BinaryWriter(reservingCapacity: capacity)
        }

        /// The encoding `layout` describes (its bytes `old`), to go on with the versions of `versions` after
        /// those it holds; nil if they are not as they were encoded: fewer, one retracted since, or not the
        /// same institutions' boxes — a timeline of another fold (restored from a snapshot) holds boxes of its
        /// own, whose places the encoding does not know.
        init?(extending layout: TimelineCache.Layout, bytes old: UnsafeBufferPointer<UInt8>, to versions: UnsafeBufferPointer<Timeline.Version>) {
            let encoded = layout.versionCount
            guard encoded >= 1, versions.count > encoded, (versions.baseAddress! + encoded - 1).pointee.seq == layout.lastSeq,
                  ProjectionCodec.retractions(among: UnsafeBufferPointer(rebasing: versions[..<encoded])) == layout.retractions
            else { return nil }
            for (place, institution) in layout.institutions.enumerated() { places[ObjectIdentifier(institution)] = place }
            var previousInstitution: ObjectIdentifier?
            for index in 0..<encoded {
                guard let shared = Timeline.Version.state(of: versions.baseAddress! + index).pointee.sharedInstitution,
                      ObjectIdentifier(shared) != previousInstitution else { continue }
                guard places[ObjectIdentifier(shared)] != nil else { return nil }
                previousInstitution = ObjectIdentifier(shared)
            }
            guard let strings = ProjectionCodec.count(at: layout.tableCountAt, in: old),
                  let institutionsStart = ProjectionCodec.count(at: layout.institutionCountAt, in: old)?.end,
                  let table = try? StringTable(encoded: UnsafeBufferPointer(rebasing: old[strings.end..<layout.institutionCountAt]),
                                               count: strings.value)
            else { return nil }
            institutions = layout.institutions
            versionBytes = BinaryWriter(continuing: table, reservingCapacity: (versions.count - encoded) * 48)
            institutionBytes = Array(UnsafeBufferPointer(rebasing: old[institutionsStart..<layout.versionCountAt]))
        }

        /// Versions `from…` of `versions`, each after the one before it (the first after an empty state).
        mutating func write(_ versions: UnsafeBufferPointer<Timeline.Version>, from first: Int) {
            var previousSeq: Int64 = first == 0 ? 0 : (versions.baseAddress! + first - 1).pointee.seq
            // The event types met, with their places in the string table: a timeline has a few, and every
            // version names one (looked up by its string, it was hashed a million times a snapshot).
            var types: [(type: EventType, string: Int)] = []
            var previousInstitution: ObjectIdentifier?
            withUnsafePointer(to: InstitutionState()) { empty in
                var previous = first == 0 ? empty : Timeline.Version.state(of: versions.baseAddress! + first - 1)
                for index in first..<versions.count {
                    let version = versions.baseAddress! + index
                    let state = Timeline.Version.state(of: version)
                    // A timeline's versions share one institution until it changes: looked up only then.
                    if let shared = state.pointee.sharedInstitution, ObjectIdentifier(shared) != previousInstitution {
                        previousInstitution = ObjectIdentifier(shared)
                        if places[ObjectIdentifier(shared)] == nil {
                            places[ObjectIdentifier(shared)] = institutions.count
                            institutions.append(shared)
                            // Its strings enter the table here, before the version's own.
                            swap(&versionBytes.bytes, &institutionBytes)
                            ProjectionCodec.write(shared, into: &versionBytes)
                            swap(&versionBytes.bytes, &institutionBytes)
                        }
                    }
                    versionBytes.varint(UInt64(version.pointee.seq - previousSeq))
                    previousSeq = version.pointee.seq
                    let type = version.pointee.type
                    if let known = types.first(where: { $0.type == type }) {
                        versionBytes.count(known.string)
                    } else {
                        types.append((type, versionBytes.index(of: type.rawValue)))
                        versionBytes.count(types[types.count - 1].string)
                    }
                    versionBytes.signed(Int64(version.pointee.effectiveOn.dayNumber))
                    versionBytes.varint(version.pointee.retractedBy.map { UInt64($0) } ?? 0)
                    ProjectionCodec.write(state, after: previous, seq: version.pointee.seq, effectiveOn: version.pointee.effectiveOn,
                                          institutions: places, into: &versionBytes)
                    previous = state
                }
            }
        }

        /// The timeline's bytes — its USCC, string table, institutions, then `earlierVersions` (those encoded
        /// before, as they were) and the versions written here — with where each part lies.
        func entry(of timeline: Timeline, _ versions: UnsafeBufferPointer<Timeline.Version>,
                   earlierVersions: UnsafeBufferPointer<UInt8>) -> TimelineCache.Entry {
            let table = versionBytes.table
            var blob = BinaryWriter(reservingCapacity: table.encoded.count + institutionBytes.count + earlierVersions.count
                                        + versionBytes.bytes.count + 48)
            blob.inlineString(timeline.uscc.code)
            let tableCountAt = blob.bytes.count
            blob.count(table.count)
            blob.raw(table.encoded)
            let institutionCountAt = blob.bytes.count
            blob.count(institutions.count)
            blob.raw(institutionBytes)
            let versionCountAt = blob.bytes.count
            blob.count(versions.count)
            blob.raw(earlierVersions)
            blob.raw(versionBytes.bytes)
            let lastSeq = versions.isEmpty ? 0 : (versions.baseAddress! + versions.count - 1).pointee.seq
            let layout = TimelineCache.Layout(versionCount: versions.count, lastSeq: lastSeq, retractions: retractions(among: versions),
                                              institutions: institutions, tableCountAt: tableCountAt, institutionCountAt: institutionCountAt,
                                              versionCountAt: versionCountAt)
            return TimelineCache.Entry(lastAppliedSeq: timeline.lastAppliedSeq, bytes: blob.bytes, layout: layout)
        }
    }

    /// The count at `offset` of an encoding, and where the bytes after it start (nil: not a count there).
    static func count(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (value: Int, end: Int)? {
        var reader = BinaryReader(UnsafeRawBufferPointer(bytes), offset: offset)
        return (try? reader.count()).map { ($0, reader.offset) }
    }

    /// How many of `versions` are retracted: a retraction marks an encoded version, so an encoding that held
    /// fewer is not extended.
    private static func retractions(among versions: UnsafeBufferPointer<Timeline.Version>) -> Int {
        var count = 0
        for index in versions.indices where (versions.baseAddress! + index).pointee.retractedBy != nil { count += 1 }
        return count
    }

    /// A version's state as the parts that differ from the version before it (FORMAT.md "State parts"), both
    /// read where they lie.
    private static func write(_ state: UnsafePointer<InstitutionState>, after previous: UnsafePointer<InstitutionState>,
                              seq: Int64, effectiveOn: LocalDate, institutions: [ObjectIdentifier: Int], into writer: inout BinaryWriter)
    {
        var changed: Changed = []
        if state.pointee.sharedInstitution !== previous.pointee.sharedInstitution { changed.insert(.institution) }
        // Strings compared as bytes, as they are stored (`StringTable`).
        if !StringTable.sameBytes(state.pointee.serviceItems, previous.pointee.serviceItems) { changed.insert(.serviceItems) }
        if !sameBytes(state.pointee.application, previous.pointee.application) { changed.insert(.application) }
        if state.pointee.standing != previous.pointee.standing { changed.insert(.standing) }
        if state.pointee.rectificationOrderedOn != previous.pointee.rectificationOrderedOn { changed.insert(.rectificationOrderedOn) }
        if !same(state.pointee.rosterSpells, previous.pointee.rosterSpells) { changed.insert(.rosterSpells) }
        if !same(state.pointee.summaryYears, previous.pointee.summaryYears) { changed.insert(.summaryYears) }
        if !same(state.pointee.bars, previous.pointee.bars) { changed.insert(.bars) }
        if state.pointee.latest.map({ $0.seq != seq || $0.effectiveOn != effectiveOn }) ?? true { changed.insert(.latest) }
        if !same(state.pointee.registrations, previous.pointee.registrations) { changed.insert(.registrations) }
        if !same(state.pointee.rectifications, previous.pointee.rectifications) { changed.insert(.rectifications) }
        if !same(state.pointee.publicityDates, previous.pointee.publicityDates) { changed.insert(.publicityDates) }
        writer.varint(UInt64(changed.rawValue))

        if changed.contains(.institution) {
            writer.count(state.pointee.sharedInstitution.map { institutions[ObjectIdentifier($0)]! + 1 } ?? 0)
        }
        if changed.contains(.serviceItems) { writeStrings(state.pointee.serviceItems, into: &writer) }
        if changed.contains(.application) {
            if let application = state.pointee.application {
                writer.byte(1)
                date(application.submittedOn, into: &writer)
                writer.string(application.district)
                optionalDate(application.recommendedOn, into: &writer)
                if let publicity = application.publicity {
                    writer.byte(1)
                    date(publicity.on, into: &writer)
                    writer.string(publicity.noticeNo)
                } else {
                    writer.byte(0)
                }
                writer.count(application.objections.count)
                for objection in application.objections {
                    writer.string(objection.id)
                    date(objection.raisedOn, into: &writer)
                    optionalRaw(objection.outcome, into: &writer)
                }
            } else {
                writer.byte(0)
            }
        }
        if changed.contains(.standing) { write(state.pointee.standing, into: &writer) }
        if changed.contains(.rectificationOrderedOn) { optionalDate(state.pointee.rectificationOrderedOn, into: &writer) }
        if changed.contains(.rosterSpells) {
            writer.count(state.pointee.rosterSpells.count)
            for spell in state.pointee.rosterSpells {
                date(spell.from, into: &writer)
                optionalDate(spell.through, into: &writer)
            }
        }
        if changed.contains(.summaryYears) {
            writer.count(state.pointee.summaryYears.count)
            for year in state.pointee.summaryYears { writer.signed(Int64(year)) }
        }
        if changed.contains(.bars) {
            writer.count(state.pointee.bars.count)
            for bar in state.pointee.bars {
                date(bar.from, into: &writer)
                date(bar.through, into: &writer)
                writer.string(bar.ground.rawValue)
            }
        }
        if changed.contains(.latest) {
            if let latest = state.pointee.latest {
                writer.byte(1)
                writer.varint(UInt64(latest.seq))
                date(latest.effectiveOn, into: &writer)
            } else {
                writer.byte(0)
            }
        }
        if changed.contains(.registrations) {
            writer.count(state.pointee.registrations.count)
            for registration in state.pointee.registrations {
                writer.varint(UInt64(registration.seq))
                date(registration.on, into: &writer)
                date(registration.validThrough, into: &writer)
                optionalDate(registration.endedOn, into: &writer)
            }
        }
        if changed.contains(.rectifications) {
            writer.count(state.pointee.rectifications.count)
            for rectification in state.pointee.rectifications {
                date(rectification.orderedOn, into: &writer)
                optionalDate(rectification.completedOn, into: &writer)
            }
        }
        if changed.contains(.publicityDates) {
            writer.count(state.pointee.publicityDates.count)
            for day in state.pointee.publicityDates { date(day, into: &writer) }
        }
    }

    /// The same part as the version before's. Asked first of the arrays' storage, which a version shares with
    /// the one before until the part changes, without reading it: reading each array's count to compare them
    /// was a cache miss apiece, an eighth of encoding a snapshot.
    @inline(__always)
    private static func same<Element: Equatable>(_ left: [Element], _ right: [Element]) -> Bool {
        left.withUnsafeBufferPointer { $0.baseAddress } == right.withUnsafeBufferPointer { $0.baseAddress } || left == right
    }

    /// Whether two applications are the same as stored: equal, and their strings the same bytes.
    private static func sameBytes(_ left: InstitutionState.Application?, _ right: InstitutionState.Application?) -> Bool {
        guard left == right else { return false }
        guard let left, let right else { return true }
        func strings(_ application: InstitutionState.Application) -> [String] {
            [application.district] + (application.publicity.map { [$0.noticeNo] } ?? []) + application.objections.map(\.id)
        }
        return StringTable.sameBytes(strings(left), strings(right))
    }

    /// A day a row's state reaches: 0 for none (`Int32.min`), 1 for no end (`Int32.max`), else its distance
    /// from the row's effective day as a zigzag, plus 2.
    private static func writeReach(_ reach: Int32, from day: Int64, into writer: inout BinaryWriter) {
        switch reach {
        case .min: writer.varint(0)
        case .max: writer.varint(1)
        default:
            let distance = Int64(reach) - day
            writer.varint(UInt64(bitPattern: (distance << 1) ^ (distance >> 63)) + 2)
        }
    }

    /// Standing: a tag byte (FORMAT.md lists them), then its fields.
    private static func write(_ standing: InstitutionState.Standing, into writer: inout BinaryWriter) {
        switch standing {
        case .none: writer.byte(0)
        case .applying: writer.byte(1)
        case .declined(let on):
            writer.byte(2)
            date(on, into: &writer)
        case .registered(let on, let validThrough):
            writer.byte(3)
            date(on, into: &writer)
            date(validThrough, into: &writer)
        case .included(let level, let on):
            writer.byte(4)
            writer.string(level.rawValue)
            date(on, into: &writer)
        case .revoked(let on, let ground):
            writer.byte(5)
            date(on, into: &writer)
            writer.string(ground.rawValue)
        case .terminated(let on):
            writer.byte(6)
            date(on, into: &writer)
        case .superseded(let on, let designation):
            writer.byte(7)
            date(on, into: &writer)
            writer.string(designation.rawValue)
        case .inclusionEnded(let on):
            writer.byte(8)
            date(on, into: &writer)
        }
    }

    /// An institution read field by field from its box: `box.value` passed on, or taken into a local, copied
    /// the whole of it first (its dozen strings' reference counts, each a cache miss, and their undoing).
    private static func write(_ box: Shared<Institution>, into writer: inout BinaryWriter) {
        writer.string(box.value.name)
        writer.string(box.value.uscc.code)
        writer.string(box.value.nature)
        writer.string(box.value.category.rawValue)
        writer.string(box.value.district)
        writer.string(box.value.address)
        writer.string(box.value.principal.name)
        writer.string(box.value.principal.title)
        writer.signed(Int64(box.value.totalStaff))
        writer.string(box.value.department.name)
        writer.string(box.value.department.head)
        writer.string(box.value.department.phone)
        writer.string(box.value.contact.name)
        writer.string(box.value.contact.phone)
        if let website = box.value.website {
            writer.byte(1)
            writer.string(website.name)
            writer.string(website.url)
        } else {
            writer.byte(0)
        }
        if let wechat = box.value.wechat {
            writer.byte(1)
            writer.string(wechat)
        } else {
            writer.byte(0)
        }
    }

    private static func writeStrings(_ values: [String], into writer: inout BinaryWriter) {
        writer.count(values.count)
        for value in values { writer.string(value) }
    }

    private static func date(_ value: LocalDate, into writer: inout BinaryWriter) {
        writer.signed(Int64(value.dayNumber))
    }

    /// 0 for none, else the day number's zigzag form plus one.
    private static func optionalDate(_ value: LocalDate?, into writer: inout BinaryWriter) {
        guard let value else { return writer.varint(0) }
        let day = Int64(value.dayNumber)
        writer.varint(UInt64(bitPattern: (day << 1) ^ (day >> 63)) + 1)
    }

    private static func optionalRaw<T: RawRepresentable<String>>(_ value: T?, into writer: inout BinaryWriter) {
        if let value {
            writer.byte(1)
            writer.string(value.rawValue)
        } else {
            writer.byte(0)
        }
    }

    // MARK: Reading

    /// The projection the body at `reader` holds.
    /// - Parameters:
    ///   - indexed: the body ends with the version index (part 5; format 3 on).
    ///   - deferring: the bytes `reader` reads, kept so that each timeline is decoded when a query first
    ///     reads it, and how (an indexed body only); and whether a timeline's bytes are as this program encodes
    ///     it (format 4 on), to be copied into a new snapshot while unchanged. Without them every timeline is
    ///     decoded now, and the index stored is checked against the one the timelines give: what `verify` and
    ///     the fuzzer rely on.
    ///   - timelines: part 4 as a segment's composition left it, not read from `reader` (which then ends after part
    ///     3): for a deferred load only (a full one reads the composition's bytes, `TimelineSpans.content`).
    ///   - index: part 5 as a segment's composition made it, not read from `reader`.
    static func decode(from reader: inout BinaryReader, periods: Periods, foldedThrough: Int64, indexed: Bool,
                       deferring: (content: [UInt8], deferral: Deferral, asEncoded: Bool)? = nil,
                       timelines composed: TimelineSpans? = nil, index given: IndexParts? = nil) throws(SnapshotError) -> RegistryProjection
    {
        // Counts of events, not of items that follow: checked for range, not against the bytes left.
        let eventCount = try int(Int64(clamping: reader.varint()), &reader)
        var registrationsByYear: [Int: Int] = [:]
        for _ in 0..<(try reader.count(minimumSize: 2)) {
            let year = try int(reader.signed(), &reader)
            registrationsByYear[year] = try int(Int64(clamping: reader.varint()), &reader)
        }
        var outletNumbers: [Int64: String] = [:]
        let numberCount = try reader.count(minimumSize: 2)
        outletNumbers.reserveCapacity(numberCount)
        for _ in 0..<numberCount {
            let seq = try readSeq(&reader)
            outletNumbers[seq] = try reader.inlineString()
        }
        // Where each timeline's bytes are (one pass over the lengths), so that every core reads its share.
        var spans: [Range<Int>] = []
        if composed == nil {
            let timelineCount = try reader.count(minimumSize: 2)
            spans.reserveCapacity(timelineCount)
            for _ in 0..<timelineCount {
                let length = try reader.count()
                let start = reader.offset
                _ = try reader.raw(length)
                spans.append(start..<(start + length))
            }
        }
        if indexed, let (content, deferral, asEncoded) = deferring {
            let timelines = composed ?? TimelineSpans(contents: [content], spans: spans)
            // Each timeline's institution, for the index's ids; the rest of its bytes wait for a query.
            var institutions: [USCC] = []
            institutions.reserveCapacity(timelines.spans.count)
            for id in timelines.spans.indices {
                try timelines.reading(id) { (bytes) throws(SnapshotError) in
                    var head = BinaryReader(bytes)
                    // Its code's bytes, checked as a USCC (ASCII) without a string made of them.
                    let code = try head.raw(head.count()).assumingMemoryBound(to: UInt8.self)
                    guard let uscc = try? USCC(validating: code) else {
                        throw .corrupt("timeline of \"\(String(decoding: code, as: UTF8.self))\", not a USCC, at byte \(timelines.spans[id].lowerBound)")
                    }
                    institutions.append(uscc)
                }
            }
            var versionCounts: [Int32] = []
            let index = try indexParts(given, &reader, foldedThrough: foldedThrough)
                .index(institutions: institutions, outletNumbers: outletNumbers, foldedThrough: foldedThrough, rowCounts: &versionCounts)
            return RegistryProjection(periods: periods, index: index,
                                      source: SnapshotTimelines(timelines, foldedThrough: foldedThrough, asEncoded: asEncoded),
                                      versionCounts: versionCounts, keepsTimelines: deferral == .keepingTimelines, outletNumbers: outletNumbers,
                                      registrationsByYear: registrationsByYear, foldedThrough: foldedThrough, eventCount: eventCount)
        }
        precondition(composed == nil, "a composition's timelines are read in full from its bytes (TimelineSpans.content)")
        var timelines: [Timeline] = []
        var rows: [TimelineRows] = []
        var institutions: Set<USCC> = []
        timelines.reserveCapacity(spans.count)
        rows.reserveCapacity(spans.count)
        institutions.reserveCapacity(spans.count)
        // In the order written, so that the damage named is the first there is, as a reader in one pass finds it.
        for share in readTimelines(spans, reader, foldedThrough: foldedThrough) {
            for (timeline, span) in zip(share.timelines, spans[share.spans]) {
                guard institutions.insert(timeline.uscc).inserted else {
                    throw .corrupt("second timeline of \(timeline.uscc) at byte \(span.upperBound)")
                }
                timelines.append(timeline)
            }
            rows.append(contentsOf: share.rows)
            if let damage = share.damage { throw damage }
        }
        guard let projection = RegistryProjection(periods: periods, timelines: timelines, rows: consume rows, outletNumbers: outletNumbers,
                                                  registrationsByYear: registrationsByYear, foldedThrough: foldedThrough, eventCount: eventCount)
        else { throw reader.corrupt("two versions with one seq") }
        if indexed {
            var versionCounts: [Int32] = []
            let stored = try indexParts(given, &reader, foldedThrough: foldedThrough)
                .index(institutions: projection.index.institutions, outletNumbers: outletNumbers, foldedThrough: foldedThrough,
                       rowCounts: &versionCounts)
            if let seq = projection.index.firstDisagreement(with: stored) {
                throw .corrupt("the version index disagrees with the timelines at seq \(seq)")
            }
        }
        return projection
    }

    /// Where each timeline's bytes lie: a span of one of `contents` — a whole snapshot's content, or a segment's
    /// composition's (the base's content, the segment's, and the changed timelines' bytes pieced together).
    struct TimelineSpans: Sendable {
        var contents: [[UInt8]]
        /// Each timeline's place in `contents`; empty when every one is in the first.
        var buffers: [UInt8] = []
        var spans: [Range<Int>] = []

        func buffer(of id: Int) -> Int { buffers.isEmpty ? 0 : Int(buffers[id]) }

        /// `prefix` (a content's header and parts 1 to 3), then part 4 as a whole snapshot holds these timelines.
        func content(after prefix: [UInt8]) -> [UInt8] {
            var content = BinaryWriter(reservingCapacity: prefix.count + spans.reduce(0) { $0 + $1.count + 5 } + 10)
            content.raw(prefix)
            content.count(spans.count)
            for id in spans.indices {
                content.count(spans[id].count)
                content.raw(contents[buffer(of: id)][spans[id]])
            }
            return content.bytes
        }

        /// The timeline's bytes.
        func reading<T>(_ id: Int, _ body: (UnsafeRawBufferPointer) throws(SnapshotError) -> T) throws(SnapshotError) -> T {
            try withBytes(of: contents[buffer(of: id)]) { bytes throws(SnapshotError) in
                try body(UnsafeRawBufferPointer(rebasing: bytes[spans[id]]))
            }
        }
    }

    /// Part 5 as read, before it is checked and made an index: the outlet slots' registrations and the rows.
    struct IndexParts {
        var registrations: [Int64]
        var chunks: [VersionIndex.Chunk]
        /// Where it was read, for the damage named.
        let offset: Int

        /// The index, refused unless its rows are what a fold makes (`VersionIndex(restoring:…)`).
        func index(institutions: [USCC], outletNumbers: [Int64: String], foldedThrough: Int64,
                   rowCounts: inout [Int32]) throws(SnapshotError) -> VersionIndex {
            do {
                return try VersionIndex(restoring: chunks, institutions: institutions, registrations: registrations,
                                        outletNumbers: outletNumbers, through: foldedThrough, rowCounts: &rowCounts)
            } catch {
                throw .corrupt("version index at byte \(offset): \(error.reason)")
            }
        }
    }

    /// `given`, else part 5 read from `reader`.
    private static func indexParts(_ given: IndexParts?, _ reader: inout BinaryReader, foldedThrough: Int64) throws(SnapshotError) -> IndexParts {
        if let given { return given }
        return try readIndexParts(&reader, foldedThrough: foldedThrough)
    }

    /// Part 5, as `write(_:ranks:into:)` writes it, its blocks read in shares on every core.
    static func readIndexParts(_ reader: inout BinaryReader, foldedThrough: Int64) throws(SnapshotError) -> IndexParts {
        let start = reader.offset
        var registrations: [Int64] = []
        var previous: Int64 = 0
        for _ in 0..<(try reader.count()) {
            let gap = try reader.varint()
            guard gap >= 1, gap <= UInt64(foldedThrough - previous) else { throw reader.corrupt("outlet slot registrations out of order") }
            previous += Int64(gap)
            registrations.append(previous)
        }
        // Nine bytes a row at least: six numbers, the marks, three reaches.
        let rowCount = try reader.count(minimumSize: 9)
        let chunkSize = VersionIndex.chunkSize
        var spans: [Range<Int>] = []
        for _ in 0..<((rowCount + chunkSize - 1) / chunkSize) {
            let length = try reader.count()
            let at = reader.offset
            _ = try reader.raw(length)
            spans.append(at..<(at + length))
        }
        let blocks = spans
        var chunks = [VersionIndex.Chunk](repeating: VersionIndex.Chunk(), count: blocks.count)
        var damage = [SnapshotError?](repeating: nil, count: blocks.count)
        chunks.withUnsafeMutableBufferPointer { chunkBuffer in
            damage.withUnsafeMutableBufferPointer { damageBuffer in
                // Each iteration writes its own block's elements; the bytes are read, never written.
                nonisolated(unsafe) let (chunks, damage, source) = (chunkBuffer, damageBuffer, reader)
                DispatchQueue.concurrentPerform(iterations: blocks.count) { number in
                    var reader = source
                    reader.move(to: blocks[number].lowerBound)
                    do throws(SnapshotError) {
                        chunks[number] = try readBlock(&reader, rows: min(chunkSize, rowCount - number * chunkSize))
                        guard reader.offset == blocks[number].upperBound else {
                            throw reader.corrupt("index block \(number) ends \(reader.offset - blocks[number].upperBound) bytes off its length")
                        }
                    } catch {
                        damage[number] = error
                    }
                }
            }
        }
        if let first = damage.first(where: { $0 != nil }) { throw first! }
        return IndexParts(registrations: registrations, chunks: chunks, offset: start)
    }

    /// One block of index rows: every column but the position, which the index counts.
    static func readBlock(_ reader: inout BinaryReader, rows: Int) throws(SnapshotError) -> VersionIndex.Chunk {
        var chunk = VersionIndex.Chunk()
        var previousSeq: Int64 = 0, previousDay: Int64 = 0
        for _ in 0..<rows {
            let institution = try reader.varint()
            guard institution <= UInt64(Int32.max) else { throw reader.corrupt("index row of institution \(institution)") }
            let gap = try reader.varint()
            guard gap >= 1, gap <= UInt64(Int64.max - previousSeq) else { throw reader.corrupt("index row seq out of order") }
            let seq = previousSeq + Int64(gap)
            let retraction = try reader.varint()
            guard retraction <= UInt64(Int64.max - seq) else { throw reader.corrupt("index row retraction out of range") }
            let dayGap = try reader.signed()
            let (day, overflow) = previousDay.addingReportingOverflow(dayGap)
            guard !overflow, day > Int64(Int32.min), day < Int64(Int32.max) else { throw reader.corrupt("index row day out of range") }
            let marks = try reader.byte()
            guard marks <= VersionIndex.Marks.barred.rawValue else { throw reader.corrupt("index row marks \(marks)") }
            let outlet = try reader.varint()
            guard outlet <= UInt64(Int32.max) else { throw reader.corrupt("index row outlet slot \(outlet)") }
            chunk.institution.append(Int32(institution))
            chunk.seq.append(seq)
            chunk.retractedBy.append(retraction == 0 ? .max : seq + Int64(retraction))
            chunk.effective.append(Int32(day))
            chunk.marks.append(marks)
            chunk.outlet.append(Int32(outlet) - 1)
            chunk.rosterThrough.append(try readReach(&reader, from: day))
            chunk.calendarThrough.append(try readReach(&reader, from: day))
            chunk.lastDeadlineStart.append(try readReach(&reader, from: day))
            (previousSeq, previousDay) = (seq, day)
        }
        return chunk
    }

    /// A reach as `writeReach` writes it; a day that would be one of its two marks is not one it writes.
    private static func readReach(_ reader: inout BinaryReader, from day: Int64) throws(SnapshotError) -> Int32 {
        let value = try reader.varint()
        switch value {
        case 0: return .min
        case 1: return .max
        default:
            let distance = Int64(bitPattern: (value - 2) >> 1) ^ -Int64(bitPattern: (value - 2) & 1)
            let (reach, overflow) = day.addingReportingOverflow(distance)
            guard !overflow, reach > Int64(Int32.min), reach < Int64(Int32.max) else { throw reader.corrupt("index row reach out of range") }
            return Int32(reach)
        }
    }

    /// The timelines of a run of spans, up to the first damaged one.
    private struct Share: Sendable {
        var spans: Range<Int>
        var timelines: [Timeline] = []
        /// Each timeline's rows of the version index, worked out while its versions are in this core's cache.
        var rows: [TimelineRows] = []
        var damage: SnapshotError?
    }

    /// The timelines at `spans`, read in shares on every core: a timeline is self-contained (its own
    /// strings and institutions), and restoring a million versions is most of what loading a snapshot costs.
    private static func readTimelines(_ spans: [Range<Int>], _ reader: BinaryReader, foldedThrough: Int64) -> [Share] {
        // Shares of about equal bytes, a few per core, so that a core finishing early takes another.
        let total = spans.last.map { $0.upperBound - spans[0].lowerBound } ?? 0
        let shareCount = max(1, min(spans.count, ProcessInfo.processInfo.activeProcessorCount * 4, total / (1 << 16)))
        var shares: [Share] = []
        var first = 0
        for share in 0..<shareCount where first < spans.count {
            let endByte = spans[0].lowerBound + total / shareCount * (share + 1)
            var end = first + 1
            while end < spans.count && (share == shareCount - 1 || spans[end].upperBound <= endByte) { end += 1 }
            shares.append(Share(spans: first..<end))
            first = end
        }
        shares.withUnsafeMutableBufferPointer { buffer in
            // Each iteration reads its own share and writes only that share's element; the bytes are read, never written.
            nonisolated(unsafe) let shares = buffer
            nonisolated(unsafe) let source = reader
            DispatchQueue.concurrentPerform(iterations: shares.count) { index in
                var share = shares[index]
                var reader = source
                share.timelines.reserveCapacity(share.spans.count)
                share.rows.reserveCapacity(share.spans.count)
                do throws(SnapshotError) {
                    for span in spans[share.spans] {
                        let timeline = try readTimeline(spanning: span, &reader, foldedThrough: foldedThrough)
                        share.timelines.append(timeline)
                        share.rows.append(TimelineRows(of: timeline))
                    }
                } catch {
                    share.damage = error
                }
                shares[index] = share
            }
        }
        return shares
    }

    /// The timeline whose bytes are `span`, which it must fill exactly.
    static func readTimeline(spanning span: Range<Int>, _ reader: inout BinaryReader, foldedThrough: Int64) throws(SnapshotError) -> Timeline {
        reader.move(to: span.lowerBound)
        let timeline = try readTimeline(&reader, foldedThrough: foldedThrough)
        guard reader.offset == span.upperBound else {
            throw reader.corrupt("timeline of \(timeline.uscc) ends \(reader.offset - span.upperBound) bytes off its length")
        }
        return timeline
    }

    static func readTimeline(_ reader: inout BinaryReader, foldedThrough: Int64) throws(SnapshotError) -> Timeline {
        var versions: [Timeline.Version] = []
        let uscc = try readVersions(&reader, foldedThrough: foldedThrough, counted: { versions.reserveCapacity($0) }) { version, parts in
            versions.append(Timeline.Version(seq: version.seq, type: version.type, effectiveOn: version.effectiveOn,
                                             state: InstitutionState(parts: parts), retractedBy: version.retractedBy))
            return true
        }
        return Timeline(uscc: uscc, versions: versions)
    }

    /// The timeline continued from its version at `position` (`Timeline.continued`): the versions before it are
    /// passed over as `readState` passes over them, that one and those after it are decoded.
    static func readTimeline(_ reader: inout BinaryReader, from position: Int, foldedThrough: Int64) throws(SnapshotError) -> Timeline {
        var versions: [Timeline.Version] = []
        let uscc = try readVersions(&reader, foldedThrough: foldedThrough, from: position) { version, parts in
            versions.append(Timeline.Version(seq: version.seq, type: version.type, effectiveOn: version.effectiveOn,
                                             state: InstitutionState(parts: parts), retractedBy: version.retractedBy))
            return true
        }
        return Timeline.continued(uscc: uscc, from: position, versions: versions)
    }

    /// The timeline's institution and the state of its version at `position` alone: the versions before it
    /// are read into one set of parts and none is kept (what a query reading one version of many timelines
    /// wants, a roster's), the strings and institutions it passes over are not made, and the bytes after it
    /// are not read.
    static func readState(_ reader: inout BinaryReader, at position: Int, foldedThrough: Int64) throws(SnapshotError)
        -> (uscc: USCC, state: InstitutionState)
    {
        var state: InstitutionState?
        let uscc = try readVersions(&reader, foldedThrough: foldedThrough, from: position) { _, parts in
            state = InstitutionState(parts: parts)
            return false
        }
        guard let state else { throw reader.corrupt("no version \(position) in the timeline of \(uscc)") }
        return (uscc, state)
    }

    /// What a version is besides its state.
    struct VersionHead {
        let seq: Int64
        let type: EventType
        let effectiveOn: LocalDate
        let retractedBy: Int64?
    }

    /// Reads a timeline's USCC, strings and institutions, then hands each version's head and the state's
    /// parts as of it to `body` in stream order, until `body` says stop (false) or the versions end;
    /// `counted` is told how many there are first. `from`: only the versions from that position on are
    /// handed on, and only what they need is made of the strings and institutions (the rest are checked for form).
    @inline(__always)
    private static func readVersions(_ reader: inout BinaryReader, foldedThrough: Int64, from wanted: Int? = nil,
                                     counted: (Int) -> Void = { _ in },
                                     _ body: (VersionHead, InstitutionState.Parts) -> Bool) throws(SnapshotError) -> USCC
    {
        let code = try reader.inlineString()
        guard let uscc = USCC(code) else { throw reader.corrupt("timeline of \"\(code)\", not a USCC,") }
        try reader.readStringTable(eagerly: wanted == nil)
        var institutions = try InstitutionTable(&reader, eagerly: wanted == nil)
        let versionCount = try reader.count(minimumSize: 5)
        counted(versionCount)
        // The parts as of the version being read, changed in place: each version's state is one copy of them.
        var parts = InstitutionState().parts
        // Their institution, as its place in the table plus one (0: none); made into `parts` when handed on.
        var (institution, madeInstitution) = (0, 0)
        var previousSeq: Int64 = 0
        // Reading one version alone: where the last version before it that stored each part stored it (-1: none).
        var lastStored = InlineArray<12, Int>(repeating: -1)
        // The event types met so far, by their string: a timeline has a few, and matching a type's name for
        // every version was a twelfth of restoring.
        var types: [(string: Int, type: EventType)] = []
        func eventType(named string: Int) throws(SnapshotError) -> EventType {
            if let known = types.first(where: { $0.string == string }) { return known.type }
            let type = try named(EventType.self, reader.tableString(string), reader)
            types.append((string, type))
            return type
        }
        for number in 0..<versionCount {
            let gap = try reader.varint()
            guard gap >= 1, gap <= UInt64(foldedThrough - previousSeq) else { throw reader.corrupt("version seq out of order") }
            let seq = previousSeq + Int64(gap)
            previousSeq = seq
            let string = try reader.stringIndex()
            // Every version's type is checked where it is read, unless one version alone is handed on.
            let checked = wanted == nil ? try eventType(named: string) : nil
            let effectiveDay = try dayNumber(&reader)
            let retraction = try reader.varint()
            guard retraction == 0 || (retraction > UInt64(seq) && retraction <= UInt64(foldedThrough)) else {
                throw reader.corrupt("retraction seq \(retraction) of version \(seq)")
            }
            let changed = try readChanged(&reader)
            if let wanted, number <= wanted {
                guard number == wanted else {
                    // Before the version wanted, each part is passed over, its place remembered: the state wanted
                    // holds the last of each, read once (`latest` is the version's own unless it stores one).
                    for part in changed.each {
                        if part != .latest { lastStored[part.place] = reader.offset }
                        try skipPart(part, &reader)
                    }
                    continue
                }
                let resume = reader.offset
                for place in 0..<lastStored.count where lastStored[place] >= 0 && !changed.contains(Changed(rawValue: 1 << place)) {
                    reader.move(to: lastStored[place])
                    try readPart(Changed(rawValue: 1 << place), into: &parts, institution: &institution, of: institutions.count, &reader)
                }
                reader.move(to: resume)
            }
            let effectiveOn = LocalDate(dayNumber: effectiveDay)
            try readParts(changed, into: &parts, institution: &institution, of: institutions.count, seq: seq, effectiveOn: effectiveOn, &reader)
            if institution != madeInstitution {
                parts.institution = institution == 0 ? nil : try institutions.institution(at: institution - 1, &reader)
                madeInstitution = institution
            }
            let type = if let checked { checked } else { try eventType(named: string) }
            let head = VersionHead(seq: seq, type: type, effectiveOn: effectiveOn, retractedBy: retraction == 0 ? nil : Int64(retraction))
            guard body(head, parts) else { break }
        }
        return uscc
    }

    /// A timeline's institutions: each made once it is asked for (or all at once, `eagerly`), the same
    /// shared value for every version that names it.
    private struct InstitutionTable {
        /// Where each institution's bytes start, for those not made yet.
        private var starts: [Int] = []
        private var made: [Shared<Institution>?] = []
        var count: Int { made.count }

        init(_ reader: inout BinaryReader, eagerly: Bool) throws(SnapshotError) {
            let count = try reader.count(minimumSize: 17)
            made.reserveCapacity(count)
            if !eagerly { starts.reserveCapacity(count) }
            for _ in 0..<count {
                if eagerly {
                    made.append(Shared(try readInstitution(&reader)))
                } else {
                    starts.append(reader.offset)
                    try skipInstitution(&reader)
                    made.append(nil)
                }
            }
        }

        /// The institution at `index`, read from where it starts if not made yet (`reader` is left where it was).
        mutating func institution(at index: Int, _ reader: inout BinaryReader) throws(SnapshotError) -> Shared<Institution> {
            if let institution = made[index] { return institution }
            let resume = reader.offset
            reader.move(to: starts[index])
            let institution = Shared(try readInstitution(&reader))
            reader.move(to: resume)
            made[index] = institution
            return institution
        }
    }

    /// Applies one version's `changed` parts, which follow, to the parts of the version before it.
    /// Their institution is not among the parts set: `institution` is set to its place in the table plus one
    /// (0: none), of `institutionCount`.
    private static func readParts(_ changed: Changed, into parts: inout InstitutionState.Parts, institution: inout Int,
                                  of institutionCount: Int, seq: Int64, effectiveOn: LocalDate, _ reader: inout BinaryReader) throws(SnapshotError)
    {
        parts.latest = (seq, effectiveOn)
        for part in changed.each { try readPart(part, into: &parts, institution: &institution, of: institutionCount, &reader) }
    }

    /// Which parts a version stores.
    private static func readChanged(_ reader: inout BinaryReader) throws(SnapshotError) -> Changed {
        let mask = try reader.varint()
        guard mask <= UInt64(Changed.all.rawValue) else { throw reader.corrupt("unknown parts \(mask)") }
        return Changed(rawValue: UInt16(mask))
    }

    /// One part of a version, as `write(_:after:…)` writes it, in place of the part before it.
    private static func readPart(_ part: Changed, into parts: inout InstitutionState.Parts, institution: inout Int, of institutionCount: Int,
                                 _ reader: inout BinaryReader) throws(SnapshotError)
    {
        switch part {
        case .institution:
            let index = try reader.varint()
            guard index <= UInt64(institutionCount) else { throw reader.corrupt("institution \(index) of \(institutionCount)") }
            institution = Int(index)
        case .serviceItems:
            parts.serviceItems = try array(&reader) { reader throws(SnapshotError) in try reader.string() }
        case .application:
            if try flag(&reader) {
                var application = InstitutionState.Application(submittedOn: try date(&reader), district: try reader.string())
                application.recommendedOn = try optionalDate(&reader)
                if try flag(&reader) {
                    application.publicity = InstitutionState.Publicity(restoring: try date(&reader), noticeNo: try reader.string())
                }
                for _ in 0..<(try reader.count(minimumSize: 3)) {
                    let id = try reader.string()
                    let raised = try date(&reader)
                    let outcome = try flag(&reader) ? try raw(ObjectionResolved.Outcome.self, &reader) : nil
                    application.objections.append(InstitutionState.ObjectionRecord(restoring: id, raisedOn: raised, outcome: outcome))
                }
                parts.application = application
            } else {
                parts.application = nil
            }
        case .standing: parts.standing = try readStanding(&reader)
        case .rectificationOrderedOn: parts.rectificationOrderedOn = try optionalDate(&reader)
        case .rosterSpells:
            parts.rosterSpells = try array(&reader, minimumSize: 2) { reader throws(SnapshotError) in
                InstitutionState.RosterSpell(restoring: try date(&reader), through: try optionalDate(&reader))
            }
        case .summaryYears:
            var previous: Int?
            parts.summaryYears = try array(&reader) { reader throws(SnapshotError) in
                let year = try int(reader.signed(), &reader)
                guard previous.map({ $0 < year }) ?? true else { throw reader.corrupt("summary year \(year) out of order") }
                previous = year
                return year
            }
        case .bars:
            parts.bars = try array(&reader, minimumSize: 3) { reader throws(SnapshotError) in
                InstitutionState.Bar(restoring: try date(&reader), through: try date(&reader), ground: try raw(Barred3Years.Ground.self, &reader))
            }
        case .latest:
            parts.latest = try flag(&reader) ? (try readSeq(&reader), try date(&reader)) : nil
        case .registrations:
            parts.registrations = try array(&reader, minimumSize: 4) { reader throws(SnapshotError) in
                InstitutionState.RegistrationRecord(restoring: try readSeq(&reader), on: try date(&reader), validThrough: try date(&reader),
                                                    endedOn: try optionalDate(&reader))
            }
        case .rectifications:
            parts.rectifications = try array(&reader, minimumSize: 2) { reader throws(SnapshotError) in
                InstitutionState.RectificationRecord(restoring: try date(&reader), completedOn: try optionalDate(&reader))
            }
        case .publicityDates:
            parts.publicityDates = try array(&reader) { reader throws(SnapshotError) in try date(&reader) }
        default:
            preconditionFailure("one part at a time")
        }
    }

    /// A count, then that many elements each of `minimumSize` bytes at least, read into an array made once at
    /// its size (appended to from empty, a part of a dozen years was made five times over).
    @inline(__always)
    private static func array<Element>(_ reader: inout BinaryReader, minimumSize: Int = 1,
                                       _ element: (inout BinaryReader) throws(SnapshotError) -> Element) throws(SnapshotError) -> [Element]
    {
        let count = try reader.count(minimumSize: minimumSize)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&reader)) }
        return elements
    }

    /// How many numbers and strings follow each standing's tag, as `readStanding` reads them.
    private static let standingFields = [0, 0, 1, 2, 2, 2, 1, 2, 1]

    /// Passes over one part as `readPart` reads it, checking its numbers, flags and string indices for form
    /// alone: a state read alone reads only the last of each part before it (`readPart` checks that one whole).
    /// (The two change together.)
    private static func skipPart(_ part: Changed, _ reader: inout BinaryReader) throws(SnapshotError) {
        switch part {
        case .institution, .rectificationOrderedOn: _ = try reader.varint()
        case .serviceItems:
            for _ in 0..<(try reader.count()) { _ = try reader.stringIndex() }
        case .application:
            guard try flag(&reader) else { return }
            _ = try reader.varint()  // submitted on
            _ = try reader.stringIndex()  // district
            _ = try reader.varint()  // recommended on
            if try flag(&reader) {
                _ = try reader.varint()  // publicity
                _ = try reader.stringIndex()  // its notice number
            }
            for _ in 0..<(try reader.count(minimumSize: 3)) {
                _ = try reader.stringIndex()  // id
                _ = try reader.varint()  // raised on
                if try flag(&reader) { _ = try reader.stringIndex() }  // outcome
            }
        case .standing:
            let tag = Int(try reader.byte())
            guard standingFields.indices.contains(tag) else { throw reader.corrupt("unknown standing \(tag)") }
            for _ in 0..<standingFields[tag] { _ = try reader.varint() }
        case .rosterSpells:
            for _ in 0..<(try reader.count(minimumSize: 2)) { _ = try reader.varint(); _ = try reader.varint() }
        case .summaryYears, .publicityDates:
            for _ in 0..<(try reader.count()) { _ = try reader.varint() }
        case .bars:
            for _ in 0..<(try reader.count(minimumSize: 3)) { _ = try reader.varint(); _ = try reader.varint(); _ = try reader.stringIndex() }
        case .latest:
            if try flag(&reader) { _ = try reader.varint(); _ = try reader.varint() }
        case .registrations:
            for _ in 0..<(try reader.count(minimumSize: 4)) { for _ in 0..<4 { _ = try reader.varint() } }
        case .rectifications:
            for _ in 0..<(try reader.count(minimumSize: 2)) { _ = try reader.varint(); _ = try reader.varint() }
        default:
            preconditionFailure("one part at a time")
        }
    }

    private static func readStanding(_ reader: inout BinaryReader) throws(SnapshotError) -> InstitutionState.Standing {
        switch try reader.byte() {
        case 0: return .none
        case 1: return .applying
        case 2: return .declined(on: try date(&reader))
        case 3: return .registered(on: try date(&reader), validThrough: try date(&reader))
        case 4: return .included(level: try raw(AutoIncluded.Level.self, &reader), on: try date(&reader))
        case 5: return .revoked(on: try date(&reader), ground: try raw(Revoked.Ground.self, &reader))
        case 6: return .terminated(on: try date(&reader))
        case 7: return .superseded(on: try date(&reader), designation: try raw(Superseded.Designation.self, &reader))
        case 8: return .inclusionEnded(on: try date(&reader))
        case let tag: throw reader.corrupt("unknown standing \(tag)")
        }
    }

    /// (`skipInstitution` passes over the same fields: the two change together.)
    private static func readInstitution(_ reader: inout BinaryReader) throws(SnapshotError) -> Institution {
        let name = try reader.string()
        let code = try reader.string()
        guard let uscc = USCC(code) else { throw reader.corrupt("institution USCC \"\(code)\"") }
        return Institution(
            name: name, uscc: uscc, nature: try reader.string(), category: try raw(Category.self, &reader),
            district: try reader.string(), address: try reader.string(),
            principal: Principal(name: try reader.string(), title: try reader.string()),
            totalStaff: try int(reader.signed(), &reader),
            department: Department(name: try reader.string(), head: try reader.string(), phone: try reader.string()),
            contact: Contact(name: try reader.string(), phone: try reader.string()),
            website: try flag(&reader) ? Website(name: try reader.string(), url: try reader.string()) : nil,
            wechat: try flag(&reader) ? try reader.string() : nil)
    }

    /// Passes over an institution as `readInstitution` reads it, checking its string indices and flags
    /// alone (its strings are made, and checked, if it is read).
    private static func skipInstitution(_ reader: inout BinaryReader) throws(SnapshotError) {
        for _ in 0..<8 { _ = try reader.stringIndex() }  // name … principal's title
        _ = try int(reader.signed(), &reader)  // total staff
        for _ in 0..<5 { _ = try reader.stringIndex() }  // department, contact
        if try flag(&reader) { for _ in 0..<2 { _ = try reader.stringIndex() } }  // website
        if try flag(&reader) { _ = try reader.stringIndex() }  // WeChat
    }

    private static func flag(_ reader: inout BinaryReader) throws(SnapshotError) -> Bool {
        switch try reader.byte() {
        case 0: return false
        case 1: return true
        case let other: throw reader.corrupt("flag \(other)")
        }
    }

    private static func int(_ value: Int64, _ reader: inout BinaryReader) throws(SnapshotError) -> Int {
        // Not `abs(value)`: the most negative Int64 has no absolute value and would trap.
        guard (-(1 << 40)...(1 << 40)).contains(value) else { throw reader.corrupt("number \(value) out of range") }
        return Int(value)
    }

    private static func readSeq(_ reader: inout BinaryReader) throws(SnapshotError) -> Int64 {
        let value = try reader.varint()
        guard value >= 1, value <= UInt64(Int64.max) else { throw reader.corrupt("seq \(value)") }
        return Int64(value)
    }

    /// Day numbers from 0001-01-01 to about 12000: dates a registry can hold, with room for periods past 9999.
    private static let dayRange: ClosedRange<Int64> = -719_162...3_663_648

    private static func date(_ reader: inout BinaryReader) throws(SnapshotError) -> LocalDate {
        LocalDate(dayNumber: try dayNumber(&reader))
    }

    /// A date's day number, not made a date yet (a version passed over needs none).
    private static func dayNumber(_ reader: inout BinaryReader) throws(SnapshotError) -> Int {
        let day = try reader.signed()
        guard dayRange.contains(day) else { throw reader.corrupt("day number \(day) out of range") }
        return Int(day)
    }

    private static func optionalDate(_ reader: inout BinaryReader) throws(SnapshotError) -> LocalDate? {
        let value = try reader.varint()
        guard value > 0 else { return nil }
        let day = Int64(bitPattern: (value - 1) >> 1) ^ -Int64(bitPattern: (value - 1) & 1)
        guard dayRange.contains(day) else { throw reader.corrupt("day number \(day) out of range") }
        return LocalDate(dayNumber: Int(day))
    }

    private static func raw<T: RawRepresentable<String>>(_: T.Type, _ reader: inout BinaryReader) throws(SnapshotError) -> T {
        try named(T.self, try reader.string(), reader)
    }

    /// The value `text` names, or damage at where `reader` is.
    private static func named<T: RawRepresentable<String>>(_: T.Type, _ text: String, _ reader: BinaryReader) throws(SnapshotError) -> T {
        guard let value = T(rawValue: text) else { throw reader.corrupt("\"\(text)\" is not a \(T.self)") }
        return value
    }
}

/// Each timeline's encoding as of its last applied seq: a timeline that has not changed since the
/// previous snapshot is copied, not encoded again, so a snapshot costs what changed plus a copy.
public struct TimelineCache: Sendable {
    struct Entry: Sendable {
        let lastAppliedSeq: Int64
        let bytes: [UInt8]
        let layout: Layout
        /// The timeline as the whole snapshot of the cache (`base`) holds it, when these bytes are those with more
        /// between them (extended since, never encoded afresh); nil otherwise.
        var base: BaseForm?
    }

    /// Where the parts of a timeline's bytes lie in a whole snapshot: what a segment's pieces copy.
    struct BaseForm: Sendable {
        let lastAppliedSeq: Int64
        let tableCountAt: Int
        let tableAt: Int
        let institutionCountAt: Int
        let institutionsAt: Int
        let versionCountAt: Int
        let versionsAt: Int
        let end: Int

        init(of entry: Entry) {
            let layout = entry.layout
            func after(_ countAt: Int) -> Int {
                entry.bytes.withUnsafeBufferPointer { ProjectionCodec.count(at: countAt, in: $0)!.end }
            }
            lastAppliedSeq = entry.lastAppliedSeq
            (tableCountAt, tableAt) = (layout.tableCountAt, after(layout.tableCountAt))
            (institutionCountAt, institutionsAt) = (layout.institutionCountAt, after(layout.institutionCountAt))
            (versionCountAt, versionsAt) = (layout.versionCountAt, after(layout.versionCountAt))
            end = entry.bytes.count
        }
    }

    /// What `ProjectionCodec.extend` goes on from: what the encoding holds, and where its parts lie in it.
    struct Layout: Sendable {
        let versionCount: Int
        let lastSeq: Int64
        /// How many of those versions were retracted then.
        let retractions: Int
        /// Its institutions, in their order: held, so that a box's identity stays its own.
        let institutions: [Shared<Institution>]
        let tableCountAt: Int
        let institutionCountAt: Int
        let versionCountAt: Int
    }

    var entries: [USCC: Entry] = [:]
    /// The whole snapshot `entries` are the timelines of (nil: none was made with this cache yet).
    var base: Base?

    /// The seq of that snapshot, which the segments made with this cache are over.
    public var baseSeq: Int64? { base?.seq }

    /// A whole snapshot, as a segment over it needs it.
    struct Base: Sendable {
        let seq: Int64
        /// Its timelines' USCCs, in their order.
        let timelines: [USCC]
        /// The restored timelines whose bytes it copied (`ProjectionCodec.TimelineBytes.restored`): one still
        /// restored from the same source is as the base holds it. Held, so that its identity stays its own.
        let restoredFrom: SnapshotTimelines?
        /// How many outlet slots it has, and the newest registration among theirs: a segment's go on after them.
        let slots: Int
        let lastRegistration: Int64
        /// Its body's SHA-256 and its content's size, once made.
        var digest: [UInt8] = []
        var contentSize = 0
        /// The segments made over it since, and the size of the last one's content.
        var segments = 0
        var lastSegmentSize = 0
    }

    public init() {}
}

/// A loaded snapshot's timelines, each decoded when a query first reads it (its bytes are self-contained).
final class SnapshotTimelines: TimelineSource {
    /// Where the timelines' bytes lie: a whole snapshot's content (header included), or a segment's composition's
    /// buffers (`ProjectionCodec.TimelineSpans`).
    private let timelines: ProjectionCodec.TimelineSpans
    private let foldedThrough: Int64
    /// Each timeline's bytes are what `ProjectionCodec.encode` makes of it (format 4 on): copied, not encoded
    /// again, into the next snapshot while it is unchanged.
    let asEncoded: Bool

    init(_ timelines: ProjectionCodec.TimelineSpans, foldedThrough: Int64, asEncoded: Bool) {
        self.timelines = timelines
        self.foldedThrough = foldedThrough
        self.asEncoded = asEncoded
    }

    /// `body` given a reader of the bytes timeline `id` lies in, and its span there.
    private func reading<T>(_ id: Int, _ body: (inout BinaryReader, Range<Int>) throws(SnapshotError) -> T) throws(SnapshotError) -> T {
        try withBytes(of: timelines.contents[timelines.buffer(of: id)]) { bytes throws(SnapshotError) in
            var reader = BinaryReader(bytes, offset: timelines.spans[id].lowerBound)
            return try body(&reader, timelines.spans[id])
        }
    }

    func timeline(at id: Int) throws -> Timeline {
        try reading(id) { (reader, span) throws(SnapshotError) in try ProjectionCodec.readTimeline(spanning: span, &reader, foldedThrough: foldedThrough) }
    }

    func timeline(at id: Int, from position: Int) throws -> Timeline {
        try reading(id) { (reader, span) throws(SnapshotError) in
            let timeline = try ProjectionCodec.readTimeline(&reader, from: position, foldedThrough: foldedThrough)
            guard reader.offset == span.upperBound else {
                throw reader.corrupt("timeline of \(timeline.uscc) ends \(reader.offset - span.upperBound) bytes off its length")
            }
            return timeline
        }
    }

    func state(at id: Int, position: Int) throws -> (uscc: USCC, state: InstitutionState) {
        // The result is handed out of the closure, not returned through it: a typed-throwing closure returning
        // this tuple through `withUnsafeBytes` crashes the Swift 6.3 compiler.
        var read: Result<(uscc: USCC, state: InstitutionState), SnapshotError>?
        let span = timelines.spans[id]
        timelines.contents[timelines.buffer(of: id)].withUnsafeBytes { bytes in
            var reader = BinaryReader(bytes, offset: span.lowerBound)
            read = Result { () throws(SnapshotError) in
                let state = try ProjectionCodec.readState(&reader, at: position, foldedThrough: foldedThrough)
                guard reader.offset <= span.upperBound else { throw reader.corrupt("timeline of \(state.uscc) runs past its length") }
                return state
            }
        }
        return try read!.get()
    }

    /// The timeline's bytes as the snapshot holds them: its encoding, which the same format writes again.
    func bytes(ofTimelineAt id: Int) -> ArraySlice<UInt8> {
        timelines.contents[timelines.buffer(of: id)][timelines.spans[id]]
    }
}
