import CanonicalJSON
import Hummingbird
import OutletCore

extension Problem {
    /// A ledger error as the API answers it — the one place where an error becomes an HTTP status: `400`
    /// malformed, `403` the "who" column, `409` an event id reused, `412` the stream moved, `422` a rule of
    /// the Measures (with its article), `500` an integrity failure, `503` storage.
    public init(_ error: LedgerError) {
        var members: JSONObject = [:]
        if let article = error.article { members["article"] = .string(article) }
        if let stream = error.stream { members["stream"] = .string(stream) }
        if let seq = error.seq { members["seq"] = .integer(seq) }
        if let index = error.eventIndex { members["eventIndex"] = .integer(Int64(index)) }
        if let location = error.location { members["location"] = .string(location) }
        if let conflict = error.conflict {
            members["conflict"] = .string(conflict.kind.rawValue)
            if let expected = conflict.expected { members["expectedVersion"] = .integer(expected) }
            if let actual = conflict.actual { members["actualVersion"] = .integer(actual) }
        }
        let detail = error.description
        switch error.code {
        case .invalidInput:
            self.init(.badRequest, kind: "invalid-input", title: "the request is malformed or breaks the schema", detail: detail, members: members)
        case .refusedByRule where error.byActorRule:
            self.init(.forbidden, kind: "not-allowed", title: "this role may not record this act (the rules' \"who\" column)", detail: detail, members: members)
        case .refusedByRule:
            self.init(.unprocessableContent, kind: "refused-by-rule", title: "refused by a rule of the Measures", detail: detail, members: members)
        case .conflict where error.conflict?.kind == .streamMoved:
            self.init(.preconditionFailed, kind: "stream-moved", title: "the stream is not at the version If-Match names", detail: detail, members: members)
        case .conflict:
            self.init(.conflict, kind: "conflict", title: "the request conflicts with the ledger", detail: detail, members: members)
        case .integrityFailure:
            self.init(.internalServerError, kind: "integrity-failure", title: "the stored history does not verify", detail: detail, members: members)
        case .ledgerUnusable, .storage:
            self.init(.serviceUnavailable, kind: "storage", title: "the ledger cannot be used now", detail: detail, members: members)
        }
    }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, kind: "unauthorized", title: "a valid bearer token is needed", detail: detail)
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, kind: "forbidden", title: "this role may not do this", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, kind: "not-found", title: "nothing here", detail: detail)
    }

    static func badRequest(_ detail: String) -> Problem {
        Problem(.badRequest, kind: "invalid-input", title: "the request is malformed or breaks the schema", detail: detail)
    }
}
