/// A payload of the newest schema version of its type, decoded into the domain's own types.
/// Indirect: a timeline keeps an event per version, and most payloads are small while an application is large.
public indirect enum EventPayload: Sendable, Hashable {
    case submitted(Submitted)
    case recommended(Recommended)
    case publicized(Publicized)
    case objection(Objection)
    case objectionResolved(ObjectionResolved)
    case registered(Registered)
    case declined(Declined)
    case infoChanged(InfoChanged)
    case annualSummaryFiled(AnnualSummaryFiled)
    case rectificationOrdered(RectificationOrdered)
    case rectificationCompleted(RectificationCompleted)
    case revoked(Revoked)
    case barred3Years(Barred3Years)
    case renewed(Renewed)
    case terminated(Terminated)
    case autoIncluded(AutoIncluded)
    case inclusionEnded(InclusionEnded)
    case superseded(Superseded)
    case retracted(Retracted)

    /// Decodes a payload already upcast to `type.latestSchemaVersion`, from any decoder of its JSON.
    public static func decode(_ type: EventType, from decoder: any Decoder) throws -> EventPayload {
        switch type {
        case .submitted: .submitted(try Submitted(from: decoder))
        case .recommended: .recommended(try Recommended(from: decoder))
        case .publicized: .publicized(try Publicized(from: decoder))
        case .objection: .objection(try Objection(from: decoder))
        case .objectionResolved: .objectionResolved(try ObjectionResolved(from: decoder))
        case .registered: .registered(try Registered(from: decoder))
        case .declined: .declined(try Declined(from: decoder))
        case .infoChanged: .infoChanged(try InfoChanged(from: decoder))
        case .annualSummaryFiled: .annualSummaryFiled(try AnnualSummaryFiled(from: decoder))
        case .rectificationOrdered: .rectificationOrdered(try RectificationOrdered(from: decoder))
        case .rectificationCompleted: .rectificationCompleted(try RectificationCompleted(from: decoder))
        case .revoked: .revoked(try Revoked(from: decoder))
        case .barred3Years: .barred3Years(try Barred3Years(from: decoder))
        case .renewed: .renewed(try Renewed(from: decoder))
        case .terminated: .terminated(try Terminated(from: decoder))
        case .autoIncluded: .autoIncluded(try AutoIncluded(from: decoder))
        case .inclusionEnded: .inclusionEnded(try InclusionEnded(from: decoder))
        case .superseded: .superseded(try Superseded(from: decoder))
        case .retracted: .retracted(try Retracted(from: decoder))
        }
    }

    /// The institution a payload names, where it names one: its `uscc` must be the stream's.
    public var institution: Institution? {
        switch self {
        case .submitted(let submitted): submitted.institution
        case .autoIncluded(let included): included.institution
        default: nil
        }
    }
}

extension DecodingError {
    /// `$.team[2].fullTime: …`: the JSON path and reason of a decoding failure, for one-line errors.
    public var pathAndReason: String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.reduce("$") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path + "." + key.stringValue
            }
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): value missing"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath)): required member \"\(key.stringValue)\" is missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
