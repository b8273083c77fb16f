/// Who recorded an act (DOMAIN.md §1). Every event carries one.
public struct Actor: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        /// The institution applying, later the outlet itself; unit = its USCC.
        case applicant
        /// 区、县（市）市场监督管理局（知识产权局）: verifies and recommends (Art. 6(2)); unit = district code.
        case districtBureau = "district-bureau"
        /// 沈阳市知识产权局: reviews, publicizes, registers, supervises, revokes (Art. 3, 6, 16–19); unit 210100.
        case cityBureau = "city-bureau"
        /// Anyone objecting during publicity (Art. 6(3)); unit free text or empty.
        case `public`
        /// The ledger itself (imports, migrations); unit empty.
        case system
    }

    public var role: Role
    public var unit: String
    public var name: String

    public init(role: Role, unit: String = "", name: String = "") {
        self.role = role
        self.unit = unit
        self.name = name
    }

    /// The city bureau's unit code (GB/T 2260 code of Shenyang).
    public static let cityBureauUnit = "210100"
}
