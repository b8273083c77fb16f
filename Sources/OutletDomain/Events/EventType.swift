/// The kinds of act the registry records (DOMAIN.md §4), each with the article it rests on.
public enum EventType: String, Sendable, Hashable, Codable, CaseIterable {
    case submitted
    case recommended
    case publicized
    case objection
    case objectionResolved = "objection-resolved"
    case registered
    case declined
    case infoChanged = "info-changed"
    case annualSummaryFiled = "annual-summary-filed"
    case rectificationOrdered = "rectification-ordered"
    case rectificationCompleted = "rectification-completed"
    case revoked
    case barred3Years = "barred-3-years"
    case renewed
    case terminated
    case autoIncluded = "auto-included"
    case inclusionEnded = "inclusion-ended"
    case superseded
    case retracted

    /// The article(s) of the Measures the act rests on.
    public var article: String {
        switch self {
        case .submitted: "Art. 5, 6(1)"
        case .recommended: "Art. 6(2)"
        case .publicized, .objection, .objectionResolved: "Art. 6(3)"
        case .registered: "Art. 6(3), 16"
        case .declined: "Art. 6, 19"
        case .infoChanged, .terminated: "Art. 17"
        case .annualSummaryFiled, .rectificationOrdered, .rectificationCompleted: "Art. 18"
        case .revoked: "Art. 18, 19"
        case .barred3Years: "Art. 19"
        case .renewed: "Art. 16"
        case .autoIncluded, .inclusionEnded, .superseded: "Art. 7"
        case .retracted: "correction"
        }
    }

    /// The newest schema version of this type's payload; older stored versions are upcast to it.
    public var latestSchemaVersion: Int {
        switch self {
        case .terminated: 2
        default: 1
        }
    }
}
