import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutletCore
import OutletLedger
import OutletTransparency

/// `--witness URL=VKEY`: a witness's submission prefix and its verifier key (C2SP tlog-witness).
struct WitnessEndpoint {
    let url: URL
    let vkey: String
    let name: String

    init(_ text: String) throws(LedgerError) {
        guard let equals = text.firstIndex(of: "="), let url = URL(string: String(text[..<equals])),
              url.scheme == "http" || url.scheme == "https", url.host != nil
        else { throw LedgerError(.invalidInput, "--witness \(text): give URL=VKEY (the witness's address, then its verifier key)") }
        let vkey = String(text[text.index(after: equals)...])
        self.url = url
        self.vkey = vkey
        do {
            self.name = try Witness.name(ofVerifierKey: vkey)
        } catch {
            throw LedgerError(.invalidInput, "--witness \(text): \(error)")
        }
    }

    /// The witness's cosignature lines on `note` (of a log of `size` events): `add-checkpoint` from the size
    /// the log believes the witness holds, and once more from the size it says it holds (409).
    func cosign(_ note: String, size: Int, believed: Int, ledger: Ledger) async throws(LedgerError) -> String {
        var old = believed
        for _ in 0..<2 {
            let proof = old == 0 || old == size ? [] : try ledger.consistencyProof(from: Int64(old), to: Int64(size)).hashes
            let (status, contentType, body) = try await post(AddCheckpoint(oldSize: old, proof: proof, note: note).body)
            switch status {
            case 200:
                let lines = body.split(separator: "\n").filter { $0.hasPrefix("— \(name) ") }.map { $0 + "\n" }.joined()
                do {
                    _ = try Witness.cosignatureTime(in: note + lines, vkey: vkey)
                } catch {
                    throw LedgerError(.integrityFailure, "witness \(name) (\(url)) answered without a valid cosignature: \(error)")
                }
                return lines
            case 409 where contentType.hasPrefix("text/x.tlog.size"):
                guard let latest = Int(body.trimmingCharacters(in: .whitespacesAndNewlines)), latest != old else { break }
                guard latest <= size else {
                    throw LedgerError(.integrityFailure, "witness \(name) (\(url)) has cosigned a tree of \(latest) events, larger than this log's \(size): it saw another history")
                }
                old = latest
                continue
            default:
                break
            }
            let detail = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["detail"] as? String ?? body.trimmingCharacters(in: .whitespacesAndNewlines)
            throw LedgerError(.integrityFailure, "witness \(name) (\(url)) refused the checkpoint of size \(size) (HTTP \(status)): \(detail)")
        }
        throw LedgerError(.integrityFailure, "witness \(name) (\(url)) keeps changing the size it says it cosigned")
    }

    private func post(_ body: String) async throws(LedgerError) -> (Int, String, String) {
        var request = URLRequest(url: url.appendingPathComponent("add-checkpoint"), timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let response = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
            return (response.statusCode, response.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
        } catch {
            throw LedgerError(.storage, "witness \(name) (\(url)) cannot be reached: \(error.localizedDescription)")
        }
    }
}
