import OutletDomain
import OutletTestSupport
import Testing

@Suite("USCC (GB 32100-2015), the stream id")
struct USCCTests {
    @Test("DOMAIN.md §2 examples are valid", arguments: ["91350100M000100Y43", "91110000802100433B"])
    func valid(code: String) throws {
        #expect(try USCC(validating: code).code == code)
    }

    @Test("a wrong check character is refused and the right one named")
    func wrongCheck() {
        #expect(throws: USCC.Problem.checkCharacter(expected: "3", found: "4")) {
            try USCC(validating: "91350100M000100Y44")
        }
    }

    @Test("letters outside the alphabet (I, O, S, V, Z) and wrong lengths are refused")
    func shape() {
        #expect(throws: USCC.Problem.character(position: 9, character: "I")) { try USCC(validating: "91350100I000100Y43") }
        #expect(throws: USCC.Problem.length(17)) { try USCC(validating: "91350100M000100Y4") }
    }

    @Test("completing a 17-character body yields a valid code")
    func completing() {
        #expect(USCC.completing("91350100M000100Y4")?.code == "91350100M000100Y43")
    }
}
