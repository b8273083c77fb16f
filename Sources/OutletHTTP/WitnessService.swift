import Foundation
import Hummingbird
import OutletTransparency

/// A witness's door (C2SP tlog-witness): `POST /add-checkpoint` cosigns a checkpoint of a log it follows
/// when it is consistent with the one it last cosigned, and says why not in the protocol's statuses.
public struct WitnessService: Sendable {
    /// A checkpoint with its signatures and a 63-hash proof is a few kilobytes.
    static let bodyLimit = 64 * 1024

    let witness: Witness
    let logKeys: [SignedNote.Verifier]
    let state: WitnessState
    /// Seconds since 1970, for the cosignature's time.
    let now: @Sendable () -> UInt64

    public init(witness: Witness, logKeys: [SignedNote.Verifier], state: WitnessState, now: @escaping @Sendable () -> UInt64) {
        self.witness = witness
        self.logKeys = logKeys
        self.state = state
        self.now = now
    }

    /// The answer to an add-checkpoint body: the status, its content type and its body.
    public func addCheckpoint(_ body: String) -> (status: HTTPResponse.Status, contentType: String, body: String) {
        do {
            let request = try AddCheckpoint(body: body)
            let origin = request.note.prefix { $0 != "\n" }
            let cosignature = try state.update(origin: String(origin)) { latest in
                let decided = try witness.add(request, logKeys: logKeys, latest: latest, time: now())
                return (answer: decided.cosignature, record: decided.record)
            }
            return (.ok, "text/plain; charset=utf-8", cosignature)
        } catch let refusal as Witness.Refusal {
            if case .oldSizeMismatch(let latest) = refusal { return (.conflict, "text/x.tlog.size", "\(latest)\n") }
            let status: HTTPResponse.Status = switch refusal {
            case .malformed: .badRequest
            case .unknownLog: .notFound
            case .notSignedByLog: .forbidden
            case .oldSizeMismatch, .conflictingRoot, .rewound: .conflict
            case .inconsistent, .proofNeeded: .unprocessableContent
            }
            return (status, "application/problem+json", problem(status, "\(refusal)"))
        } catch {
            return (.internalServerError, "application/problem+json", problem(.internalServerError, "\(error)"))
        }
    }

    private func problem(_ status: HTTPResponse.Status, _ detail: String) -> String {
        String(decoding: Problem(status, kind: "witness-refusal", title: "the witness does not cosign", detail: detail).json.canonicalBytes, as: UTF8.self)
    }

    /// Serves `POST /add-checkpoint` on `host:port` until SIGTERM or SIGINT.
    public func run(host: String, port: Int) async throws {
        try await Listener.run(router, host: host, port: port, announcing: "witness \(witness.name) for \(logKeys.map(\.name).joined(separator: ", "))")
    }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("add-checkpoint") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: Self.bodyLimit)
            let answer = addCheckpoint(String(buffer: bytes))
            return Response(status: answer.status, headers: [.contentType: answer.contentType],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        return router
    }
}
