// Fuzz target: the strict JSON parser and the RFC 8785 encoder. Whatever parses must re-encode to
// bytes that parse to the same value and re-encode identically (decode → encode → decode is stable).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let canonical = value.canonicalBytes
    guard let again = try? JSONParser.parse(canonical) else { fatalError("canonical output does not parse") }
    precondition(again == value, "canonical output parses to another value")
    precondition(again.canonicalBytes == canonical, "canonical form is not stable")
    return 0
}
