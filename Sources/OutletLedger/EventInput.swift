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
            let bytes = Array(line)
            let (value, canonical): (JSONValue, Range<Int>?)
            do {
                (value, canonical) = try JSONParser.parse(bytes, canonicalTextOf: "payload")
            } catch {
                throw LedgerError(.invalidInput, "not valid JSON: column \(error.column): \(error.reason)")
            }
            var candidate = try event(value, kind: kind, textBytes: line.count)
            if let canonical { candidate.canonicalText = Cached(Array(bytes[canonical])) }
            candidate.origin = "\(source) line \(number)"
            return candidate
        } catch {
            throw error.at("\(source) line \(number)")
        }
    }

    /// One event object, parsed from `textBytes` bytes of JSON text (nil: not from text).
    public static func event(_ value: JSONValue, kind: Kind, textBytes: Int? = nil) throws(LedgerError) -> Candidate {
        func invalid(_ message: String) -> LedgerError { LedgerError(.invalidInput, message) }
        guard let object = value.objectValue else { throw invalid("an event must be a JSON object, found \(value.typeName)") }
        // The members taken in one walk, each by its name (an import reads a million lines: looked up one by one,
        // and checked against a set of the allowed names, they were a tenth of a line's reading); then checked in
        // the order the errors are told.
        var members = Members()
        guard members.take(object, kind: kind) else {
            let unknown = object.keys.filter { !kind.allowedKeys.contains($0) }.sorted()[0]
            throw invalid("unknown member \"\(unknown)\" (allowed: \(kind.allowedKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ member: JSONValue?, _ key: String) throws(LedgerError) -> String {
            guard let member else { throw invalid("required member \"\(key)\" is missing") }
            guard let text = member.stringValue else { throw invalid("\"\(key)\" must be a string, found \(member.typeName)") }
            return text
        }
        func optionalString(_ member: JSONValue?, _ key: String) throws(LedgerError) -> String? {
            member == nil ? nil : try string(member, key)
        }
        func optionalInteger(_ member: JSONValue?, _ key: String) throws(LedgerError) -> Int64? {
            guard let member else { return nil }
            guard let number = member.integerValue else { throw invalid("\"\(key)\" must be an integer, found \(member.typeName)") }
            return number
        }
        guard let actorValue = members.actor else { throw invalid("required member \"actor\" is missing") }
        guard let actorMembers = actorValue.objectValue else { throw invalid("\"actor\" must be an object {role, unit, name}") }
        var role: JSONValue?, unit: JSONValue?, name: JSONValue?
        for member in actorMembers.members {
            switch member.key {
            case "role": role = member.value
            case "unit": unit = member.value
            case "name": name = member.value
            default:
                let unknown = actorMembers.keys.filter { !["role", "unit", "name"].contains($0) }.sorted()[0]
                throw invalid("unknown member \"actor.\(unknown)\" (allowed: role, unit, name)")
            }
        }
        func actorField(_ member: JSONValue?, _ key: String, required: Bool) throws(LedgerError) -> String {
            guard let member else {
                if required { throw invalid("required member \"actor.\(key)\" is missing") }
                return ""
            }
            guard let text = member.stringValue else { throw invalid("\"actor.\(key)\" must be a string") }
            return text
        }
        guard let payload = members.payload else { throw invalid("required member \"payload\" is missing") }
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
        if let text = try optionalString(members.recordedAt, "recordedAt") {
            guard let time = Timestamp(text) else {
                throw invalid("recordedAt \"\(text)\" is not an RFC 3339 UTC time with milliseconds (2025-10-10T08:00:00.000Z)")
            }
            recordedAt = time
        }
        let claimed = ClaimedPosition(
            seq: try optionalInteger(members.seq, "seq"), streamVersion: try optionalInteger(members.streamVersion, "streamVersion"),
            prevHash: try optionalString(members.prevHash, "prevHash"), hash: try optionalString(members.hash, "hash"))
        return Candidate(
            type: try string(members.type, "type"), stream: try string(members.stream, "stream"),
            effectiveOn: try string(members.effectiveOn, "effectiveOn"),
            actor: EnvelopeActor(role: try actorField(role, "role", required: true), unit: try actorField(unit, "unit", required: false),
                                 name: try actorField(name, "name", required: false)),
            payload: payload, eventId: try optionalString(members.eventId, "eventId"),
            schemaVersion: try optionalInteger(members.schemaVersion, "schemaVersion"), recordedAt: recordedAt,
            claimed: claimed == ClaimedPosition() ? nil : claimed)
    }

    /// An event object's members, by name.
    private struct Members {
        var type, stream, effectiveOn, actor, payload, eventId, schemaVersion: JSONValue?
        /// An import's only.
        var recordedAt, seq, streamVersion, prevHash, hash: JSONValue?

        /// Takes every member of `object`; false at the first whose name `kind` does not allow.
        mutating func take(_ object: JSONObject, kind: Kind) -> Bool {
            let importing = if case .import = kind { true } else { false }
            for member in object.members {
                switch member.key {
                case "type": type = member.value
                case "stream": stream = member.value
                case "effectiveOn": effectiveOn = member.value
                case "actor": actor = member.value
                case "payload": payload = member.value
                case "eventId": eventId = member.value
                case "schemaVersion": schemaVersion = member.value
                case "recordedAt" where importing: recordedAt = member.value
                case "seq" where importing: seq = member.value
                case "streamVersion" where importing: streamVersion = member.value
                case "prevHash" where importing: prevHash = member.value
                case "hash" where importing: hash = member.value
                default: return false
                }
            }
            return true
        }
    }
}
