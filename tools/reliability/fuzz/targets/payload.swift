import Foundation

// Fuzz target: the payload check of every event type and version (schema validation, upcasting,
// decoding into the domain's types), the registry stream's two types included, and the text rules. The
// first byte picks the type; the rest is the payload.
let schemas = try! SchemaSet(directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["OUTLET_SCHEMAS"]!))
let checker = CandidateChecker(schemas: schemas)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayload(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let types = EventType.allCases.map(\.rawValue) + ReferenceEventType.allCases.map(\.rawValue)
    let type = types[Int(data[0]) % types.count]
    guard let payload = try? JSONParser.parse(Array(UnsafeBufferPointer(start: data + 1, count: size - 1))) else { return 0 }
    let stream = ReferenceEventType(rawValue: type) == nil ? "91350100M000100Y43" : ReferenceStream.id
    let candidate = Candidate(type: type, stream: stream, effectiveOn: "2025-09-01",
                              actor: EnvelopeActor(role: "city-bureau", unit: "210100", name: ""), payload: payload,
                              schemaVersion: Int64(data[0] & 1) + 1)
    _ = try? checker.check(candidate)
    return 0
}
