/// Why a payload breaks its schema: the JSON path of the offending value and the reason, with the
/// article when the schema node names one (`x-article`).
public struct SchemaViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public let article: String?

    public var description: String {
        "\(path): \(reason)" + (article.map { " (\($0))" } ?? "")
    }
}
