/// Decodes `Decodable` types straight from a parsed `JSONValue`: the ledger parses every payload with
/// its own strict parser anyway, and decoding the parsed value avoids parsing the bytes a second time.
///
/// Errors are the standard `DecodingError`s with their coding paths, as `JSONDecoder` throws them.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: decoder(for: value))
    }

    /// A `Decoder` over `value`, for types that choose what to decode at run time.
    public func decoder(for value: JSONValue) -> any Decoder {
        ValueDecoder(value: value, containerPath: [], key: nil)
    }
}

/// Coding paths are joined only when asked for — an error, a nested container — not for every value
/// decoded: most members are strings and numbers, and each join is an array allocated.
private struct ValueDecoder: Decoder {
    let value: JSONValue
    /// The path of the container holding the value, and the value's key in it (nil at the top).
    let containerPath: [any CodingKey]
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { key.map { containerPath + [$0] } ?? containerPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.typeName)"))
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.typeName)"))
        }
        return UnkeyedContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValue(decoder: self)
    }
}

/// A key for array positions in coding paths.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// Primitive conversions shared by the three containers.
private enum Primitive {
    static func mismatch<T>(_ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) -> DecodingError {
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: path(), debugDescription: "expected \(type), found null"))
        }
        return .typeMismatch(type, .init(codingPath: path(), debugDescription: "expected \(type), found \(value.typeName)"))
    }

    static func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path()) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path()) }
        return text
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> T {
        guard case .integer(let number) = value else { throw mismatch(type, value, path()) }
        guard let converted = T(exactly: number) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "\(number) does not fit \(type)"))
        }
        return converted
    }

    /// The strings of an array of strings; nil for anything else.
    static func strings(_ value: JSONValue) -> [String]? {
        guard case .array(let items) = value else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(items.count)
        for item in items {
            guard case .string(let text) = item else { return nil }
            strings.append(text)
        }
        return strings
    }

    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, in containerPath: [any CodingKey], at key: any CodingKey) throws -> T {
        try T(from: ValueDecoder(value: value, containerPath: containerPath, key: key))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: JSONObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no member \"\(key.stringValue)\""))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Primitive.bool(try value(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Primitive.string(try value(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw Primitive.mismatch(type, try value(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw Primitive.mismatch(type, try value(key), path(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Primitive.integer(type, try value(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Primitive.integer(type, try value(key), path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try value(key)
        // A list of strings (a payload's most common kind of member) is read straight off the array; any
        // other value, a malformed list included, goes the general way, which names what is wrong and where.
        if T.self == [String].self, let strings = Primitive.strings(value) { return unsafeBitCast(strings, to: T.self) }
        return try Primitive.decode(type, value, in: codingPath, at: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try value(key), containerPath: codingPath, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try value(key), containerPath: codingPath, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(members), containerPath: codingPath, key: nil) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: try value(key), containerPath: codingPath, key: key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item, and its key (its index).
    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (value, key) = try next(type); return try Primitive.bool(value, codingPath + [key]) }
    mutating func decode(_ type: String.Type) throws -> String { let (value, key) = try next(type); return try Primitive.string(value, codingPath + [key]) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (value, key) = try next(type); throw Primitive.mismatch(type, value, codingPath + [key]) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (value, key) = try next(type); throw Primitive.mismatch(type, value, codingPath + [key]) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (value, key) = try next(type); return try Primitive.integer(type, value, codingPath + [key]) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (value, key) = try next(type); return try Primitive.decode(type, value, in: codingPath, at: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, key) = try next([String: Any].self)
        return try ValueDecoder(value: value, containerPath: codingPath, key: key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, key) = try next([Any].self)
        return try ValueDecoder(value: value, containerPath: codingPath, key: key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, key) = try next(Any.self)
        return ValueDecoder(value: value, containerPath: codingPath, key: key)
    }
}

private struct SingleValue: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var value: JSONValue { decoder.value }
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Primitive.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Primitive.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { throw Primitive.mismatch(type, value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { throw Primitive.mismatch(type, value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Primitive.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Primitive.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }
}
