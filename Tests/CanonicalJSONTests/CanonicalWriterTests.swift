import CanonicalJSON
import Testing

@Suite("The canonical writer: fixed shapes written straight to RFC 8785 bytes")
struct CanonicalWriterTests {
    @Test("nested objects and arrays, every kind of value, escapes: the bytes the tree's encoder gives")
    func sameBytesAsTheTree() throws {
        var writer = CanonicalWriter()
        writer.object { json in
            json.name("a"); json.array { json in
                json.integer(-1)
                json.object { _ in }
                json.array { _ in }
                json.string(nil)
                json.bool(false)
            }
            json.name("b"); json.object { json in
                json.name("q"); json.string("say \"hi\"\t\u{1}")
                json.name("r"); json.value(["z": 1, "y": [true]])
            }
            json.name("c"); json.string("北京")
        }
        let text = #"{"c":"北京","b":{"r":{"z":1,"y":[true]},"q":"say \"hi\"\t\u0001"},"a":[-1,{},[],null,false]}"#
        #expect(writer.bytes == (try JSONParser.parse(text)).canonicalBytes)
    }
}
