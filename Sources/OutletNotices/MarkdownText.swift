import Mustache

/// Data in a Markdown notice stays data: what an applicant typed cannot become a link, a heading, an
/// image, raw HTML or a new table cell. `{{% CONTENT_TYPE: MARKDOWN}}` in a template selects it.
struct MarkdownText: MustacheContentType {
    /// Registered once, before the first template is parsed.
    static let registered: Void = MustacheContentTypes.register(MarkdownText(), named: "MARKDOWN")

    func escapeText(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "(", ")", "{", "}", "#", "!", "|", "~":
                escaped += "\\" + String(character)
            case "\n", "\r", "\r\n": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
