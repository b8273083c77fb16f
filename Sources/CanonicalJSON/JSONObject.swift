/// A JSON object's members, kept in RFC 8785 order of their names (§3.2.3: by UTF-16 code units), each name
/// once, names compared by their bytes.
///
/// Kept in order, an object is written canonically without sorting, parsed from canonical text without
/// hashing (each name follows the one before), and checked against a schema by walking its members beside
/// the schema's properties: a hashed dictionary hashed every name at parse, schema check and decoding, and
/// was sorted again for every canonical form: a fifth of a payload's form check. Names are bytes, not
/// Swift's canonically equivalent texts: `"\u{212A}"` (the Kelvin sign) is not `"K"`, as for every reader
/// of the stored canonical bytes.
public struct JSONObject: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
    }

    /// In RFC 8785 order, each name once.
    public private(set) var members: [Member]

    public init() { members = [] }

    /// Members from any order; a name given twice keeps its last value.
    public init<Members: Sequence<(String, JSONValue)>>(_ members: Members) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    public init(_ dictionary: [String: JSONValue]) {
        self.init()
        members.reserveCapacity(dictionary.count)
        for (key, value) in dictionary { members.append(Member(key: key, value: value)) }
        members.sort { Canonical.precedes($0.key, $1.key) }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    /// The names, in order.
    public var keys: [String] { members.map(\.key) }
    public var values: [JSONValue] { members.map(\.value) }

    /// Where `key` is, or where it would go.
    @inline(__always)
    private func place(of key: String) -> (index: Int, found: Bool) {
        // Most objects are a payload's: a dozen members, whose names a scan compares faster than a search.
        if members.count <= 16 {
            for index in members.indices {
                if Self.sameName(members[index].key, key) { return (index, true) }
            }
            let index = members.firstIndex { !Canonical.precedes($0.key, key) } ?? members.count
            return (index, false)
        }
        var low = 0, high = members.count
        while low < high {
            let middle = (low + high) / 2
            if Canonical.precedes(members[middle].key, key) { low = middle + 1 } else { high = middle }
        }
        return (low, low < members.count && Self.sameName(members[low].key, key))
    }

    /// The value named `key`; setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get {
            if members.count <= 16 {
                for index in members.indices where Self.sameName(members[index].key, key) { return members[index].value }
                return .none
            }
            let (index, found) = place(of: key)
            // Not `found ? value : nil`: there, nil would be read as JSON's null (`JSONValue` takes the literal).
            guard found else { return .none }
            return members[index].value
        }
        set {
            let (index, found) = place(of: key)
            switch (found, newValue) {
            case (true, let value?): members[index].value = value
            case (true, .none): members.remove(at: index)
            case (false, let value?): members.insert(Member(key: key, value: value), at: index)
            case (false, .none): break
            }
        }
    }

    /// Adds a member parsed after the others: false (and nothing added) if its name is there already. A name
    /// that follows the last one, as in canonical text, is appended; any other is put in its place.
    public mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        insert(key, value) != .duplicate
    }

    enum Insertion { case appended, placed, duplicate }

    /// `insertNew`, telling whether the member followed the others (as in canonical text) or went in its place.
    mutating func insert(_ key: String, _ value: JSONValue) -> Insertion {
        guard let last = members.last, !Canonical.precedes(last.key, key) else {
            members.append(Member(key: key, value: value))
            return .appended
        }
        let (index, found) = place(of: key)
        if found { return .duplicate }
        members.insert(Member(key: key, value: value), at: index)
        return .placed
    }

    /// The value named `key` set, and the one it replaced.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        let old = self[key]
        self[key] = value
        return old
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        let old = self[key]
        self[key] = .none
        return old
    }

    /// These members and `other`'s; where both name one, `combine` says which value stays.
    public func merging(_ other: JSONObject, uniquingKeysWith combine: (JSONValue, JSONValue) -> JSONValue) -> JSONObject {
        var merged = self
        for member in other.members {
            merged[member.key] = merged[member.key].map { combine($0, member.value) } ?? member.value
        }
        return merged
    }

    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var mapped = self
        for index in mapped.members.indices { mapped.members[index].value = try transform(mapped.members[index].value) }
        return mapped
    }

    /// Whether two names are the same bytes. Swift's `==` also matches canonically equivalent texts: it is asked
    /// only of names of one length (most names differ there), and a match is confirmed byte by byte (a CJK
    /// compatibility ideograph and the ideograph it stands for are the same length).
    @inline(__always)
    public static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a == b && Canonical.sameBytes(a, b)
    }
}

extension JSONObject: RandomAccessCollection {
    public typealias Element = (key: String, value: JSONValue)
    public var startIndex: Int { 0 }
    public var endIndex: Int { members.count }
    public subscript(position: Int) -> Element { (members[position].key, members[position].value) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// A name given twice keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
