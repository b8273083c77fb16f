import CanonicalJSON
import Foundation

/// The event schemas of `EventSchemas/schemas`, compiled once: one per event type and version.
public final class SchemaSet: Sendable {
    /// A schema file that cannot be used: a programming error in the shipped schemas, caught by tests.
    public struct LoadError: Error, CustomStringConvertible {
        public let file: String
        public let reason: String
        public var description: String { "schema \(file): \(reason)" }
    }

    private let payloadSchemas: [String: SchemaNode]
    /// For each event type, its newest schema version.
    public let latestVersions: [String: Int]
    /// Every file, by name, as raw JSON (the `$ref` targets and the envelope schema).
    public let documents: [String: JSONValue]

    /// The schemas shipped with the package, compiled once; a missing or broken file is an error naming
    /// it, never a trap.
    public static let bundled: Result<SchemaSet, LoadError> = {
        guard let directory = Bundle.module.url(forResource: "schemas", withExtension: nil) else {
            return .failure(LoadError(file: "schemas", reason: "the bundled schema folder is missing from this installation"))
        }
        do {
            return .success(try SchemaSet(directory: directory))
        } catch let error as LoadError {
            return .failure(error)
        } catch {
            return .failure(LoadError(file: "schemas", reason: "\(error)"))
        }
    }()

    public init(directory: URL) throws {
        var documents: [String: JSONValue] = [:]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for file in files where file.hasSuffix(".schema.json") {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            do {
                documents[file] = try JSONParser.parse(bytes)
            } catch {
                throw LoadError(file: file, reason: error.description)
            }
        }
        var schemas: [String: SchemaNode] = [:]
        var latest: [String: Int] = [:]
        let compiler = Compiler(documents: documents)
        for file in documents.keys {
            guard let (type, version) = Self.typeAndVersion(of: file), type != "common", type != "envelope" else {
                continue
            }
            schemas["\(type).v\(version)"] = try compiler.compile(documents[file]!, file: file, depth: 0)
            latest[type] = max(latest[type] ?? 0, version)
        }
        self.payloadSchemas = schemas
        self.latestVersions = latest
        self.documents = documents
    }

    /// `submitted.v1.schema.json` → ("submitted", 1).
    static func typeAndVersion(of file: String) -> (String, Int)? {
        let stem = file.dropLast(".schema.json".count)
        guard let dot = stem.lastIndex(of: "."), stem[stem.index(after: dot)...].first == "v",
              let version = Int(stem[stem.index(dot, offsetBy: 2)...])
        else { return nil }
        return (String(stem[..<dot]), version)
    }

    public func hasSchema(type: String, version: Int) -> Bool {
        payloadSchemas["\(type).v\(version)"] != nil
    }

    /// Checks a payload against `<type>.v<version>.schema.json`; the error names the JSON path.
    public func validate(_ payload: JSONValue, type: String, version: Int) throws(SchemaViolation) {
        guard let schema = payloadSchemas["\(type).v\(version)"] else {
            throw SchemaViolation(path: "$", reason: "no schema \(type).v\(version)", article: nil)
        }
        do {
            try schema.validate(payload)
        } catch {
            throw SchemaViolation(path: error.path, reason: error.reason, article: error.article)
        }
    }
}

/// Turns schema documents into `SchemaNode`s, inlining `$ref`s (the schemas are not recursive).
private struct Compiler {
    let documents: [String: JSONValue]

    func compile(_ json: JSONValue, file: String, depth: Int) throws -> SchemaNode {
        func fail(_ reason: String) -> SchemaSet.LoadError { SchemaSet.LoadError(file: file, reason: reason) }
        guard depth < 32 else { throw fail("$ref nesting too deep") }
        guard let keywords = json.objectValue else { throw fail("a schema must be an object") }
        let node = SchemaNode()
        for (keyword, value) in keywords {
            guard SchemaNode.annotationKeywords.contains(keyword) || SchemaNode.assertionKeywords.contains(keyword)
            else { throw fail("keyword \"\(keyword)\" is not supported by the Swift validator") }
            func integer() throws -> Int {
                guard let number = value.integerValue else { throw fail("\(keyword) must be an integer") }
                return Int(number)
            }
            switch keyword {
            case "type":
                if let single = value.stringValue {
                    node.types = [single]
                } else {
                    node.types = Set(value.arrayValue?.compactMap(\.stringValue) ?? [])
                }
            case "properties":
                // In the order of an object's members (RFC 8785's), so that an object is checked walking beside them.
                node.properties = try (value.objectValue ?? [:]).map {
                    (name: $0.key, node: try compile($0.value, file: file, depth: depth + 1))
                }
            case "required": node.required = value.arrayValue?.compactMap(\.stringValue) ?? []
            case "additionalProperties":
                guard let allowed = value.boolValue else { throw fail("additionalProperties must be a boolean") }
                node.allowsAdditionalProperties = allowed
            case "items": node.items = try compile(value, file: file, depth: depth + 1)
            case "minItems": node.minItems = try integer()
            case "maxItems": node.maxItems = try integer()
            case "uniqueItems": node.uniqueItems = value.boolValue ?? false
            case "minLength": node.minLength = try integer()
            case "maxLength": node.maxLength = try integer()
            case "minProperties": node.minProperties = try integer()
            case "minimum": node.minimum = Int64(try integer())
            case "maximum": node.maximum = Int64(try integer())
            case "pattern":
                guard let source = value.stringValue else { throw fail("pattern must be a string") }
                node.pattern = try SchemaPattern(source)
            case "enum": node.enumValues = value.arrayValue
            case "const": node.constValue = value
            case "format": node.format = value.stringValue
            case "x-article": node.article = value.stringValue
            case "$ref":
                guard let reference = value.stringValue else { throw fail("$ref must be a string") }
                let (target, targetFile) = try resolve(reference, from: file)
                node.reference = try compile(target, file: targetFile, depth: depth + 1)
            default:
                break
            }
        }
        // An article named where a definition is used wins over none; the definition's own otherwise.
        if node.article == nil { node.article = node.reference?.article }
        return node
    }

    /// `common.v1.schema.json#/$defs/text` or `#/$defs/text` → the JSON it points at.
    func resolve(_ reference: String, from file: String) throws -> (JSONValue, String) {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let targetFile = parts[0].isEmpty ? file : String(parts[0])
        guard var target = documents[targetFile] else {
            throw SchemaSet.LoadError(file: file, reason: "$ref to unknown file \(targetFile)")
        }
        let pointer = parts.count > 1 ? parts[1] : ""
        for token in pointer.split(separator: "/") {
            guard let next = target[String(token)] else {
                throw SchemaSet.LoadError(file: file, reason: "$ref \(reference) points at nothing")
            }
            target = next
        }
        return (target, targetFile)
    }
}
