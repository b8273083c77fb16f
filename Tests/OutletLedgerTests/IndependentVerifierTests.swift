import CanonicalJSON
import Foundation
import OutletCore
import OutletDomain
import OutletLedger
import OutletTransparency
import Testing

/// Go's golang.org/x/mod/sumdb (Debian's golang-golang-x-mod-dev), installed by tools/setup.
let goModSources = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"
let goAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/go") && FileManager.default.fileExists(atPath: goModSources)

@Suite("Checkpoints and proofs checked by code we did not write: Go's sumdb/note and sumdb/tlog")
struct IndependentVerifierTests {
    static func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    static func runGo(_ input: JSONValue, in directory: URL) throws -> CLI.Result {
        let file = directory.appendingPathComponent("proofs.json")
        try Data(input.canonicalBytes).write(to: file)
        return try CLI.run(executable: URL(fileURLWithPath: "/bin/sh"),
                           ["-c", "GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=\"$1/go-cache\" go run \"$2\" < \"$3\"", "sh",
                            directory.path, Repository.path("tools/verify-go/main.go"), file.path])
    }

    /// tools/verify-go's tiles check: the checkpoint in `folder` opens with `vkey`, and its tiles prove every entry.
    static func runGoTiles(_ folder: String, vkey: String, in directory: URL) throws -> CLI.Result {
        try CLI.run(executable: URL(fileURLWithPath: "/bin/sh"),
                    ["-c", "GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=\"$1/go-cache\" go run \"$2\" tiles \"$3\" \"$4\"", "sh",
                     directory.path, Repository.path("tools/verify-go/main.go"), folder, vkey])
    }

