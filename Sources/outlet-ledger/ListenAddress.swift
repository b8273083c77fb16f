import ArgumentParser
import Foundation

/// `--listen host:port`: where a service listens (loopback unless told otherwise).
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible {
    let host: String
    let port: Int

    static func loopback(port: Int) -> ListenAddress { ListenAddress(host: "127.0.0.1", port: port) }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]), (0...65535).contains(port),
              colon > argument.startIndex
        else { return nil }
        self.init(host: String(argument[..<colon]).trimmingCharacters(in: ["[", "]"]), port: port)
    }

    var description: String { "\(host):\(port)" }
}
