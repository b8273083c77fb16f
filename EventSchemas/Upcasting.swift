import CanonicalJSON

/// Reads a stored payload of an older schema version as the newest one.
///
/// Stored events are never rewritten (their hashes cover the bytes as written); instead each schema
/// change ships an upcaster from version N to N + 1, applied in turn on every read. See README.md.
public enum Upcasting {
    /// One step: a payload valid under `<type>.v<from>` becomes valid under `<type>.v<from + 1>`.
    typealias Step = @Sendable (JSONObject) -> JSONObject

    static let steps: [String: [Int: Step]] = [
        // terminated v1 → v2: v2 adds `basis`. Under v1 every termination was the case Art. 17 names,
        // an outlet whose infrastructure no longer meets the conditions.
        "terminated": [1: { payload in
            var upcast = payload
            upcast["basis"] = "no-longer-eligible"
            return upcast
        }],
    ]

    /// The payload as the newest version of `type` reads it (`latest` being that version).
    public static func upcast(_ payload: JSONValue, type: String, from version: Int, to latest: Int) -> JSONValue {
        guard version < latest, case .object(var members) = payload else { return payload }
        for step in version..<latest {
            guard let upcaster = steps[type]?[step] else { break }
            members = upcaster(members)
        }
        return .object(members)
    }
}
