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
        func member(_ name: StaticString, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        out.append(UInt8(ascii: "{"))
        member("actor", first: true)
        out.append(UInt8(ascii: "{"))
        member("name", first: true)
        Canonical.appendString(envelope.actor.name, to: &out)
        member("role")
        Canonical.appendString(envelope.actor.role, to: &out)
        member("unit")
        Canonical.appendString(envelope.actor.unit, to: &out)
        out.append(UInt8(ascii: "}"))
        member("effectiveOn")
        Canonical.appendString(envelope.effectiveOn, to: &out)
        member("eventId")
        Canonical.appendString(envelope.eventId, to: &out)
        if includingHash {
            member("hash")
            Canonical.appendString(envelope.hash, to: &out)
        }
        member("payload")
        out.append(contentsOf: envelope.payload.utf8)
        member("prevHash")
        Canonical.appendString(envelope.prevHash, to: &out)
        member("recordedAt")
        Canonical.appendString(envelope.recordedAt, to: &out)
        member("schemaVersion")
        Canonical.appendInteger(envelope.schemaVersion, to: &out)
        member("seq")
        Canonical.appendInteger(envelope.seq, to: &out)
        member("stream")
        Canonical.appendString(envelope.stream, to: &out)
        member("streamVersion")
        Canonical.appendInteger(envelope.streamVersion, to: &out)
        member("type")
        Canonical.appendString(envelope.type, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The hash the envelope must carry, computed from its other members.
    public static func hash(of envelope: Envelope) -> String {
        hex(SHA256.hash(data: canonicalBytes(of: envelope, includingHash: false)))
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
