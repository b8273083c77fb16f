import CanonicalJSON
import Foundation
import OutletDomain

/// One compiled node of a JSON Schema (draft 2020-12), limited to the keywords the ledger's schemas
/// use. A schema using any other keyword fails to load, so the Swift side can never silently ignore a
/// constraint that Python's `jsonschema` enforces.
final class SchemaNode: @unchecked Sendable {
    static let annotationKeywords: Set<String> = ["$schema", "$id", "$defs", "title", "description", "x-article"]
    static let assertionKeywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "uniqueItems", "minLength", "maxLength", "pattern", "enum", "const", "minimum", "maximum",
        "minProperties", "format", "$ref",
    ]

    var types: Set<String>? {
        didSet { typeBits = types.map { $0.reduce(0) { $0 | Self.bit(ofType: $1) } } }
    }
    /// `types` as one bit per kind of JSON value: checked without hashing a type's name.
    private var typeBits: UInt8?
    /// In RFC 8785 order of their names, as an object's members are.
    var properties: [(name: String, node: SchemaNode)] = [] {
        didSet { placeRequired() }
    }
    var required: [String] = [] {
        didSet { placeRequired() }
    }
    /// Each required member's place in `properties` (nil: not among them): an object's members are then each
    /// looked up once, by the property they are, not again as required and as known.
    private var requiredPlaces: [Int?] = []
    /// nil: any member allowed; false: none beyond `properties`.
    var allowsAdditionalProperties = true
    var items: SchemaNode?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?
    var minimum: Int64?
    var maximum: Int64?
    var minProperties: Int?
    var format: String?
    /// A `$ref`'d node, compiled in place: every keyword of it applies as well.
    var reference: SchemaNode?
    var article: String?

    /// Applies this node to `value`; throws the first violation in document order, its path added on the way up.
    func validate(_ value: JSONValue) throws(NodeViolation) {
        func fail(_ reason: String) -> NodeViolation {
            NodeViolation(reason: reason, article: article)
        }
        if let reference { try reference.validate(value) }
        if let typeBits, typeBits & Self.bit(of: value) == 0 {
            throw fail("expected \((types ?? []).sorted().joined(separator: " or ")), found \(value.typeName)")
        }
        if let enumValues, !enumValues.contains(value) {
            let allowed = enumValues.map { $0.stringValue ?? $0.canonicalString }.joined(separator: ", ")
            throw fail("\(value.canonicalString) is not one of: \(allowed)")
        }
        if let constValue, constValue != value { throw fail("must be \(constValue.canonicalString)") }
        switch value {
        case .string(let text):
            // A text of n UTF-8 bytes holds between n/4 and n scalars: they are counted only when that range
            // reaches past a bound (nearly every text is well inside both).
            let bytes = text.utf8.count
            if (minLength ?? 0) > (bytes + 3) / 4 || (maxLength ?? .max) < bytes {
                let length = text.unicodeScalars.count
                if let minLength, length < minLength {
                    throw fail(minLength == 1 ? "must not be empty" : "shorter than \(minLength) characters")
                }
                if let maxLength, length > maxLength { throw fail("longer than \(maxLength) characters") }
            }
            if let pattern, !pattern.matches(text) {
                throw fail("\(value.canonicalString) does not match \(pattern.source)")
            }
            if let format, !Self.conforms(text, to: format) {
                throw fail("\(value.canonicalString) is not a valid \(format)")
            }
        case .integer(let number):
            if let minimum, number < minimum { throw fail("\(number) is less than \(minimum)") }
            if let maximum, number > maximum { throw fail("\(number) is greater than \(maximum)") }
        case .array(let elements):
            if let minItems, elements.count < minItems {
                throw fail("needs at least \(minItems) item\(minItems == 1 ? "" : "s"), has \(elements.count)")
            }
            if let maxItems, elements.count > maxItems {
                throw fail("allows at most \(maxItems) item\(maxItems == 1 ? "" : "s"), has \(elements.count)")
            }
            if uniqueItems, !Self.allDistinct(elements) { throw fail("items must be unique") }
            if let items {
                for (index, element) in elements.enumerated() {
                    do { try items.validate(element) } catch { throw error.within(.index(index)) }
                }
            }
        case .object(let members):
            if let minProperties, members.count < minProperties {
                throw fail("needs at least \(minProperties) member\(minProperties == 1 ? "" : "s")")
            }
            // The members read where they lie (a copy of each is its name's and its value's reference counts).
            try members.members.withUnsafeBufferPointer { (entries) throws(NodeViolation) in
                try withUnsafeTemporaryAllocation(of: Int.self, capacity: properties.count) { (found) throws(NodeViolation) in
                    // Each property's member (its place, or -1), found walking the members beside the properties, both
                    // in the same order, one three-way comparison a step; then the checks in their order: required,
                    // unknown, each member.
                    var firstUnknown: Int?
                    var member = 0
                    for property in properties.indices {
                        var order = member < entries.count ? Canonical.order(entries[member].key, properties[property].name) : 1
                        while order < 0 {
                            if firstUnknown == nil { firstUnknown = member }
                            member += 1
                            order = member < entries.count ? Canonical.order(entries[member].key, properties[property].name) : 1
                        }
                        if order == 0 {
                            found[property] = member
                            member += 1
                        } else {
                            found[property] = -1
                        }
                    }
                    if firstUnknown == nil, member < entries.count { firstUnknown = member }
                    for (name, place) in zip(required, requiredPlaces) where place.map({ found[$0] < 0 }) ?? (members[name] == nil) {
                        throw fail("required member \"\(name)\" is missing")
                    }
                    if !allowsAdditionalProperties, let firstUnknown {
                        throw fail("unknown member \"\(entries[firstUnknown].key)\"")
                    }
                    for property in properties.indices where found[property] >= 0 {
                        do throws(NodeViolation) {
                            try properties[property].node.validate(entries[found[property]].value)
                        } catch {
                            throw error.within(.member(properties[property].name))
                        }
                    }
                }
            }
        case .null, .bool:
            break
        }
    }

    /// No two items equal: the short lists a payload holds are compared pair by pair (a set allocates and
    /// hashes every item); a long one is hashed.
    static func allDistinct(_ elements: [JSONValue]) -> Bool {
        guard elements.count <= 16 else { return Set(elements).count == elements.count }
        for later in elements.indices.dropFirst() {
            for earlier in 0..<later where elements[earlier] == elements[later] { return false }
        }
        return true
    }

    private func placeRequired() {
        requiredPlaces = required.map { name in properties.firstIndex { $0.name == name } }
    }

    static func bit(ofType name: String) -> UInt8 {
        switch name {
        case "null": 1
        case "boolean": 2
        case "integer": 4
        case "string": 8
        case "array": 16
        case "object": 32
        default: 0
        }
    }

    static func bit(of value: JSONValue) -> UInt8 {
        switch value {
        case .null: 1
        case .bool: 2
        case .integer: 4
        case .string: 8
        case .array: 16
        case .object: 32
        }
    }

    static func conforms(_ text: String, to format: String) -> Bool {
        switch format {
        case "date":
            return LocalDate(text) != nil
        case "date-time":
            guard text.utf8.count >= 20, let tIndex = text.firstIndex(of: "T") else { return false }
            return LocalDate(String(text[..<tIndex])) != nil
        default:
            return true
        }
    }
}

/// A node's violation on its way up: the steps from the offending value to the payload's top are added
/// as it passes through each container, so a payload that is valid builds no path at all.
struct NodeViolation: Error {
    enum Step {
        case member(String)
        case index(Int)
    }

    let reason: String
    let article: String?
    /// The innermost step first.
    private(set) var steps: [Step] = []

    init(reason: String, article: String?) {
        self.reason = reason
        self.article = article
    }

    func within(_ step: Step) -> NodeViolation {
        var outer = self
        outer.steps.append(step)
        return outer
    }

    /// `$.team[0].name`.
    var path: String {
        steps.reversed().reduce(into: "$") { text, step in
            switch step {
            case .member(let name): text += ".\(name)"
            case .index(let index): text += "[\(index)]"
            }
        }
    }
}
