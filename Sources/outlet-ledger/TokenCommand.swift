import ArgumentParser
import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
import OutletLedger

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Bearer tokens of the service: who may act through it, in which role (only their SHA-256 is kept).",
        subcommands: [IssueToken.self, ListTokens.self, RevokeToken.self])
}

struct IssueToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue a token and print it once; the ledger keeps only its SHA-256.")
    @OptionGroup var options: LedgerOptions
    @Option(help: "city-bureau:210100, district-bureau:<district code>, applicant:<USCC> or auditor.") var role: String
    @Option(help: "The person or office it is for: the actor name of every act it records.") var name: String
    @Option(help: "The last day it is accepted (YYYY-MM-DD, Asia/Shanghai).") var expires: String?
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let ledger = try options.open()
        let expiresOn = try expires.map { text throws(LedgerError) in
            guard let date = LocalDate(text) else { throw LedgerError(.invalidInput, "--expires \(text) is not a calendar date (YYYY-MM-DD)") }
            return date
        }
        let (secret, token) = try ledger.issueToken(role: try AccessRole(role, policy: ledger.policy), name: name, expiresOn: expiresOn)
        if json {
            print(JSONValue.object(TokenText.json(token).objectValue!.merging(["token": .string(secret)]) { _, new in new }).canonicalString)
        } else {
            print(secret)
            Output.standardError("issued \(token.id) for \(TokenText.holder(token)); the token above is shown once and is not kept")
        }
    }
}

struct ListTokens: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every token issued: id, role, unit, name, dates (never the secret).")
    @OptionGroup var options: LedgerOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() throws {
        let tokens = try options.open(readonly: true).tokens()
        if json {
            print(JSONValue.array(tokens.map(TokenText.json)).canonicalString)
            return
        }
        var table = TextTable(["id", "role", "unit", "name", "issued", "expires", "revoked"])
        for token in tokens {
            table.add([token.id, token.role, token.unit, token.name, token.issuedAt, token.expiresOn ?? "—", token.revokedAt ?? ""])
        }
        print(table.render().joined(separator: "\n"))
    }
}

struct RevokeToken: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token: refused from the next request on.")
    @OptionGroup var options: LedgerOptions
    @Argument(help: "The token's id (token list).") var id: String

    func run() throws {
        try options.open().revokeToken(id: id)
        print("revoked \(id)")
    }
}

enum TokenText {
    static func holder(_ token: AccessToken) -> String {
        token.unit.isEmpty ? "\(token.role) \(token.name)" : "\(token.role):\(token.unit) \(token.name)"
    }

    static func json(_ token: AccessToken) -> JSONValue {
        .object([
            "id": .string(token.id), "role": .string(token.role), "unit": .string(token.unit), "name": .string(token.name),
            "issuedAt": .string(token.issuedAt), "expiresOn": token.expiresOn.map(JSONValue.string) ?? .null,
            "revokedAt": token.revokedAt.map(JSONValue.string) ?? .null,
        ])
    }
}
