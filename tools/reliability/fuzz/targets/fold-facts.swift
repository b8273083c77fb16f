import Foundation

// Fuzz target: the scanners of payload bytes — the replay's (FoldEvent.Facts(scanning:)), over any bytes a
// damaged ledger could hold, and the form check's (EventPayload(scanning:)). Neither may trap; and where one
// reads bytes the parser and the payload types also read, what it reads must be theirs. The first byte picks
// the type; the rest is the payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFoldFacts(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let type = EventType.allCases[Int(data[0]) % EventType.allCases.count]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let facts = try? FoldEvent.Facts(scanning: type, bytes)
    let payload = try? EventPayload(scanning: type, bytes)
    guard facts != nil || payload != nil,
          let parsed = try? JSONParser.parse(Array(bytes)),
          let decoded = try? EventPayload.decode(type, from: JSONValueDecoder().decoder(for: parsed))
    else { return 0 }
    if let facts, facts != decoded.facts { fatalError("scanned \(facts), decoded \(decoded.facts)") }
    if let payload, payload != decoded { fatalError("scanned \(payload), decoded \(decoded)") }
    return 0
}
