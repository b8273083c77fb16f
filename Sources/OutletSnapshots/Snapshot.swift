import Dispatch
import OutletDomain
import OutletProjections

/// What a snapshot says of itself, in the first 92 bytes of its content (60 in format 1; FORMAT.md "Header").
public struct SnapshotHeader: Sendable, Equatable {
    public static let magic = Array("OUTLSNAP".utf8)
    /// The header of the current format; format 1's ends before the content digest.
    public static let size = 92
    static let formatOneSize = 60
    /// The newest layout this program writes and reads.
    public static let currentFormatVersion: UInt16 = 4
    /// The first layout that stores the version index (part 5), so that its timelines can wait for a query.
    public static let indexedFormatVersion: UInt16 = 3
    /// The first whose timelines' strings are in the order this program writes them (FORMAT.md, part 4.2):
    /// a timeline unchanged since can be copied into a new snapshot as it is stored.
    public static let namingOrderFormatVersion: UInt16 = 4
    /// A segment: the changes since a whole snapshot of format 4, its base, which it needs to load
    /// (FORMAT.md "Segments"). Whole snapshots stay of format 4.
    public static let segmentFormatVersion: UInt16 = 5

    public var formatVersion: UInt16
    /// `RegistryProjection.projectionVersion` of the fold that made it.
    public var projectionVersion: UInt16
    /// The last event folded.
    public var seq: Int64
    /// That event's chain hash (hex), tying the snapshot to this log.
    public var hash: String
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var createdAt: Int64
    /// SHA-256 (hex) of the body, checked on every load; nil in format 1, which did not bind its body.
    public var contentDigest: String?

    public init(formatVersion: UInt16, projectionVersion: UInt16, seq: Int64, hash: String, createdAt: Int64,
                contentDigest: String?)
    {
        self.formatVersion = formatVersion
        self.projectionVersion = projectionVersion
        self.seq = seq
        self.hash = hash
        self.createdAt = createdAt
        self.contentDigest = contentDigest
    }
}

/// How a deferred load's timelines are decoded as queries read them.
public enum Deferral: Sendable {
    /// Each timeline read is decoded whole and kept for every later query (a long-lived projection).
    case keepingTimelines
    /// A state read is decoded alone, from the timeline's bytes up to it, and nothing is kept (a process
    /// that answers one query, over many institutions, and ends); a timeline folded into is still kept.
    case readingStatesAlone
}

/// A projection after `seq`, as one standard LZ4 frame: `lz4 -d` gives back the header and body.
public enum Snapshot {
    /// The frame of `projection` (which must have folded exactly through the event whose chain hash is given),
    /// and the size of its content before compression. `cache` holds the timelines' encodings between
    /// snapshots of one growing projection. `onEveryCore`: the timelines are encoded on every core, for a
    /// snapshot someone waits for; else on this thread alone, as an automatic one behind appends is.
    public static func make(_ projection: RegistryProjection, hash: String, createdAt: Int64,
                            projectionVersion: UInt16 = RegistryProjection.projectionVersion, onEveryCore: Bool = false,
                            cache: inout TimelineCache) -> (frame: [UInt8], contentSize: Int)
    {
        // The body is written after the header, whose digest of it is filled in last: the content is made
        // once, not made as a body and copied after a header (tens of megabytes more at an import's peak).
        var content = header(of: projection, format: SnapshotHeader.currentFormatVersion, projectionVersion: projectionVersion, hash: hash,
                             createdAt: createdAt, capacity: ProjectionCodec.capacity(for: projection))
        ProjectionCodec.encode(projection, cache: &cache, timelinesPerShare: ProjectionCodec.timelinesPerShare(onEveryCore: onEveryCore),
                               into: &content)
        cache.base?.digest = sealed(&content)
        cache.base?.contentSize = content.bytes.count
        return (LZ4Frame.compress(content.bytes), content.bytes.count)
    }

    /// Segments made over one whole snapshot before the next is whole: a query that starts from a segment
    /// restores its base too, and each holds every change since the base.
    public static let segmentsPerBase = 8

