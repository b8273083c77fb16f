import Foundation
import Hummingbird
import OutletCore
import OutletLedger

/// The signed log as C2SP tlog-tiles over HTTP: `/tlog/checkpoint` (the newest signed checkpoint) and
/// `/tlog/tile/…`, the same files `tiles export` writes. A tile's content never changes (a partial tile
/// is named by its width), so tiles are cached for a year; the checkpoint moves, so it is not.
extension RegistryService {
    func addTransparencyLog(to tlog: RouterGroup<RegistryContext>) {
        tlog.get("checkpoint") { _, _ in
            let files = try await tiles.files(of: ledger)
            guard let checkpoint = files["checkpoint"] else { throw Problem.notFound("no checkpoint has been signed yet") }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: checkpoint)))
        }
        tlog.get("tile/**") { _, context in
            let path = "tile/" + context.parameters.getCatchAll().joined(separator: "/")
            guard let bytes = try await tiles.files(of: ledger)[path] else { throw Problem.notFound("no tile \(path) under the newest checkpoint") }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "public, max-age=31536000, immutable"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}

/// The tiles of the newest signed checkpoint, built once per checkpoint (derived from the log and checked
/// against the checkpoint's root by `Ledger.tiles`).
actor TileCache {
    private var size: Int64 = -1
    private var files: [String: [UInt8]] = [:]

    func files(of ledger: LedgerActor) async throws -> [String: [UInt8]] {
        let newest = try await ledger.read { ledger throws(LedgerError) in try ledger.checkpointSizes().last ?? 0 }
        guard newest != size else { return files }
        guard newest > 0 else { return [:] }
        let built = try await ledger.read { ledger throws(LedgerError) in try ledger.tiles(size: newest) }
        files = Dictionary(built.map { ($0.path, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        size = newest
        return files
    }
}
