import ArgumentParser
import CanonicalJSON
import Foundation
import OutletCore
import OutletLedger
import OutletTransparency

struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a witness: cosign a log's checkpoints (C2SP tlog-cosignature) only when consistent with the largest it cosigned.",
        subcommands: [WitnessKey.self, Cosign.self])
}

struct WitnessKey: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "key", abstract: "Write a new witness key (mode 0600) and print its verifier key.")
    @Option(help: "The witness's name (a schema-less URL, e.g. witness.heping.example).") var name: String
    @Option(help: "The file to write (never overwritten).") var out: String

    func run() throws {
        let witness: Witness
        do {
            witness = try Witness.generate(name: name)
        } catch {
            throw LedgerError(.invalidInput, "--name: \(error)")
        }
        guard !FileManager.default.fileExists(atPath: out),
              FileManager.default.createFile(atPath: out, contents: Data((witness.encoded + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw LedgerError(.invalidInput, "cannot write \(out) (a key file is never overwritten)") }
        print(witness.verifierKey)
    }
}

struct Cosign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosign",
        abstract: "Cosign a checkpoint signed by the log, keeping per origin the largest size cosigned in --state; print the checkpoint with the cosignature.")
    @Option(help: "The witness key file (witness key).") var key: String
    @Option(help: "The folder where the witness keeps, per log, the largest checkpoint it cosigned.") var state: String
    @Option(name: .customLong("log-key"), help: "The log's verifier key (name+keyid+base64).") var logKey: String
    @Option(help: "A consistency proof (proof consistency --json) from the size last cosigned to this one.") var proof: String?
    @Argument(help: "The checkpoint file (outlet-ledger checkpoint).") var checkpoint: String

    func run() throws {
        let note = String(decoding: try InputFile.read(checkpoint), as: UTF8.self)
        do {
            let witness = try Witness(encoded: String(decoding: try InputFile.read(key), as: UTF8.self))
            let text = try SignedNote.Verifier(encoded: logKey).open(note)
            let offered = try Checkpoint(text: text)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let record = (state as NSString).appendingPathComponent(offered.origin.replacingOccurrences(of: "/", with: "_"))
            let previous = try FileManager.default.contents(atPath: record).map { data throws(SignedNote.KeyError) in
                try Checkpoint(text: String(decoding: data, as: UTF8.self))
            }
            var hashes: [[UInt8]]?
            if let proof {
                guard let json = try? JSONParser.parse(try InputFile.read(proof)), let items = json["hashes"]?.arrayValue else {
                    throw LedgerError(.invalidInput, "\(proof) is not the JSON of proof consistency --json")
                }
                hashes = items.compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
            }
            try Witness.mayCosign(offered, after: previous, proof: hashes)
            let time = UInt64(max(0, try LedgerOptions.environmentClock().now().millisecondsSinceEpoch / 1000))
            let cosigned = try witness.cosign(note: note, checkpointText: text, time: time)
            guard FileManager.default.createFile(atPath: record, contents: Data(offered.text.utf8)) else {
                throw LedgerError(.storage, "cannot write the witness state \(record)")
            }
            print(cosigned, terminator: "")
        } catch let error as SignedNote.KeyError {
            throw LedgerError(.integrityFailure, "\(checkpoint): \(error)")
        }
    }
}
