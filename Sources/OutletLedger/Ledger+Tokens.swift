import Crypto
import Foundation
import OutletCore
import OutletDomain

/// Who a service token speaks for: one of the four kinds of people who act on the registry or audit it
/// (the public needs no token). A token's role, unit and name become the actor of every event it records.
public enum AccessRole: Sendable, Equatable, CustomStringConvertible {
    /// 沈阳市知识产权局, unit 210100.
    case cityBureau
    /// A district bureau (区、县（市）市场监督管理局), by its district code.
    case districtBureau(String)
    /// An institution acting for itself, by its USCC.
    case applicant(USCC)
    /// Reads everything, writes nothing.
    case auditor

    /// `city-bureau:210100`, `district-bureau:<code>`, `applicant:<USCC>` or `auditor`, checked against the policy.
    public init(_ text: String, policy: Policy) throws(LedgerError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let unit = parts.count == 2 ? parts[1] : ""
        switch parts.first ?? "" {
        case "city-bureau":
            guard unit == policy.cityBureauUnit else {
                throw LedgerError(.invalidInput, "--role city-bureau:\(policy.cityBureauUnit): the city bureau's unit is \(policy.cityBureauUnit), not \"\(unit)\"", article: "Art. 3")
            }
            self = .cityBureau
        case "district-bureau":
            guard policy.district(unit) != nil else {
                let codes = policy.districts.map(\.code).joined(separator: ", ")
                throw LedgerError(.invalidInput, "--role district-bureau:<code>: \"\(unit)\" is not a district of Shenyang (\(codes))", article: "Art. 6(2)")
            }
            self = .districtBureau(unit)
        case "applicant":
            guard let uscc = USCC(unit) else { throw LedgerError(.invalidInput, "--role applicant:<USCC>: \"\(unit)\" is not a valid USCC (GB 32100-2015)") }
            self = .applicant(uscc)
        case "auditor":
            guard unit.isEmpty else { throw LedgerError(.invalidInput, "--role auditor takes no unit") }
            self = .auditor
        default:
            throw LedgerError(.invalidInput, "--role \(text): one of city-bureau:\(policy.cityBureauUnit), district-bureau:<code>, applicant:<USCC>, auditor")
        }
    }

    /// The role and unit as stored with the token and as recorded in an event's actor.
    public var role: String {
        switch self {
        case .cityBureau: Actor.Role.cityBureau.rawValue
        case .districtBureau: Actor.Role.districtBureau.rawValue
        case .applicant: Actor.Role.applicant.rawValue
        case .auditor: "auditor"
        }
    }

    public func unit(policy: Policy) -> String {
        switch self {
        case .cityBureau: policy.cityBureauUnit
        case .districtBureau(let code): code
        case .applicant(let uscc): uscc.code
        case .auditor: ""
        }
    }

    public var description: String { role }
}

extension Ledger {
    /// Issues a bearer token for `role`: returns the secret, shown once, and the record kept (its SHA-256).
    public func issueToken(role: AccessRole, name: String, expiresOn: LocalDate? = nil) throws(LedgerError) -> (secret: String, token: AccessToken) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 100, !trimmed.unicodeScalars.contains(where: { TextSafety.isForbidden($0, multiLine: false) }) else {
            throw LedgerError(.invalidInput, "--name must be 1 to 100 characters of plain text (it becomes the actor name of every act the token records)")
        }
        if let expiresOn, expiresOn < today {
            throw LedgerError(.invalidInput, "--expires \(expiresOn) is in the past (today is \(today), Asia/Shanghai)")
        }
        var random = SystemRandomNumberGenerator()
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let secret = "olt_" + Data(secretBytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let id = "tok-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let token = AccessToken(id: id, sha256: Self.tokenHash(secret), role: role.role, unit: role.unit(policy: policy), name: trimmed,
                                issuedAt: store.clock.now().description, expiresOn: expiresOn?.description, revokedAt: nil)
        try store.saveToken(token)
        return (secret, token)
    }

    public func tokens() throws(LedgerError) -> [AccessToken] {
        try store.tokens()
    }

    /// Revokes a token by id: it is refused from the next request on.
    public func revokeToken(id: String) throws(LedgerError) {
        guard try store.revokeToken(id: id) else {
            let known = try store.tokens().first { $0.id == id }
            throw LedgerError(.invalidInput, known == nil ? "no token has id \(id) (outlet-ledger token list)" : "token \(id) was revoked already")
        }
    }

    /// Why a presented secret opens nothing, if it does not.
    public enum TokenRefusal: Error, Sendable, Equatable {
        case unknown, expired(String), revoked(String)
    }

    /// The token a presented secret belongs to, if it is known, not expired (its last day counted in
    /// Asia/Shanghai) and not revoked.
    public func authenticate(secret: String) throws(LedgerError) -> Result<AccessToken, TokenRefusal> {
        guard let token = try store.token(sha256: Self.tokenHash(secret)) else { return .failure(.unknown) }
        if let revoked = token.revokedAt { return .failure(.revoked(revoked)) }
        if let expires = token.expiresOn.flatMap(LocalDate.init), expires < today { return .failure(.expired(expires.description)) }
        return .success(token)
    }

    static func tokenHash(_ secret: String) -> String {
        HashChain.sha256Hex(Array(secret.utf8))
    }
}
