import CanonicalJSON
import Hummingbird

/// An RFC 9457 problem document: how every refusal leaves over HTTP — a stable `type` per kind of
/// failure, the status, a one-line `detail` naming what and where, and members such as `article`.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// The last part of the `type` URI (`/problems/<kind>`), stable for clients to branch on.
    public let kind: String
    public let title: String
    public let detail: String
    public var members: JSONObject
    /// Headers the answer carries besides its type (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, kind: String, title: String, detail: String, members: JSONObject = [:]) {
        self.status = status
        self.kind = kind
        self.title = title
        self.detail = detail
        self.members = members
    }

    public var json: JSONValue {
        var object = members
        object["type"] = .string("/problems/\(kind)")
        object["title"] = .string(title)
        object["status"] = .integer(Int64(status.code))
        object["detail"] = .string(detail)
        return .object(object)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.canonicalBytes)))
    }
}
