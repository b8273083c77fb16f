import OutletDomain

/// Which notice, for which dates: also what its provenance line records, so `notice verify` can
/// regenerate it exactly.
public enum NoticeRequest: Sendable, Equatable {
    /// 公示: the applications publicized on a day, or under one notice number (Art. 6(3)).
    case publicity(on: LocalDate?, noticeNo: String?)
    /// 名录: the roster on a date, with each outlet's service items (Art. 6(4)).
    case roster(asOf: LocalDate)
    /// 通报: Art. 19 revocations and declines, with their bars, in a range.
    case revocation(from: LocalDate, to: LocalDate)
    /// 提醒: the calendar's entries due in a range.
    case reminders(from: LocalDate, to: LocalDate)

    public var kind: String {
        switch self {
        case .publicity: "publicity"
        case .roster: "roster"
        case .revocation: "revocation"
        case .reminders: "reminders"
        }
    }

    /// `key=value` words of the provenance line.
    var parameters: [(String, String)] {
        switch self {
        case .publicity(let on, let noticeNo):
            [("kind", kind)] + (on.map { [("on", $0.description)] } ?? []) + (noticeNo.map { [("notice-no", $0)] } ?? [])
        case .roster(let asOf): [("kind", kind), ("as-of", asOf.description)]
        case .revocation(let from, let to), .reminders(let from, let to): [("kind", kind), ("from", from.description), ("to", to.description)]
        }
    }

    init?(_ words: [String: String]) {
        func date(_ key: String) -> LocalDate? { words[key].flatMap(LocalDate.init) }
        switch words["kind"] {
        case "publicity":
            guard date("on") != nil || words["notice-no"] != nil else { return nil }
            self = .publicity(on: date("on"), noticeNo: words["notice-no"])
        case "roster":
            guard let asOf = date("as-of") else { return nil }
            self = .roster(asOf: asOf)
        case "revocation":
            guard let from = date("from"), let to = date("to") else { return nil }
            self = .revocation(from: from, to: to)
        case "reminders":
            guard let from = date("from"), let to = date("to") else { return nil }
            self = .reminders(from: from, to: to)
        default:
            return nil
        }
    }
}

/// md, html or txt.
public enum NoticeFormat: String, Sendable, CaseIterable {
    case md, html, txt
}

/// The ledger position a notice was generated from, and when: printed at its end.
public struct Provenance: Sendable, Equatable {
    public var request: NoticeRequest
    public var format: NoticeFormat
    public var seq: Int64
    public var hash: String
    public var digest: String
    /// RFC 3339 UTC.
    public var generatedAt: String
    /// `bundled`, or the SHA-256 of a `--template` file.
    public var template: String
    /// `bundled`, or the SHA-256 of a `--config` file (authority and contact details).
    public var config: String
    /// `ledger`: deadlines counted with the holiday data in the ledger; `what-if-<sha256>`: with that file.
    public var holidays: String
    /// The tree size of the signed checkpoint the notice was generated under (the newest covering its
    /// position), if one was signed: its offline proof ties the position to what the bureau signed.
    public var checkpoint: Int64?
    /// The date the notice is signed with (GB/T 9704: the issue date).
    public var issuedOn: LocalDate

    public init(request: NoticeRequest, format: NoticeFormat, seq: Int64, hash: String, digest: String,
                generatedAt: String, template: String, config: String, issuedOn: LocalDate, holidays: String = "ledger")
    {
        self.holidays = holidays
        self.issuedOn = issuedOn
        self.request = request
        self.format = format
        self.seq = seq
        self.hash = hash
        self.digest = digest
        self.generatedAt = generatedAt
        self.template = template
        self.config = config
    }

    static let marker = "outlet-ledger-provenance:"

    /// One machine-readable line: `outlet-ledger-provenance: kind=roster as-of=… seq=… hash=… …`.
    public var line: String {
        let words = request.parameters + [("issued", issuedOn.description), ("format", format.rawValue), ("seq", String(seq)), ("hash", hash),
                                          ("digest", digest), ("generated", generatedAt), ("template", template), ("config", config)]
            + (holidays == "ledger" ? [] : [("holidays", holidays)])
            + (checkpoint.map { [("checkpoint", String($0))] } ?? [])
        return Self.marker + " " + words.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Finds and reads the provenance line of a notice.
    public init?(notice text: String) {
        guard let range = text.range(of: Self.marker) else { return nil }
        let line = text[range.upperBound...].prefix { $0 != "\n" }
        var words: [String: String] = [:]
        for word in line.split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { words[parts[0]] = parts[1] }
        }
        guard let request = NoticeRequest(words), let format = words["format"].flatMap(NoticeFormat.init),
              let seq = words["seq"].flatMap(Int64.init), let hash = words["hash"], let digest = words["digest"],
              let generated = words["generated"], let template = words["template"], let config = words["config"],
              let issued = words["issued"].flatMap(LocalDate.init)
        else { return nil }
        self.init(request: request, format: format, seq: seq, hash: hash, digest: digest, generatedAt: generated,
                  template: template, config: config, issuedOn: issued, holidays: words["holidays"] ?? "ledger")
        self.checkpoint = words["checkpoint"].flatMap(Int64.init)
    }
}
