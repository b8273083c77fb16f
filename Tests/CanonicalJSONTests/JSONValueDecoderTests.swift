import CanonicalJSON
import Testing

@Suite("Decoding straight from parsed JSON values")
struct JSONValueDecoderTests {
    struct Member: Decodable, Equatable {
        var name: String
        var fullTime: Bool
        var years: Int
    }

    struct Team: Decodable, Equatable {
        var members: [Member]
        var website: String?
        var tags: [String]
    }

    @Test("objects, arrays, optionals and integers decode as JSONDecoder would")
    func decodes() throws {
        let value = try JSONParser.parse(#"{"members":[{"name":"张华","fullTime":true,"years":10}],"tags":[],"website":null}"#)
        let team = try JSONValueDecoder().decode(Team.self, from: value)
        #expect(team == Team(members: [Member(name: "张华", fullTime: true, years: 10)], website: nil, tags: []))
    }

    @Test("a mismatch names its coding path", arguments: [
        (#"{"members":[{"name":"a","fullTime":"yes","years":1}],"tags":[]}"#, "members.0.fullTime"),
        (#"{"members":[{"name":"a","fullTime":true}],"tags":[]}"#, "members.0"),
        (#"{"members":[],"tags":[1]}"#, "tags.0"),
    ])
    func mismatch(json: String, path: String) throws {
        let value = try JSONParser.parse(json)
        #expect {
            try JSONValueDecoder().decode(Team.self, from: value)
        } throws: { error in
            guard let error = error as? DecodingError else { return false }
            let context: DecodingError.Context? = switch error {
            case .typeMismatch(_, let context), .keyNotFound(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
            @unknown default: nil
            }
            return context?.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") == path
        }
    }

    struct Graded: Decodable {
        enum Level: String, Decodable { case high }
        var levels: [Level]
        var main: Level
        var deputies: [Member]
    }

    @Test("a value decoded through its own container (an enum) is named by its whole path", arguments: [
        (#"{"levels":["high","low"],"main":"high","deputies":[]}"#, "levels.1"),
        (#"{"levels":[],"main":7,"deputies":[]}"#, "main"),
        (#"{"levels":[],"main":"high","deputies":[{"name":"a","fullTime":true,"years":1},{"name":"b","fullTime":true,"years":"2"}]}"#, "deputies.1.years"),
    ])
    func nestedPaths(json: String, path: String) throws {
        #expect {
            try JSONValueDecoder().decode(Graded.self, from: try JSONParser.parse(json))
        } throws: { error in
            let context: DecodingError.Context? = switch error as? DecodingError {
            case .typeMismatch(_, let context), .keyNotFound(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
            default: nil
            }
            return context?.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") == path
        }
    }

    @Test("an integer that does not fit the type is refused, not truncated")
    func overflow() throws {
        struct Small: Decodable { var value: Int8 }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Small.self, from: ["value": 300]) }
    }
}
