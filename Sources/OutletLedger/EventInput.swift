import CanonicalJSON
import OutletCore

/// Reads events written by people or other systems: an events file for `append --events` (a JSON
/// array or JSON Lines) and the JSON Lines of `import` (which may be an earlier `export`).
public enum EventInput {
    /// The largest payload accepted (DOMAIN.md: applications are forms, not archives).
    public static let maximumPayloadBytes = 1 << 20

    public enum Kind: Sendable {
        /// `append --events`: the ledger stamps `recordedAt`.
        case append
        /// `import`: `recordedAt` and an export's chain fields are kept and checked.
        case `import`

        var allowedKeys: Set<String> {
            switch self {
            case .append: Self.appendKeys
            case .import: Self.importKeys
            }
        }

        // Built once: every member of every event is looked up in them.
        private static let appendKeys: Set<String> = ["type", "stream", "effectiveOn", "actor", "payload", "eventId", "schemaVersion"]
        private static let importKeys = appendKeys.union(["recordedAt", "seq", "streamVersion", "prevHash", "hash"])
    }

    /// A payload given on its own (`append --payload`).
    public static func payload(_ bytes: [UInt8], source: String) throws(LedgerError) -> JSONValue {
        guard bytes.count <= maximumPayloadBytes else {
            throw LedgerError(.invalidInput, "payload is \(bytes.count) bytes, over the 1 MiB limit", location: source)
        }
        do {
            let value = try JSONParser.parse(bytes)
            guard case .object = value else {
                throw LedgerError(.invalidInput, "payload must be a JSON object, found \(value.typeName)", location: source)
            }
            return value
        } catch let error as JSONSyntaxError {
            throw LedgerError(.invalidInput, "payload is not valid JSON: \(error)", location: source)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.invalidInput, "\(error)", location: source)
        }
    }

    /// A file's first byte that is not JSON white space (nil: none yet): `[` opens an array of events,
    /// anything else is JSON Lines.
    public static func firstNonBlank(_ bytes: some Sequence<UInt8>) -> UInt8? {
        bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    }

    /// All events of a file: a JSON array of objects, or one object per line (blank lines skipped).
    public static func events(_ bytes: [UInt8], kind: Kind, source: String) throws(LedgerError) -> [Candidate] {
        if firstNonBlank(bytes) == UInt8(ascii: "[") {
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw LedgerError(.invalidInput, "not valid JSON: \(error)", location: source)
            }
            var candidates: [Candidate] = []
            for (index, element) in (value.arrayValue ?? []).enumerated() {
                let origin = "\(source) event \(index + 1)"
                do {
                    var candidate = try event(element, kind: kind, textBytes: bytes.count)
                    candidate.origin = origin
                    candidates.append(candidate)
                } catch {
                    throw error.at(origin)
                }
            }
            return candidates
        }
        var candidates: [Candidate] = []
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if let candidate = try event(line: line, number: lineNumber, kind: kind, source: source) { candidates.append(candidate) }
        }
        return candidates
    }

    /// Line `number` of a JSON Lines file: its event, or nil if the line is blank.
    public static func event(line: ArraySlice<UInt8>, number: Int, kind: Kind, source: String) throws(LedgerError) -> Candidate? {
        guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { return nil }
        do throws(LedgerError) {
            let value: JSONValue
            do {
                value = try JSONParser.parse(Array(line))
            } catch {
                throw LedgerError(.invalidInput, "not valid JSON: column \(error.column): \(error.reason)")
            }
            var candidate = try event(value, kind: kind, textBytes: line.count)
            candidate.origin = "\(source) line \(number)"
            return candidate
        } catch {
            throw error.at("\(source) line \(number)")
        }
    }

    /// One event object, parsed from `textBytes` bytes of JSON text (nil: not from text).
    public static func event(_ value: JSONValue, kind: Kind, textBytes: Int? = nil) throws(LedgerError) -> Candidate {
        func invalid(_ message: String) -> LedgerError { LedgerError(.invalidInput, message) }
        guard let members = value.objectValue else { throw invalid("an event must be a JSON object, found \(value.typeName)") }
        if let unknown = members.keys.filter({ !kind.allowedKeys.contains($0) }).sorted().first {
            throw invalid("unknown member \"\(unknown)\" (allowed: \(kind.allowedKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) throws(LedgerError) -> String {
            guard let member = members[key] else { throw invalid("required member \"\(key)\" is missing") }
            guard let text = member.stringValue else { throw invalid("\"\(key)\" must be a string, found \(member.typeName)") }
            return text
        }
        func optionalString(_ key: String) throws(LedgerError) -> String? {
            members[key] == nil ? nil : try string(key)
        }
        func optionalInteger(_ key: String) throws(LedgerError) -> Int64? {
            guard let member = members[key] else { return nil }
            guard let number = member.integerValue else { throw invalid("\"\(key)\" must be an integer, found \(member.typeName)") }
            return number
        }
        guard let actorValue = members["actor"] else { throw invalid("required member \"actor\" is missing") }
        guard let actorMembers = actorValue.objectValue else { throw invalid("\"actor\" must be an object {role, unit, name}") }
        if let unknown = actorMembers.keys.filter({ !["role", "unit", "name"].contains($0) }).sorted().first {
            throw invalid("unknown member \"actor.\(unknown)\" (allowed: role, unit, name)")
        }
        func actorField(_ key: String, required: Bool) throws(LedgerError) -> String {
            guard let member = actorMembers[key] else {
                if required { throw invalid("required member \"actor.\(key)\" is missing") }
                return ""
            }
            guard let text = member.stringValue else { throw invalid("\"actor.\(key)\" must be a string") }
            return text
        }
        guard let payload = members["payload"] else { throw invalid("required member \"payload\" is missing") }
        guard case .object = payload else { throw invalid("\"payload\" must be an object, found \(payload.typeName)") }
        // A canonical form is never longer than the text it was parsed from (white space goes, and every
        // escape it writes the text had to write as long or longer): a short text needs no encoding to tell.
        if (textBytes ?? .max) > maximumPayloadBytes {
            let payloadSize = payload.canonicalBytes.count
            guard payloadSize <= maximumPayloadBytes else {
                throw invalid("payload is \(payloadSize) bytes, over the 1 MiB limit")
            }
        }
        var recordedAt: Timestamp?
        if let text = try optionalString("recordedAt") {
            guard let time = Timestamp(text) else {
                throw invalid("recordedAt \"\(text)\" is not an RFC 3339 UTC time with milliseconds (2025-10-10T08:00:00.000Z)")
            }
            recordedAt = time
        }
        let claimed = ClaimedPosition(
            seq: try optionalInteger("seq"), streamVersion: try optionalInteger("streamVersion"),
            prevHash: try optionalString("prevHash"), hash: try optionalString("hash"))
        return Candidate(
            type: try string("type"), stream: try string("stream"), effectiveOn: try string("effectiveOn"),
            actor: EnvelopeActor(role: try actorField("role", required: true), unit: try actorField("unit", required: false),
                                 name: try actorField("name", required: false)),
            payload: payload, eventId: try optionalString("eventId"), schemaVersion: try optionalInteger("schemaVersion"),
            recordedAt: recordedAt,
            claimed: claimed == ClaimedPosition() ? nil : claimed)
    }
}
