import Foundation

/// The policy values of the registry, chosen at `init` and stored in the ledger so that a replay
/// years later counts periods as they were counted when the acts were recorded.
public struct Policy: Sendable, Hashable, Codable {
    /// 公示期 (Art. 6(3)).
    public var publicityDays: Int
    /// 有效期 (Art. 16).
    public var validityYears: Int
    /// How long before the last valid day a renewal may be recorded (Art. 16).
    public var renewalWindowDays: Int
    /// 整改期 "半年内" (Art. 18).
    public var rectificationMonths: Int
    /// 三年内不接受申请 (Art. 19).
    public var barYears: Int
    public var periodRule: PeriodRule
    /// The places an applicant may be registered in (Art. 4(1)), GB/T 2260 code → name.
    public var districts: [District]
    /// The city bureau's unit code (沈阳市知识产权局).
    public var cityBureauUnit: String
    /// A snapshot of the projections is taken automatically every this many events (0: never), or, on a log
    /// more than twenty times as long, every twentieth of the log (`Ledger.snapshotSpacing`); absent from
    /// policies written before snapshots existed, which get the default.
    public var snapshotInterval: Int?
    /// The log's origin in its signed checkpoints (C2SP tlog-checkpoint: a schema-less URL), fixed with
    /// the policy; absent, the first signed checkpoint fixes it.
    public var origin: String?

    public static let defaultSnapshotInterval = 10_000

    /// How many events apart automatic snapshots are (0: none are taken).
    public var snapshotEvery: Int { snapshotInterval ?? Self.defaultSnapshotInterval }

    public struct District: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
    }

    public func district(_ code: String) -> District? {
        districts.first { $0.code == code }
    }

    /// Reads a policy file and checks that every value is usable.
    public init(json: Data) throws(PolicyError) {
        do {
            self = try JSONDecoder().decode(Policy.self, from: json)
        } catch {
            throw PolicyError(description: "policy is not a valid policy JSON: \(error)")
        }
        try validate()
    }

    public func validate() throws(PolicyError) {
        let lengths = [("publicityDays", publicityDays), ("validityYears", validityYears),
                       ("renewalWindowDays", renewalWindowDays), ("rectificationMonths", rectificationMonths),
                       ("barYears", barYears)]
        if let (name, value) = lengths.first(where: { !(1...3650).contains($0.1) }) {
            throw PolicyError(description: "policy \(name) is \(value); it must be between 1 and 3650")
        }
        if let interval = snapshotInterval, interval != 0 && !(100...10_000_000).contains(interval) {
            throw PolicyError(description: "policy snapshotInterval is \(interval); it must be 0 (never) or between 100 and 10000000")
        }
        if let origin, origin.isEmpty || !origin.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "+" }) {
            throw PolicyError(description: "policy origin \"\(origin)\" must be printable ASCII without spaces or \"+\" (a schema-less URL)")
        }
        guard !districts.isEmpty, districts.allSatisfy({ $0.code.count == 6 && $0.code.allSatisfy(\.isNumber) }) else {
            throw PolicyError(description: "policy districts must be a non-empty list of 6-digit GB/T 2260 codes")
        }
    }

    /// The canonical text stored in the ledger: sorted keys, so the same policy is the same bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)
    }
}

public struct PolicyError: Error, CustomStringConvertible {
    public let description: String
}
