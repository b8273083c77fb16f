import CanonicalJSON
import Crypto

/// The chain: `hash` = hex SHA-256 of the RFC 8785 canonical JSON of the envelope without `hash`,
/// `prevHash` = the previous event's `hash` (DOMAIN.md §5).
public enum HashChain {
    /// The `prevHash` of seq 1.
    public static let genesis = String(repeating: "0", count: 64)

    /// The envelope's canonical JSON, with or without its `hash` member.
    ///
    /// Written member by member in RFC 8785 order (UTF-16 order of the names) rather than through a
    /// `JSONValue`, because every append, verify and export does it; a test pins it to the generic
    /// encoder. `payload` is embedded as stored, which is canonical already.
    public static func canonicalBytes(of envelope: Envelope, includingHash: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(envelope.payload.utf8.count + 512)
        appendOpening(actor: envelope.actor, effectiveOn: envelope.effectiveOn, eventId: envelope.eventId, to: &out)
        if includingHash {
            member("hash", to: &out)
            Canonical.appendString(envelope.hash, to: &out)
        }
        appendPayload(envelope.payload, to: &out)
        appendPlace(of: envelope, to: &out)
        return out
    }

    /// The hash the envelope must carry, computed from its other members.
    public static func hash(of envelope: Envelope) -> String {
        hex(SHA256.hash(data: canonicalBytes(of: envelope, includingHash: false)))
    }

    /// SHA-256 fed the canonical envelope (without `hash`) up to its place in the log: the members before
    /// `prevHash` (actor, effectiveOn, eventId, payload), which an event whose id is its own has before it
    /// is sealed. Made where the event is checked (an import's reading core), it leaves the sealing the
    /// last hundred bytes to hash, not the whole envelope.
    public static func prefix(actor: EnvelopeActor, effectiveOn: String, eventId: String, payload: String) -> HashPrefix {
        var out: [UInt8] = []
        out.reserveCapacity(payload.utf8.count + 256)
        appendOpening(actor: actor, effectiveOn: effectiveOn, eventId: eventId, to: &out)
        appendPayload(payload, to: &out)
        var hasher = SHA256()
        hasher.update(data: out)
        return HashPrefix(hasher: hasher)
    }

    /// `hash(of:)`, from the `prefix` of the envelope's own actor, effectiveOn, eventId and payload.
    public static func hash(of envelope: Envelope, after prefix: HashPrefix) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendPlace(of: envelope, to: &out)
        var hasher = prefix.hasher
        hasher.update(data: out)
        return hex(hasher.finalize())
    }

    private static func member(_ name: StaticString, first: Bool = false, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(contentsOf: "\":".utf8)
    }

    /// `{"actor":{…},"effectiveOn":…,"eventId":…`
    private static func appendOpening(actor: EnvelopeActor, effectiveOn: String, eventId: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        member("actor", first: true, to: &out)
        out.append(UInt8(ascii: "{"))
        member("name", first: true, to: &out)
        Canonical.appendString(actor.name, to: &out)
        member("role", to: &out)
        Canonical.appendString(actor.role, to: &out)
        member("unit", to: &out)
        Canonical.appendString(actor.unit, to: &out)
        out.append(UInt8(ascii: "}"))
        member("effectiveOn", to: &out)
        Canonical.appendString(effectiveOn, to: &out)
        member("eventId", to: &out)
        Canonical.appendString(eventId, to: &out)
    }

    private static func appendPayload(_ payload: String, to out: inout [UInt8]) {
        member("payload", to: &out)
        out.append(contentsOf: payload.utf8)
    }

    /// `,"prevHash":…,"type":…}`: the members an event has once it has a place in the log (and its type).
    private static func appendPlace(of envelope: Envelope, to out: inout [UInt8]) {
        member("prevHash", to: &out)
        Canonical.appendString(envelope.prevHash, to: &out)
        member("recordedAt", to: &out)
        Canonical.appendString(envelope.recordedAt, to: &out)
        member("schemaVersion", to: &out)
        Canonical.appendInteger(envelope.schemaVersion, to: &out)
        member("seq", to: &out)
        Canonical.appendInteger(envelope.seq, to: &out)
        member("stream", to: &out)
        Canonical.appendString(envelope.stream, to: &out)
        member("streamVersion", to: &out)
        Canonical.appendInteger(envelope.streamVersion, to: &out)
        member("type", to: &out)
        Canonical.appendString(envelope.type, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// Lowercase hex SHA-256 of any bytes (the projection digest uses it too).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex SHA-256 of bytes `feed` hands over in pieces (a document too long to hold whole).
    public static func sha256Hex(feed: (_ update: ([UInt8]) -> Void) -> Void) -> String {
        var hasher = SHA256()
        feed { hasher.update(data: $0) }
        return hex(hasher.finalize())
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ digest: SHA256.Digest) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A chain hash's 32 raw bytes (the Merkle leaf input), or nil unless it is 64 lowercase hex digits.
    public static func bytes(ofHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

/// SHA-256 fed an envelope's members before its place in the log (`HashChain.prefix`).
public struct HashPrefix: @unchecked Sendable {
    // `SHA256` copies its state before changing state another copy holds (copy on write, as an array does), so
    // a prefix handed to another thread is changed in place by neither: what `Sendable` asks.
    fileprivate let hasher: SHA256
}
