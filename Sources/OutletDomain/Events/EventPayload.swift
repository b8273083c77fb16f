import Foundation

/// A payload of the newest schema version of its type, decoded into the domain's own types.
public enum EventPayload: Sendable, Hashable {
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

    /// Decodes the JSON of a payload already upcast to `type.latestSchemaVersion`.
    public static func decode(_ type: EventType, from json: Data) throws -> EventPayload {
        let decoder = JSONDecoder()
        func value<T: Decodable>(_: T.Type) throws -> T { try decoder.decode(T.self, from: json) }
        switch type {
        case .submitted: return .submitted(try value(Submitted.self))
        case .recommended: return .recommended(try value(Recommended.self))
        case .publicized: return .publicized(try value(Publicized.self))
        case .objection: return .objection(try value(Objection.self))
        case .objectionResolved: return .objectionResolved(try value(ObjectionResolved.self))
        case .registered: return .registered(try value(Registered.self))
        case .declined: return .declined(try value(Declined.self))
        case .infoChanged: return .infoChanged(try value(InfoChanged.self))
        case .annualSummaryFiled: return .annualSummaryFiled(try value(AnnualSummaryFiled.self))
        case .rectificationOrdered: return .rectificationOrdered(try value(RectificationOrdered.self))
        case .rectificationCompleted: return .rectificationCompleted(try value(RectificationCompleted.self))
        case .revoked: return .revoked(try value(Revoked.self))
        case .barred3Years: return .barred3Years(try value(Barred3Years.self))
        case .renewed: return .renewed(try value(Renewed.self))
        case .terminated: return .terminated(try value(Terminated.self))
        case .autoIncluded: return .autoIncluded(try value(AutoIncluded.self))
        case .inclusionEnded: return .inclusionEnded(try value(InclusionEnded.self))
        case .superseded: return .superseded(try value(Superseded.self))
        case .retracted: return .retracted(try value(Retracted.self))
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