    @Test("the demo log's checkpoint opens with note.Open; every inclusion proof in trees up to 120 and at the head, and consistency proofs between sizes, pass tlog.CheckRecord and tlog.CheckTree; a changed hash does not",
          .enabled(if: goAvailable))
    func goAgrees() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let signer = try SignedNote.Signer.generate(name: "outlets.shenyang.example/registry")
        let note = try ledger.signCheckpoint(with: signer)
        let tree = try ledger.merkleTree()
        let head = Int64(tree.size)
        var inclusion: [JSONValue] = []
        let events = try ledger.store.events()
        func add(seq: Int64, size: Int64) throws {
            let proof = try ledger.inclusionProof(seq: seq, size: size)
            inclusion.append(.object([
                "index": .integer(Int64(proof.leafIndex)), "size": .integer(Int64(proof.treeSize)),
                "leaf": Self.base64(stride(from: 0, to: 64, by: 2).map { UInt8(events[Int(seq - 1)].hash.dropFirst($0).prefix(2), radix: 16)! }),
                "proof": .array(proof.hashes.map(Self.base64)), "root": Self.base64(proof.root),
            ]))
        }
        for size in Int64(1)...120 { for seq in Int64(1)...size { try add(seq: seq, size: size) } }
        for seq in Int64(1)...head { try add(seq: seq, size: head) }
        var consistency: [JSONValue] = []
        var random = SplitMix64(state: 16)
        var pairs: [(Int64, Int64)] = (1...60).flatMap { to in (1...to).map { (Int64($0), Int64(to)) } }
        for _ in 0..<300 {
            let to = Int64.random(in: 2...head, using: &random)
            pairs.append((Int64.random(in: 1...to, using: &random), to))
        }
        for (from, to) in pairs {
            let proof = try ledger.consistencyProof(from: from, to: to)
            consistency.append(.object([
                "from": .integer(from), "to": .integer(to), "fromRoot": Self.base64(proof.fromRoot), "toRoot": Self.base64(proof.toRoot),
                "proof": .array(proof.hashes.map(Self.base64)),
            ]))
        }
        let input: JSONValue = .object([
            "vkey": .string(signer.verifier.encoded), "checkpoint": .string(note),
            "inclusion": .array(inclusion), "consistency": .array(consistency),
        ])
        let result = try Self.runGo(input, in: fixture.directory)
        #expect(result.status == 0 && result.stdout.hasPrefix("ok: \(inclusion.count) inclusion and \(consistency.count) consistency proofs, checkpoint of \(head) signed by outlets.shenyang.example/registry"),
                "\(result.stdout)\(result.stderr)")

        // One bit of one proof hash changed: Go refuses it.
        guard case .object(var first) = inclusion[200], case .array(var hashes)? = first["proof"], case .string(let text) = hashes[0] else {
            Issue.record("no proof to damage"); return
        }
        var raw = [UInt8](Data(base64Encoded: text)!)
        raw[0] ^= 1
        hashes[0] = Self.base64(raw)
        first["proof"] = .array(hashes)
        let damaged: JSONValue = .object(["vkey": .string(signer.verifier.encoded), "checkpoint": .string(note),
                                          "inclusion": .array([.object(first)]), "consistency": .array([])])
        let refused = try Self.runGo(damaged, in: fixture.directory)
        #expect(refused.status != 0 && refused.stdout.hasPrefix("FAIL inclusion"), "\(refused.stdout)")
        // A checkpoint whose size was changed: the signature no longer holds.
        let forged = note.replacingOccurrences(of: "\n\(head)\n", with: "\n\(head + 1)\n")
        let unsigned = try Self.runGo(.object(["vkey": .string(signer.verifier.encoded), "checkpoint": .string(forged),
                                               "inclusion": .array([]), "consistency": .array([])]), in: fixture.directory)
        #expect(unsigned.status != 0 && unsigned.stdout.hasPrefix("FAIL checkpoint"), "\(unsigned.stdout)")
    }

    @Test("proof bundle writes a C2SP tlog-proof that proof check and tools/verify-proof.py accept with the verifier key alone, and refuse once changed")
    func bundleRoundTrip() throws {
        let fixture = try DemoTests.build()
        let ledger = try fixture.ledger
        let signer = try SignedNote.Signer.generate(name: "outlets.shenyang.example/registry")
        _ = try ledger.signCheckpoint(with: signer)
        _ = try fixture.fingerprint()
        let file = fixture.file("event-100.tlog-proof")
        #expect(try CLI.run(["proof", "bundle", "--seq", "100", "--out", file, "--ledger", fixture.path]).status == 0)
        let checked = try CLI.run(["proof", "check", file, "--vkey", signer.verifier.encoded])
        #expect(checked.status == 0 && checked.stdout.hasPrefix("ok: event 100 (chain hash "), "\(checked.stderr)")
        // The same verdict from Python's standard library and `cryptography`, with no code of ours.
        let python = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                                 ["python3", Repository.path("tools/verify-proof.py"), file, signer.verifier.encoded])
        #expect(python.status == 0 && python.stdout == checked.stdout, "\(python.stdout)\(python.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let changed = text.replacingOccurrences(of: String(lines[3]), with: String(lines[4]))
        try Data(changed.utf8).write(to: URL(fileURLWithPath: file))
        let refused = try CLI.run(["proof", "check", file, "--vkey", signer.verifier.encoded])
        #expect(refused.status == 68 && refused.stderr.contains("does not lead from entry 99"), "\(refused.stderr)")
        let pythonRefused = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"),
                                        ["python3", Repository.path("tools/verify-proof.py"), file, signer.verifier.encoded])
        #expect(pythonRefused.status == 1 && pythonRefused.stdout.hasPrefix("FAIL the inclusion proof does not lead from entry 99"))
    }

    @Test("tiles export writes C2SP tlog-tiles that Go's tlog.TileHashReader reads: the signed root from the tiles, every entry proved",
          .enabled(if: goAvailable))
    func tilesForGo() throws {
        let fixture = try DemoTests.build()
        let signer = try SignedNote.Signer.generate(name: "outlets.shenyang.example/registry")
        _ = try fixture.ledger.signCheckpoint(with: signer)
        _ = try fixture.fingerprint()
        let folder = fixture.file("tlog")
        let exported = try CLI.run(["tiles", "export", folder, "--ledger", fixture.path])
        #expect(exported.status == 0 && exported.stdout == "wrote 6 files into \(folder)\n", "\(exported.stdout)\(exported.stderr)")
        let result = try Self.runGoTiles(folder, vkey: signer.verifier.encoded, in: fixture.directory)
        #expect(result.status == 0 && result.stdout.contains("\(DemoTests.head) entries proved from them"), "\(result.stdout)\(result.stderr)")
        // One flipped byte in a level-0 tile: Go refuses the tiles.
        let tile = folder + "/tile/0/000"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tile)))
        bytes[100] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: tile))
        let refused = try Self.runGoTiles(folder, vkey: signer.verifier.encoded, in: fixture.directory)
        #expect(refused.status != 0 && refused.stdout.hasPrefix("FAIL"), "\(refused.stdout)")
    }
}
