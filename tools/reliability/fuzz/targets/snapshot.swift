import Foundation

// Fuzz target: the snapshot loader (LZ4 frame, header, string table, body). The first byte picks the
// mode: even, the rest is a frame as stored (checksums and all); odd, the rest is a snapshot's content,
// framed here (its body digest set) so that the fuzzer explores the layout instead of the checksums. A content that loads
// must encode back to itself and load again to the same state, and load deferred to the same answers.
let periods: Periods = {
    let environment = ProcessInfo.processInfo.environment
    let policy = try! Policy(json: try! Data(contentsOf: URL(fileURLWithPath: environment["OUTLET_POLICY"]!)))
    let holidays = try! HolidayCalendar(json: try! Data(contentsOf: URL(fileURLWithPath: environment["OUTLET_HOLIDAYS"]!)))
    return Periods(policy: policy, calendar: holidays)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshot(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    var rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1, rest.count >= SnapshotHeader.size {
        // A content of the fuzzer's: its header names its body's digest, so the loader reads the body.
        let digest = rest.withUnsafeBytes { SnapshotDigest.of(UnsafeRawBufferPointer(rebasing: $0[SnapshotHeader.size...])) }
        rest.replaceSubrange(60..<SnapshotHeader.size, with: digest)
    }
    let frame = data[0] & 1 == 0 ? rest : LZ4Frame.compress(rest)
    // A deferred load reads the index and each timeline's institution alone; it must never trap either.
    let deferred = try? Snapshot.load(frame, periods: periods, deferred: .readingStatesAlone)
    guard let (header, projection) = try? Snapshot.load(frame, periods: periods) else { return 0 }
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