    /// A segment (format 5) of `projection` over the whole snapshot `cache` was last made of, and that one's
    /// seq: nil when there is none, when `segmentsPerBase` were made over it already, when the last one's content
    /// was over half the base's (a whole snapshot is due: segments hold every change since their base), or when
    /// the base holds a timeline the projection has not.
    public static func makeSegment(_ projection: RegistryProjection, hash: String, createdAt: Int64,
                                   projectionVersion: UInt16 = RegistryProjection.projectionVersion, onEveryCore: Bool = false,
                                   cache: inout TimelineCache) -> (frame: [UInt8], contentSize: Int, baseSeq: Int64)?
    {
        guard let base = cache.base, base.digest.count == SnapshotDigest.size, base.seq < projection.foldedThrough,
              base.segments < segmentsPerBase, base.lastSegmentSize <= base.contentSize / 2
        else { return nil }
        var content = header(of: projection, format: SnapshotHeader.segmentFormatVersion, projectionVersion: projectionVersion, hash: hash,
                             createdAt: createdAt, capacity: ProjectionCodec.capacity(for: projection) / 4)
        content.fixed(base.seq)
        content.raw(base.digest)
        guard ProjectionCodec.encodeSegment(projection, cache: &cache, base: base, timelinesPerShare: ProjectionCodec.timelinesPerShare(
            onEveryCore: onEveryCore), into: &content)
        else { return nil }
        _ = sealed(&content)
        cache.base?.segments += 1
        cache.base?.lastSegmentSize = content.bytes.count
        return (LZ4Frame.compress(content.bytes), content.bytes.count, base.seq)
    }

    /// A content's header, its body's digest still zeros (`sealed`).
    private static func header(of projection: RegistryProjection, format: UInt16, projectionVersion: UInt16, hash: String, createdAt: Int64,
                               capacity: Int) -> BinaryWriter {
        var content = BinaryWriter(reservingCapacity: SnapshotHeader.size + capacity)
        content.raw(SnapshotHeader.magic)
        content.fixed(format)
        content.fixed(projectionVersion)
        content.fixed(projection.foldedThrough)
        content.raw(hashBytes(hash))
        content.fixed(createdAt)
        content.raw(repeatElement(0, count: SnapshotDigest.size))
        return content
    }

    /// Fills in the header's digest of the body written after it; returns that digest.
    private static func sealed(_ content: inout BinaryWriter) -> [UInt8] {
        let digest = content.bytes.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.overwrite(at: SnapshotHeader.size - SnapshotDigest.size, with: digest)
        return digest
    }

    /// `make` without a cache.
    public static func make(_ projection: RegistryProjection, hash: String, createdAt: Int64,
                            projectionVersion: UInt16 = RegistryProjection.projectionVersion, onEveryCore: Bool = false)
        -> (frame: [UInt8], contentSize: Int)
    {
        var cache = TimelineCache()
        return make(projection, hash: hash, createdAt: createdAt, projectionVersion: projectionVersion, onEveryCore: onEveryCore,
                    cache: &cache)
    }

    /// The content after the header. The same projection always gives the same bytes, so two states
    /// are equal exactly when their encodings are.
    public static func encodedState(_ projection: RegistryProjection, onEveryCore: Bool = false) -> [UInt8] {
        var cache = TimelineCache()
        var writer = BinaryWriter(reservingCapacity: ProjectionCodec.capacity(for: projection))
        ProjectionCodec.encode(projection, cache: &cache, timelinesPerShare: ProjectionCodec.timelinesPerShare(onEveryCore: onEveryCore),
                               into: &writer)
        return writer.bytes
    }

    /// The header, after checking the frame (its checksum covers the whole content).
    public static func header(of frame: [UInt8]) throws(SnapshotError) -> SnapshotHeader {
        let content = try LZ4Frame.decompress(frame)
        return try withBytes(of: content) { bytes throws(SnapshotError) in
            var reader = BinaryReader(bytes)
            return try readHeader(&reader)
        }
    }

