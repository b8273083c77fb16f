/// A bearer token of the service, as the ledger file keeps it: never the secret, only its SHA-256 — who
/// holds it (role, unit, name), since when, until when, and whether it was revoked. Not part of the chain:
/// tokens grant access to the doors; the acts they record are what the chain holds.
public struct AccessToken: Sendable, Equatable {
    /// A public handle (`tok-` and 12 hex digits), for lists, logs and revocation.
    public let id: String
    /// Lowercase hex SHA-256 of the secret.
    public let sha256: String
    /// `city-bureau`, `district-bureau`, `applicant` or `auditor`.
    public let role: String
    /// 210100, a district code, a USCC, or empty for an auditor.
    public let unit: String
    public let name: String
    /// RFC 3339 UTC.
    public let issuedAt: String
    /// The last day it is accepted (Asia/Shanghai), if it expires.
    public let expiresOn: String?
    /// RFC 3339 UTC, once revoked.
    public let revokedAt: String?

    public init(id: String, sha256: String, role: String, unit: String, name: String, issuedAt: String, expiresOn: String?, revokedAt: String?) {
        self.id = id
        self.sha256 = sha256
        self.role = role
        self.unit = unit
        self.name = name
        self.issuedAt = issuedAt
        self.expiresOn = expiresOn
        self.revokedAt = revokedAt
    }
}
