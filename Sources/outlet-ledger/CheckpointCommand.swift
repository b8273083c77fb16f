import ArgumentParser
import Foundation
import OutletCore
import OutletLedger
import OutletTransparency

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Ed25519 signing keys for checkpoints (C2SP signed-note).",
        subcommands: [GenerateKey.self])
}

struct GenerateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a new signing key (mode 0600, never stored in the ledger) and print its verifier key name+keyid+base64.")
    @Option(help: "The log's origin, the key's name (printable ASCII, no spaces or +), e.g. outlets.shenyang.example/registry.")
    var origin: String
    @Option(help: "The file to write the private key to (never overwritten).") var out: String

    func run() throws {
        let signer: SignedNote.Signer
        do {
            signer = try SignedNote.Signer.generate(name: origin)
        } catch {
            throw LedgerError(.invalidInput, "--origin: \(error)")
        }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw LedgerError(.invalidInput, "\(out) already exists; a key file is never overwritten")
        }
        guard FileManager.default.createFile(atPath: out, contents: Data((signer.encoded + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw LedgerError(.storage, "cannot write \(out)")
        }
        print(signer.verifier.encoded)
    }
}

struct CheckpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print a stored signed checkpoint (C2SP tlog-checkpoint) of the Merkle tree over the log.",
        subcommands: [ShowCheckpoint.self, SignCheckpoint.self], defaultSubcommand: ShowCheckpoint.self)
}

struct ShowCheckpoint: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the newest signed checkpoint, or the one of --size N.")
    @OptionGroup var options: LedgerOptions
    @Option(parsing: .unconditional, help: "The tree size of the checkpoint.") var size: Int64?

    func run() throws {
        print(try options.open(readonly: true).checkpoint(size: size), terminator: "")
    }
}

struct SignCheckpoint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a checkpoint of the whole log with a key, collect the witnesses' cosignatures, store it and print it; refused unless consistent with the newest stored one.",
        discussion: "With --witness, nothing is stored unless every witness named cosigns (C2SP tlog-witness add-checkpoint).")
    @OptionGroup var options: LedgerOptions
    @Option(help: "The private key file (outlet-ledger key generate).") var key: String
    @Option(name: .customLong("witness"), help: "URL=VKEY: a witness's address and verifier key; every one named must cosign (repeat for several).")
    var witnesses: [String] = []

    func run() async throws {
        let text = String(decoding: try InputFile.read(key), as: UTF8.self)
        let signer: SignedNote.Signer
        do {
            signer = try SignedNote.Signer(encoded: text)
        } catch {
            throw LedgerError(.invalidInput, "\(key): \(error)")
        }
        let endpoints = try witnesses.map { text throws(LedgerError) in try WitnessEndpoint(text) }
        let ledger = try options.open()
        let signed = try ledger.prepareCheckpoint(with: signer)
        guard !endpoints.isEmpty else {
            print(signed.stored ? signed.note : try ledger.publishCheckpoint(signed.note), terminator: "")
            return
        }
        guard !signed.stored else {
            throw LedgerError(.invalidInput, "the log has not grown since its checkpoint of size \(signed.previousSize); witnesses cosign a new one (append first)")
        }
        var note = signed.note
        let size = try Ledger.checkpoint(ofNote: note).size
        for endpoint in endpoints {
            note += try await endpoint.cosign(signed.note, size: size, believed: signed.previousSize, ledger: ledger)
        }
        print(try ledger.publishCheckpoint(note), terminator: "")
    }
}

struct TilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles", abstract: "The signed log as C2SP tlog-tiles static files.", subcommands: [ExportTiles.self])
}

struct ExportTiles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write checkpoint, tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>] of a signed checkpoint into a folder, for any web server.")
    @OptionGroup var options: LedgerOptions
    @Option(parsing: .unconditional, help: "The checkpoint's tree size (default: the newest).") var size: Int64?
    @Argument(help: "The folder to write into (created if missing).") var folder: String

    func run() throws {
        let files = try options.open(readonly: true).tiles(size: size)
        for (path, bytes) in files {
            let file = (folder as NSString).appendingPathComponent(path)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { throw LedgerError(.storage, "cannot write \(file)") }
        }
        print("wrote \(files.count) files into \(folder)")
    }
}