    /// The projection in `frame`, refused unless it is sound, of this program's versions, its body is the
    /// one its header's digest names and, if `expected` is given, made at that seq of a log whose event
    /// there has that chain hash. A format-1 snapshot binds no body: it loads only with `acceptUnbound`
    /// (its fixture test), never for a query.
    ///
    /// `deferred`: a snapshot that stores its version index (format 3 on) restores the index alone, and
    /// each timeline is decoded when a query first reads it — what a query that reads a few institutions,
    /// or a roster, wants. Otherwise (nil) every timeline is decoded now and the stored index is checked
    /// against the one they give: what an audit wants, and what proves the whole body sound.
    public static func load(_ frame: [UInt8], periods: Periods, expected: (seq: Int64, hash: String)? = nil,
                            acceptUnbound: Bool = false, deferred: Deferral? = nil) throws(SnapshotError)
        -> (header: SnapshotHeader, projection: RegistryProjection)
    {
        try load(content: LZ4Frame.decompress(frame), periods: periods, expected: expected, acceptUnbound: acceptUnbound, deferred: deferred)
    }

    /// The same, from a frame of `count` bytes read in pieces where it is stored: `read` fills a buffer with
    /// the bytes from an offset, false if it cannot. No copy of the whole frame is made.
    public static func load(frameOf count: Int, reading read: (UnsafeMutableRawBufferPointer, Int) -> Bool, periods: Periods,
                            expected: (seq: Int64, hash: String)? = nil, deferred: Deferral? = nil) throws(SnapshotError)
        -> (header: SnapshotHeader, projection: RegistryProjection)
    {
        try load(content: LZ4Frame.decompress(count: count, reading: read), periods: periods, expected: expected, acceptUnbound: false,
                 deferred: deferred)
    }

    private static func load(content: [UInt8], periods: Periods, expected: (seq: Int64, hash: String)?, acceptUnbound: Bool,
                             deferred: Deferral?) throws(SnapshotError) -> (header: SnapshotHeader, projection: RegistryProjection)
    {
        try withBytes(of: content) { bytes throws(SnapshotError) in
            var reader = BinaryReader(bytes)
            let header = try readHeader(&reader)
            guard (2...SnapshotHeader.currentFormatVersion).contains(header.formatVersion) || (acceptUnbound && header.formatVersion == 1) else {
                let reason = switch header.formatVersion {
                case 1: "format version 1 does not bind its content; take a new snapshot (this program writes \(SnapshotHeader.currentFormatVersion))"
                case SnapshotHeader.segmentFormatVersion: "a segment (format version 5) loads over its base, the whole snapshot it names"
                default: "format version \(header.formatVersion), this program reads \(SnapshotHeader.currentFormatVersion)"
                }
                throw .version(reason)
            }
            try check(header, expected: expected)
            let indexed = header.formatVersion >= SnapshotHeader.indexedFormatVersion
            let projection = try digesting([(UnsafeRawBufferPointer(rebasing: bytes[reader.offset...]), header.contentDigest, "")]) {
                () throws(SnapshotError) in
                let projection = try ProjectionCodec.decode(
                    from: &reader, periods: periods, foldedThrough: header.seq, indexed: indexed,
                    deferring: indexed ? deferred.map { (content, $0, header.formatVersion >= SnapshotHeader.namingOrderFormatVersion) } : nil)
                guard reader.isAtEnd else { throw reader.corrupt("\(reader.remaining) bytes after the body") }
                return projection
            }
            return (header, projection)
        }
    }

    /// A stored frame's content (`LZ4Frame`), read in pieces where it lies: a segment's and its base's are
    /// composed (`load(segment:over:…)`).
    public static func content(frameOf count: Int, reading read: (UnsafeMutableRawBufferPointer, Int) -> Bool) throws(SnapshotError) -> [UInt8] {
        try LZ4Frame.decompress(count: count, reading: read)
    }

