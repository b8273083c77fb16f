import Foundation
import Hummingbird
import Logging
import NIOCore
import OutletCore
import OutletLedger

/// Every request passes here: the caller is decided from its bearer token (a bad one is `401`, whatever
/// the route), every failure leaves as an RFC 9457 problem document, and one log line says what was
/// asked and answered — method, path, status, duration and the token's id, never the token.
struct RequestGate: RouterMiddleware {
    typealias Context = RegistryContext

    let ledger: LedgerActor
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        let response: Response
        do {
            context.caller = try await caller(of: request)
            response = try await next(request, context)
        } catch {
            response = try Self.problem(for: error).response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: "\(request.method.rawValue) \(route)", status: response.status.code)
        context.logger.info("\(request.method.rawValue) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds))ms token=\(context.loggedCaller.tokenID ?? context.caller.logID)")
        return response
    }

    /// The token's holder, or the public when there is no `Authorization` header.
    private func caller(of request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization] else { return .public }
        guard header.hasPrefix("Bearer "), header.count > 7 else {
            throw Self.unauthorized("the Authorization header must be \"Bearer <token>\"")
        }
        let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let result = try await ledger.read { ledger throws(LedgerError) in try ledger.authenticate(secret: secret) }
        switch result {
        case .success(let token): return Caller(token: token)
        case .failure(.unknown): throw Self.unauthorized("the bearer token is not one this registry issued")
        case .failure(.expired(let day)): throw Self.unauthorized("the bearer token expired after \(day)")
        case .failure(.revoked(let time)): throw Self.unauthorized("the bearer token was revoked at \(time)")
        }
    }

    static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem.unauthorized(detail)
        problem.headers[.wwwAuthenticate] = "Bearer realm=\"outlet-ledger\", error=\"invalid_token\""
        return problem
    }

    /// Any failure as a problem document: the ledger's errors by their code (one mapping, `Problem(_:)`),
    /// the server's own (an unknown route, a body over its limit) by their status.
    static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as LedgerError:
            return Problem(error)
        case let error as NIOTooManyBytesError:
            return Problem(.contentTooLarge, kind: "too-large", title: "the body is over the limit",
                           detail: "the request body is over this route's limit\(error.maxBytes.map { " of \($0) bytes" } ?? "")")
        case let error as HTTPError where error.status == .contentTooLarge:
            return Problem(.contentTooLarge, kind: "too-large", title: "the body is over the limit", detail: "the request body is over this route's limit")
        case let error as HTTPError where error.status == .notFound:
            return .notFound("no such route")
        case let error as HTTPError:
            return Problem(error.status, kind: "http", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
        default:
            return Problem(.internalServerError, kind: "internal", title: "internal error", detail: "\(error)")
        }
    }
}
