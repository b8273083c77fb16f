import Foundation

// Fuzz target: the import and events-file parser (JSON Lines or a JSON array of events), then the
// form checks of every event it yields.
let checker = CandidateChecker(schemas: try! SchemaSet(directory: URL(fileURLWithPath: ProcessInfo.processInfo.environment["OUTLET_SCHEMAS"]!)))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImportLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for kind in [EventInput.Kind.import, .append] {
        guard let candidates = try? EventInput.events(bytes, kind: kind, source: "fuzz") else { continue }
        for candidate in candidates { _ = try? checker.check(candidate) }
    }
    return 0
}