    /// The projection a segment stands for: the contents of the segment (format 5) and of its base (a whole
    /// snapshot of format 4) composed into the content of the whole snapshot after the segment's seq, then read
    /// as that is (`load`). Each is checked as a snapshot loaded alone is — versions, `expected` and
    /// `expectedBase`, its body's digest — and the base must be the one the segment names, by its seq and its
    /// body's digest.
    public static func load(segment: [UInt8], over base: [UInt8], periods: Periods, expected: (seq: Int64, hash: String)? = nil,
                            expectedBase: (seq: Int64, hash: String)? = nil, deferred: Deferral? = nil) throws(SnapshotError)
        -> (header: SnapshotHeader, projection: RegistryProjection)
    {
        try withBytes(of: segment) { segmentBytes throws(SnapshotError) in
            try withBytes(of: base) { baseBytes throws(SnapshotError) in
                var reader = BinaryReader(segmentBytes)
                let header = try readHeader(&reader)
                guard header.formatVersion == SnapshotHeader.segmentFormatVersion else {
                    throw .version("format version \(header.formatVersion) is not a segment's (\(SnapshotHeader.segmentFormatVersion))")
                }
                try check(header, expected: expected)
                var baseReader = BinaryReader(baseBytes)
                let baseHeader: SnapshotHeader
                do throws(SnapshotError) {
                    baseHeader = try readHeader(&baseReader)
                    guard baseHeader.formatVersion == SnapshotHeader.namingOrderFormatVersion else {
                        throw .version("format version \(baseHeader.formatVersion); a segment is over a whole snapshot of format 4")
                    }
                    try check(baseHeader, expected: expectedBase)
                } catch {
                    throw error.within("its base")
                }
                let baseSeq = try reader.fixed(Int64.self)
                let baseDigest = hex(Array(try reader.raw(SnapshotDigest.size)))
                guard baseSeq == baseHeader.seq, baseDigest == baseHeader.contentDigest else {
                    throw .mismatch("the segment is over the snapshot of seq \(baseSeq) whose body's SHA-256 is \(baseDigest.prefix(12))…, "
                        + "not the one of seq \(baseHeader.seq) (\(baseHeader.contentDigest?.prefix(12) ?? "")…)")
                }
                let bodies = [(UnsafeRawBufferPointer(rebasing: segmentBytes[SnapshotHeader.size...]), header.contentDigest, "the segment: "),
                              (UnsafeRawBufferPointer(rebasing: baseBytes[SnapshotHeader.size...]), baseHeader.contentDigest, "its base: ")]
                let projection = try digesting(bodies) { () throws(SnapshotError) in
                    // The whole snapshot's header: the segment's, of format 4, binding no body (its parts were bound).
                    var whole = Array(segmentBytes[..<SnapshotHeader.size])
                    whole.replaceSubrange(8..<10, with: withUnsafeBytes(of: SnapshotHeader.namingOrderFormatVersion.littleEndian, Array.init))
                    whole.replaceSubrange((SnapshotHeader.size - SnapshotDigest.size)..., with: repeatElement(0, count: SnapshotDigest.size))
                    let (prefix, timelines, index) = try ProjectionCodec.compose(
                        header: whole, segment: segment, reader: &reader, base: base, baseStart: baseReader.offset, baseSeq: baseHeader.seq,
                        seq: header.seq)
                    guard reader.isAtEnd else { throw reader.corrupt("\(reader.remaining) bytes after the segment's body") }
                    // Deferred, the timelines are read where they lie; in full, from the whole snapshot's part 4 as bytes.
                    let content = deferred == nil ? timelines.content(after: prefix) : prefix
                    return try withBytes(of: content) { bytes throws(SnapshotError) in
                        var reader = BinaryReader(bytes, offset: SnapshotHeader.size)
                        return try ProjectionCodec.decode(from: &reader, periods: periods, foldedThrough: header.seq, indexed: true,
                                                          deferring: deferred.map { (content, $0, true) },
                                                          timelines: deferred == nil ? nil : timelines, index: index)
                    }
                }
                return (header, projection)
            }
        }
    }

