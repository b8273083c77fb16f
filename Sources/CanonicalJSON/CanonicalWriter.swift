/// Writes canonical JSON (RFC 8785, as `canonicalBytes` does) straight into bytes, for documents of a
/// fixed shape whose writer names each object's members in canonical order itself: no tree is built and
/// nothing is sorted (the projection digest writes a whole roster this way). Debug builds check the order.
public struct CanonicalWriter {
    public private(set) var bytes: [UInt8] = []
    /// For each open container, whether nothing was written in it yet.
    private var empty: [Bool] = []
    /// A member's name was written: its value needs no comma.
    private var afterName = false
    #if DEBUG
    /// For each open object, its last member's name.
    private var lastNames: [String] = []
    #endif

    public init(capacity: Int = 4_096) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func object(_ body: (inout CanonicalWriter) -> Void) {
        open(UInt8(ascii: "{"))
        #if DEBUG
        lastNames.append("")
        #endif
        body(&self)
        #if DEBUG
        lastNames.removeLast()
        #endif
        close(UInt8(ascii: "}"))
    }

    public mutating func array(_ body: (inout CanonicalWriter) -> Void) {
        open(UInt8(ascii: "["))
        body(&self)
        close(UInt8(ascii: "]"))
    }

    /// The next member's name; its value is what is written next.
    public mutating func name(_ name: StaticString) {
        #if DEBUG
        let text = name.description
        assert(lastNames.last == "" || Canonical.precedes(lastNames[lastNames.count - 1], text),
               "members in canonical order: \(text) after \(lastNames.last ?? "")")
        lastNames[lastNames.count - 1] = text
        #endif
        assert(name.withUTF8Buffer { Canonical.needsNoEscape($0) }, "member names are plain")
        separate()
        // A name of the writer's own code needs no escape: its bytes go between quotes as they are.
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterName = true
    }

    /// A string, or `null` for nil.
    public mutating func string(_ text: String?) {
        separate()
        guard let text else { return bytes.append(contentsOf: "null".utf8) }
        Canonical.appendString(text, to: &bytes)
    }

    public mutating func integer(_ number: Int64) {
        separate()
        Canonical.appendInteger(number, to: &bytes)
    }

    public mutating func bool(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    /// A value already built as a tree.
    public mutating func value(_ value: JSONValue) {
        separate()
        value.appendCanonical(to: &bytes)
    }

    /// A value written in canonical form already (by a writer): its bytes as they are.
    public mutating func canonical(_ written: [UInt8]) {
        separate()
        bytes += written
    }

    /// The elements of arrays written already (each `[…]`, canonical), in order, as elements of the array
    /// being written: how the shares of one long array, each written on its own core, are joined.
    public mutating func elements(of arrays: [[UInt8]]) {
        for array in arrays where array.count > 2 {
            precondition(array.first == UInt8(ascii: "[") && array.last == UInt8(ascii: "]"), "an array written already")
            separate()
            bytes += array[1..<(array.count - 1)]
        }
    }

    /// Hands what is written so far to `sink` and forgets it, once it is more than `threshold` bytes: a
    /// long document streams through a buffer of about that size. Open containers stay open; `bytes` then
    /// holds only what was written since.
    public mutating func drain(over threshold: Int, into sink: ([UInt8]) -> Void) {
        guard bytes.count > threshold else { return }
        sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        empty.removeLast()
        bytes.append(bracket)
    }

    /// The comma before a value or a member, unless it is the first of its container or a member's value.
    private mutating func separate() {
        if afterName {
            afterName = false
            return
        }
        guard let last = empty.indices.last else { return }
        if !empty[last] { bytes.append(UInt8(ascii: ",")) }
        empty[last] = false
    }
}
