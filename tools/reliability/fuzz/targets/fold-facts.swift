import Foundation

// Fuzz target: the replay's scanner of stored payloads (FoldEvent.Facts(scanning:)) over any bytes a
// damaged ledger could hold. It must never trap; and where it reads facts from bytes the parser and the
// payload types also read, the facts must be theirs. The first byte picks the type; the rest is the payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFoldFacts(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let type = EventType.allCases[Int(data[0]) % EventType.allCases.count]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard let scanned = try? FoldEvent.Facts(scanning: type, bytes),
          let parsed = try? JSONParser.parse(Array(bytes)),
          let decoded = try? EventPayload.decode(type, from: JSONValueDecoder().decoder(for: parsed))
    else { return 0 }
    guard scanned == decoded.facts else { fatalError("scanned \(scanned), decoded \(decoded.facts)") }
    return 0
}
