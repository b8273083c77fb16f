// Payloads of Art. 7: national and provincial outlets are included without applying, and an outlet
// designated a TISC or university centre leaves the municipal registry.

/// 自动纳入 (Art. 7).
public struct AutoIncluded: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Hashable, Codable, CaseIterable {
        case national, provincial
    }

    public var level: Level
    /// The national or provincial decision that includes it.
    public var reference: String
    public var institution: Institution
    public var serviceItems: [String]

    public init(level: Level, reference: String, institution: Institution, serviceItems: [String]) {
        self.level = level
        self.reference = reference
        self.institution = institution
        self.serviceItems = serviceItems
    }
}

public struct InclusionEnded: Sendable, Hashable, Codable {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// 网点备案资格自动取消 on designation (Art. 7): not a sanction, no bar.
public struct Superseded: Sendable, Hashable, Codable {
    public enum Designation: String, Sendable, Hashable, Codable, CaseIterable {
        case tisc
        case universityCenter = "university-center"
    }

    public var designation: Designation

    public init(designation: Designation) {
        self.designation = designation
    }
}

/// A correction: the target is skipped by every fold from this event's recording on.
public struct Retracted: Sendable, Hashable, Codable {
    public var targetSeq: Int
    public var reason: String

    public init(targetSeq: Int, reason: String) {
        self.targetSeq = targetSeq
        self.reason = reason
    }
}
