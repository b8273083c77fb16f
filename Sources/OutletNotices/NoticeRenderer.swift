import Foundation
import Mustache
import Synchronization
import OutletDomain

/// Renders notices through logic-less templates: `Templates/<kind>.<format>.mustache`, shipped as
/// resources, or a file of the bureau's (`--template`), so wording changes need no rebuild.
public struct NoticeRenderer {
    /// A template that does not parse, named with its line.
    public struct TemplateError: Error, CustomStringConvertible {
        public let description: String
    }

    let template: MustacheTemplate
    /// `bundled`, or the SHA-256 of the template file: recorded in the provenance.
    public let templateIdentity: String
    let format: NoticeFormat
    let style: String

    /// The bundled template for `kind` in `format`, or the given file's.
    public init(kind: String, format: NoticeFormat, templateFile: String? = nil, identity: String? = nil) throws(TemplateError) {
        let name = "\(kind).\(format.rawValue).mustache"
        let text: String
        let source: String
        if let templateFile {
            guard let data = FileManager.default.contents(atPath: templateFile), let contents = String(data: data, encoding: .utf8) else {
                throw TemplateError(description: "cannot read template \(templateFile)")
            }
            text = contents
            source = templateFile
        } else {
            guard let bundled = Self.bundledText(name) else {
                throw TemplateError(description: "the bundled template \(name) is missing from this installation")
            }
            text = bundled
            source = "bundled template \(name)"
        }
        MarkdownText.registered
        do {
            template = try MustacheTemplate(string: text)
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError(description: "\(source) line \(error.context.lineNumber), column \(error.context.columnNumber): \(error.error) in \"\(error.context.line.trimmingCharacters(in: .whitespaces))\"")
        } catch {
            throw TemplateError(description: "\(source): \(error)")
        }
        self.templateIdentity = identity ?? "bundled"
        self.format = format
        guard let style = Self.bundledText("a4.css") else {
            throw TemplateError(description: "the bundled style a4.css is missing from this installation")
        }
        self.style = style
    }

    /// The bundled templates and style, each read from the package once per process.
    private static let bundledTexts = Mutex<[String: String]>([:])

    private static func bundledText(_ name: String) -> String? {
        if let text = bundledTexts.withLock({ $0[name] }) { return text }
        guard let url = Bundle.module.url(forResource: "Templates", withExtension: nil)?.appendingPathComponent(name),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        bundledTexts.withLock { $0[name] = text }
        return text
    }

    /// The notice, ending with its provenance (added if the template leaves it out).
    public func render(_ values: [String: Any], provenance: Provenance) -> String {
        var context = values
        context["style"] = style
        context["provenance"] = [
            "seq": String(provenance.seq), "hash": provenance.hash, "digest": provenance.digest,
            "generated": provenance.generatedAt, "line": provenance.line,
        ]
        var text = template.render(context)
        if !text.contains(Provenance.marker) {
            text += format == .html ? "\n<!-- \(provenance.line) -->\n" : "\n\(provenance.line)\n"
        }
        return text
    }
}
