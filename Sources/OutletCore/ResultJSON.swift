import CanonicalJSON

// The JSON shapes of what the log answers, beside their types: every door (the CLI, later HTTP) prints
// the same members.

extension AppendResult {
    public var jsonValue: JSONValue {
        .object(["seq": .integer(seq), "eventId": .string(eventId), "duplicate": .bool(duplicate)])
    }
}

extension StoredSnapshot {
    public var jsonValue: JSONValue {
        .object([
            "seq": .integer(seq), "hash": .string(hash), "createdAt": .string(createdAt),
            "formatVersion": .integer(Int64(formatVersion)), "projectionVersion": .integer(Int64(projectionVersion)),
            "contentSize": .integer(Int64(contentSize)), "frameSize": .integer(Int64(frameSize)),
            "baseSeq": baseSeq.map(JSONValue.integer) ?? .null,
        ])
    }
}

extension LedgerError {
    /// `{ok: false, code, error, seq, article}` (and the conflict's kind and versions): a failure as data.
    public var jsonValue: JSONValue {
        var members: JSONObject = [
            "ok": false, "code": .string(code.rawValue), "error": .string(message),
            "seq": seq.map(JSONValue.integer) ?? .null, "article": article.map(JSONValue.string) ?? .null,
        ]
        if let conflict {
            members["conflict"] = .object([
                "kind": .string(conflict.kind.rawValue), "expected": conflict.expected.map(JSONValue.integer) ?? .null,
                "actual": conflict.actual.map(JSONValue.integer) ?? .null,
            ])
        }
        return .object(members)
    }
}
