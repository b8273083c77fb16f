import OutletCore
import OutletDomain

/// One caller's offer among several committed together: its events (all or none) and the stream version
/// it expects, if any.
public struct AppendRequest: Sendable {
    public let candidates: [Candidate]
    public let expectVersion: Int64?

    public init(_ candidates: [Candidate], expectVersion: Int64? = nil) {
        self.candidates = candidates
        self.expectVersion = expectVersion
    }

    /// Whether it may share a transaction with others. Not an expected version (one stream's, one call's),
    /// not the registry's reference data, and not an Art. 19 act or bar: a revocation must travel with its
    /// bar in one request, and in a shared run the next request's bar could pair with it.
    var groupable: Bool {
        let alone: Set<String> = [EventType.revoked.rawValue, EventType.declined.rawValue, EventType.barred3Years.rawValue]
        return expectVersion == nil && !candidates.isEmpty
            && candidates.allSatisfy { !alone.contains($0.type) && $0.stream != ReferenceStream.id }
    }
}

extension Ledger {
    /// Appends several callers' requests in arrival order, each all or none, each decided against the log
    /// as the requests before it left it — as if one after the other — but committed together: one
    /// transaction, one fsync, for the requests that pass. A refused request is answered with its own
    /// error (its indices its own) and the others are decided again without it, so no request's fate
    /// depends on a later one.
    public func append(group requests: [AppendRequest]) -> [Result<AppendOutcome, LedgerError>] {
        var answers = [Result<AppendOutcome, LedgerError>?](repeating: nil, count: requests.count)
        var index = 0
        while index < requests.count {
            guard requests[index].groupable else {
                answers[index] = Result { () throws(LedgerError) in try append(requests[index].candidates, expectVersion: requests[index].expectVersion) }
                index += 1
                continue
            }
            // An event id repeated by a later request is decided against the earlier one's stored event
            // (the same content is answered as a repeat): the later request waits for the next group.
            var end = index
            var ids: Set<String> = []
            while end < requests.count, requests[end].groupable {
                let own = Set(requests[end].candidates.compactMap(\.eventId))
                guard ids.isDisjoint(with: own) else { break }
                ids.formUnion(own)
                end += 1
            }
            for (offset, answer) in commitTogether(Array(requests[index..<end])).enumerated() { answers[index + offset] = answer }
            index = end
        }
        return answers.map { $0! }
    }

    /// Groupable requests: all in one append; on a refusal located in one request, that request gets it
    /// and the rest are tried again together.
    private func commitTogether(_ requests: [AppendRequest]) -> [Result<AppendOutcome, LedgerError>] {
        var answers = [Result<AppendOutcome, LedgerError>?](repeating: nil, count: requests.count)
        var pending = Array(requests.indices)
        while !pending.isEmpty {
            if pending.count == 1 {
                answers[pending[0]] = Result { () throws(LedgerError) in try append(requests[pending[0]].candidates) }
                break
            }
            var combined: [Candidate] = []
            var owner: [(request: Int, index: Int)] = []
            for request in pending {
                for (index, candidate) in requests[request].candidates.enumerated() {
                    combined.append(candidate)
                    owner.append((request, index))
                }
            }
            do {
                let outcome = try append(combined)
                var next = 0
                for request in pending {
                    let count = requests[request].candidates.count
                    answers[request] = .success(AppendOutcome(results: Array(outcome.results[next..<next + count]), warnings: outcome.warnings))
                    next += count
                }
                break
            } catch {
                guard let at = error.eventIndex, at < owner.count else {
                    // Not one event's fault: answer each request alone.
                    for request in pending { answers[request] = Result { () throws(LedgerError) in try append(requests[request].candidates) } }
                    break
                }
                let (request, index) = owner[at]
                var own = error
                let candidates = requests[request].candidates
                own.eventIndex = candidates.count > 1 ? index : nil
                own.location = candidates[index].origin
                answers[request] = .failure(own)
                pending.removeAll { $0 == request }
            }
        }
        return answers.map { $0! }
    }
}
