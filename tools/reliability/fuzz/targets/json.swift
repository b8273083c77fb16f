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
    // A top-level member's text taken as its canonical form must be it (an export's payload is stored and hashed by it).
    if case .object(let members) = value {
        for member in members.members.prefix(4) {
            guard let (parsed, found) = try? JSONParser.parse(bytes, canonicalTextOf: member.key) else { fatalError("parses once, not twice") }
            precondition(parsed == value, "the watching parse reads another value")
            if let found { precondition(Array(bytes[found]) == member.value.canonicalBytes, "a member's text taken as canonical is not") }
        }
    }
    return 0
}
