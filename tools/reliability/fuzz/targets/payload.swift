import Foundation

// Fuzz target: the payload check of every event type and version (schema validation, upcasting,
// decoding into the domain's types). The first byte picks the type; the rest is the payload.
let schemas = try! SchemaSet(directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["OUTLET_SCHEMAS"]!))
let checker = CandidateChecker(schemas: schemas)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let types = EventType.allCases
    let type = types[Int(data[0]) % types.count]
    guard let payload = try? JSONParser.parse(Array(UnsafeBufferPointer(start: data + 1, count: size - 1))) else { return 0 }
    let candidate = Candidate(type: type.rawValue, stream: "91350100M000100Y43", effectiveOn: "2025-09-01",
                              actor: EnvelopeActor(role: "city-bureau", unit: "210100", name: ""), payload: payload,
                              schemaVersion: Int64(data[0] & 1) + 1)
    _ = try? checker.check(candidate)
    return 0
}