    /// Refuses a header of another projection version, or not at `expected` of the log.
    private static func check(_ header: SnapshotHeader, expected: (seq: Int64, hash: String)?) throws(SnapshotError) {
        guard header.projectionVersion == RegistryProjection.projectionVersion else {
            throw .version("projection version \(header.projectionVersion), this program folds version \(RegistryProjection.projectionVersion)")
        }
        if let expected {
            guard header.seq == expected.seq else { throw .mismatch("made at seq \(header.seq), stored as seq \(expected.seq)") }
            guard header.hash == expected.hash else {
                throw .mismatch("chain hash at seq \(header.seq) is \(expected.hash.prefix(12))…, the snapshot says \(header.hash.prefix(12))…")
            }
        }
    }

    /// What `read` gives, once each body's SHA-256 is the one its header claims (nil: format 1, none claimed); a
    /// body that is not is refused as such first, named by its prefix.
    ///
    /// A large body's digest is worked out on another thread while the body is read; what is read is handed out
    /// only once the digest matches. Not as a second iteration of a `concurrentPerform`: the reading's own shares
    /// (the index's blocks) would then be nested in it, and libdispatch runs a nested one on a single thread. A
    /// small body (under a MiB, a test's or the fuzzer's) is digested on this thread: a second one would cost
    /// more, and libFuzzer scans for leaks after any input that leaves work in flight.
    private static func digesting<T>(_ bodies: [(bytes: UnsafeRawBufferPointer, claimed: String?, prefix: String)],
                                     _ read: () throws(SnapshotError) -> T) throws(SnapshotError) -> T {
        let actual = bodies.map { _ in Digested() }
        let digested = DispatchGroup()
        for (body, digest) in zip(bodies, actual) where body.claimed != nil {
            nonisolated(unsafe) let bytes = body.bytes
            if bytes.count >= 1 << 20 {
                DispatchQueue.global().async(group: digested) { digest.value = hex(SnapshotDigest.of(bytes)) }
            } else {
                digest.value = hex(SnapshotDigest.of(bytes))
            }
        }
        let result = Result(catching: read)
        digested.wait()  // the bodies' bytes are not to outlive the caller's closure
        for (body, digest) in zip(bodies, actual) {
            if let claimed = body.claimed, let actual = digest.value, actual != claimed {
                throw .mismatch("\(body.prefix)the body's SHA-256 is \(actual.prefix(12))…, the header says \(claimed.prefix(12))…")
            }
        }
        return try result.get()
    }

    /// A digest worked out on another thread, read after it is done (`DispatchGroup.wait`).
    private final class Digested: @unchecked Sendable {
        var value: String?
    }

    private static func readHeader(_ reader: inout BinaryReader) throws(SnapshotError) -> SnapshotHeader {
        guard reader.remaining >= SnapshotHeader.formatOneSize, Array(try reader.raw(8)) == SnapshotHeader.magic else {
            throw .corrupt("not a snapshot (no OUTLSNAP header)")
        }
        let formatVersion = try reader.fixed(UInt16.self)
        let projectionVersion = try reader.fixed(UInt16.self)
        let seq = try reader.fixed(Int64.self)
        let hash = hex(Array(try reader.raw(32)))
        let createdAt = try reader.fixed(Int64.self)
        guard seq >= 1 else { throw .corrupt("snapshot of seq \(seq)") }
        let contentDigest = formatVersion >= 2 ? hex(Array(try reader.raw(SnapshotDigest.size))) : nil
        return SnapshotHeader(formatVersion: formatVersion, projectionVersion: projectionVersion, seq: seq, hash: hash,
                              createdAt: createdAt, contentDigest: contentDigest)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// A chain hash is 64 hex digits (SHA-256).
    static func hashBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        precondition(digits.count == 64, "a chain hash is 64 hex digits")
        func value(_ digit: UInt8) -> UInt8 {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: preconditionFailure("a chain hash is lowercase hex")
            }
        }
        return stride(from: 0, to: 64, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
    }
}
