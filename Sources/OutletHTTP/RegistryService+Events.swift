import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import OutletCore
import OutletDomain
import OutletLedger

/// The one write: events offered for one institution's stream, recorded with the caller's identity as
/// their actor, all or none, decided by the same rules as on the command line.
extension RegistryService {
    /// What a request's event may say; the actor and the recording time are the ledger's, never the caller's.
    static let eventMembers: Set<String> = ["type", "effectiveOn", "payload", "eventId"]

    func addEvents(to api: RouterGroup<RegistryContext>) {
        api.post("streams/:uscc/events") { request, context in
            try await record(request, context: context)
        }
    }

    private func record(_ request: Request, context: RegistryContext) async throws -> Response {
        let stream = try Self.uscc(context)
        let caller = context.caller
        if caller.role == "auditor" { throw Problem.forbidden("an auditor reads everything and records nothing") }
        let limit = caller.token == nil ? Self.objectionBodyLimit : Self.bodyLimit
        let body = try await request.body.collect(upTo: limit)
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer: body))
        } catch {
            throw Problem.badRequest("the body is not JSON: \(error)")
        }
        let items: [JSONValue]
        let single: Bool
        switch value {
        case .array(let array):
            guard !array.isEmpty else { throw Problem.badRequest("the array of events is empty") }
            (items, single) = (array, false)
        case .object:
            (items, single) = ([value], true)
        default:
            throw Problem.badRequest("the body is an event {type, effectiveOn, payload, eventId?} or an array of them")
        }
        var candidates: [Candidate] = []
        for (index, item) in items.enumerated() {
            let place = single ? "the event" : "event \(index + 1)"
            guard case .object(let members) = item else { throw Problem.badRequest("\(place) is not an object") }
            if members["actor"] != nil || members["by"] != nil {
                throw Problem.badRequest("\(place) names an actor: the actor is the token's role, unit and name, never the request's")
            }
            if let unknown = members.keys.sorted().first(where: { !Self.eventMembers.contains($0) }) {
                throw Problem.badRequest("\(place) has member \"\(unknown)\"; an event has type, effectiveOn, payload and eventId")
            }
            guard let type = members["type"]?.stringValue, let effectiveOn = members["effectiveOn"]?.stringValue, let payload = members["payload"] else {
                throw Problem.badRequest("\(place) needs type and effectiveOn (strings) and payload")
            }
            var eventId: String?
            if let id = members["eventId"] {
                guard let text = id.stringValue else { throw Problem.badRequest("\(place): eventId is a string") }
                eventId = text
            }
            if caller.token == nil && type != EventType.objection.rawValue {
                throw RequestGate.unauthorized("recording \(type) needs a token; without one, only a public objection during publicity (Art. 6(3)) is taken")
            }
            candidates.append(Candidate(type: type, stream: stream.code, effectiveOn: effectiveOn, actor: caller.actor, payload: payload,
                                        eventId: eventId, origin: single ? nil : "event \(index + 1)"))
        }
        if caller.token == nil { try admitObjection(request, context: context) }
        let results = try await commit(candidates, expectVersion: try Self.expectedVersion(request)).results
        let answers: [JSONValue] = results.map { result in
            .object(["seq": .integer(result.seq), "eventId": .string(result.eventId), "hash": .string(result.hash),
                     "streamVersion": .integer(result.streamVersion)])
        }
        // Every event of a request is of its one stream: the newest version it names.
        let version = results.map(\.streamVersion).max() ?? 0
        let status: HTTPResponse.Status = results.allSatisfy(\.duplicate) ? .ok : .created
        return Self.json(single && answers.count == 1 ? answers[0] : .array(answers), status: status, headers: [.eTag: "\"\(version)\""])
    }

    /// Appends for any door of this service (the API, the pages): timed for `/metrics`, and announced to
    /// the followers of the log.
    func commit(_ candidates: [Candidate], expectVersion: Int64? = nil) async throws(LedgerError) -> AppendOutcome {
        let started = ContinuousClock.now
        let outcome = try await ledger.append(candidates, expectVersion: expectVersion)
        let elapsed = ContinuousClock.now - started
        metrics.append(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, events: outcome.results.count)
        if let newest = outcome.results.map(\.seq).max() { feed.appended(through: newest) }
        return outcome
    }

    /// A public objection (no token) counts against its client address: `429` with `Retry-After` past the limit.
    func admitObjection(_ request: Request, context: RegistryContext) throws {
        let forwarded = behindProxy ? request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } : nil
        let client = forwarded ?? context.remoteAddress?.ipAddress ?? "unknown"
        if let wait = objections.admit(client) {
            var problem = Problem(.tooManyRequests, kind: "rate-limited", title: "too many objections from this address",
                                  detail: "at most \(objections.perMinute) public objections a minute from one address; try again in \(wait) s")
            problem.headers[.retryAfter] = String(wait)
            throw problem
        }
    }

    /// `If-Match: "<n>"`: record only if the stream is at version n (`412` if it moved).
    static func expectedVersion(_ request: Request) throws -> Int64? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\""])
        guard let version = Int64(text), version >= 0 else { throw Problem.badRequest("If-Match must be a stream version as an entity tag, \"<n>\"") }
        return version
    }
}
