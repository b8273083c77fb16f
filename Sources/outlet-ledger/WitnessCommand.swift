import ArgumentParser
import CanonicalJSON
import Foundation
import OutletCore
import OutletHTTP
import OutletLedger
import OutletTransparency

struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a witness: cosign a log's checkpoints (C2SP tlog-cosignature) only when consistent with the largest it cosigned.",
        subcommands: [WitnessKey.self, Cosign.self, ServeWitness.self])
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
            var hashes: [[UInt8]]?
            if let proof {
                guard let json = try? JSONParser.parse(try InputFile.read(proof)), let items = json["hashes"]?.arrayValue else {
                    throw LedgerError(.invalidInput, "\(proof) is not the JSON of proof consistency --json")
                }
                hashes = items.compactMap { $0.stringValue.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } }
            }
            let time = UInt64(max(0, try LedgerOptions.environmentClock().now().millisecondsSinceEpoch / 1000))
            let cosigned = try WitnessState(folder: state).update(origin: offered.origin) { previous in
                try Witness.mayCosign(offered, after: previous, proof: hashes)
                return (try witness.cosign(note: note, checkpointText: text, time: time), offered)
            }
            print(cosigned, terminator: "")
        } catch let error as SignedNote.KeyError {
            throw LedgerError(.integrityFailure, "\(checkpoint): \(error)")
        } catch let error as Witness.Refusal {
            throw LedgerError(.integrityFailure, "\(checkpoint): \(error)")
        } catch let error as WitnessState.StorageError {
            throw LedgerError(.storage, error.description)
        }
    }
}

struct ServeWitness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the witness as a service (C2SP tlog-witness): POST /add-checkpoint cosigns what is consistent with what it cosigned before.")
    @Option(help: "The witness key file (witness key).") var key: String
    @Option(help: "The folder where the witness keeps, per log, the checkpoint it last cosigned.") var state: String
    @Option(name: .customLong("log-key"), help: "The verifier key of a log it follows (repeat for several).") var logKeys: [String]
    @Option(help: "host:port to listen on (port 0: any free port, printed).") var listen = ListenAddress.loopback(port: 7380)

    func run() async throws {
        let witness: Witness
        let verifiers: [SignedNote.Verifier]
        do {
            witness = try Witness(encoded: String(decoding: try InputFile.read(key), as: UTF8.self))
            verifiers = try logKeys.map { text throws(SignedNote.KeyError) in try SignedNote.Verifier(encoded: text) }
        } catch let error as SignedNote.KeyError {
            throw LedgerError(.invalidInput, "\(error)")
        }
        guard !verifiers.isEmpty else { throw LedgerError(.invalidInput, "give the verifier key of at least one log with --log-key") }
        let folder: WitnessState
        do {
            folder = try WitnessState(folder: state)
        } catch {
            throw LedgerError(.storage, error.description)
        }
        let clock = try LedgerOptions.environmentClock()
        let service = WitnessService(witness: witness, logKeys: verifiers, state: folder,
                                     now: { UInt64(max(0, clock.now().millisecondsSinceEpoch / 1000)) })
        try await service.run(host: listen.host, port: listen.port)
    }
}
