import Foundation

// Fuzz target: the snapshot loader (LZ4 frame, header, string table, body) and a segment's composition with
// its base. The first byte picks the mode: bit 1 set, the rest is a base's content and a segment's (a 4-byte
// little-endian length, that many bytes of the base, then the segment), each with its body digest set here;
// else bit 0 clear, the rest is a frame as stored (checksums and all); set, a snapshot's content, framed here
// (its body digest set) so that the fuzzer explores the layout instead of the checksums. What loads must load
// deferred to the same answers, and encode to a snapshot that loads again to the same state.
let periods: Periods = {
    let environment = ProcessInfo.processInfo.environment
    let policy = try! Policy(json: try! Data(contentsOf: URL(fileURLWithPath: environment["OUTLET_POLICY"]!)))
    let holidays = try! HolidayCalendar(json: try! Data(contentsOf: URL(fileURLWithPath: environment["OUTLET_HOLIDAYS"]!)))
    return Periods(policy: policy, calendar: holidays)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // A content of the fuzzer's: its header names its body's digest, so the loader reads the body.
    func sealed(_ content: [UInt8]) -> [UInt8] {
        guard content.count >= SnapshotHeader.size else { return content }
        var content = content
        let digest = content.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        content.replaceSubrange(60..<SnapshotHeader.size, with: digest)
        return content
    }
    let load: (Deferral?) throws -> (header: SnapshotHeader, projection: RegistryProjection)
    if data[0] & 2 == 2 {
        guard rest.count >= 4 else { return 0 }
        let length = min(rest.count - 4, Int(rest[0]) | Int(rest[1]) << 8 | Int(rest[2]) << 16 | Int(rest[3]) << 24)
        let (base, segment) = (sealed(Array(rest[4..<(4 + length)])), sealed(Array(rest[(4 + length)...])))
        load = { try Snapshot.load(segment: segment, over: base, periods: periods, deferred: $0) }
    } else {
        let frame = data[0] & 1 == 0 ? rest : LZ4Frame.compress(sealed(rest))
        load = { try Snapshot.load(frame, periods: periods, deferred: $0) }
    }
    // A deferred load reads the index and each timeline's institution alone; it must never trap either.
    let deferred = try? load(.readingStatesAlone)
    guard let (header, projection) = try? load(nil) else { return 0 }
    // What loads in full loads deferred, and answers alike (its timelines decode: the full load read them all).
    guard let deferred else { fatalError("a snapshot that loads in full does not load deferred") }
    for day in [LocalDate(dayNumber: 20_000), LocalDate(dayNumber: 20_600)] {
        if deferred.projection.digestDocument(asOf: day) != projection.digestDocument(asOf: day) {
            fatalError("a deferred load answers otherwise than a full one")
        }
    }
    let state = Snapshot.encodedState(projection)
    let again = Snapshot.make(projection, hash: header.hash, createdAt: header.createdAt).frame
    guard let reloaded = try? Snapshot.load(again, periods: periods, expected: (header.seq, header.hash)) else {
        fatalError("a snapshot that loaded does not load after re-encoding")
    }
    if Snapshot.encodedState(reloaded.projection) != state { fatalError("re-encoding a loaded snapshot changed its state") }
    return 0
}
