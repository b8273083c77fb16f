import Crypto

/// The SHA-256 a snapshot's header carries of its body, binding the header to what it describes.
/// (Kept in a file of its own: the fuzz build swaps it for a dependency-free stand-in.)
enum SnapshotDigest {
    static let size = 32

    static func of(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }
}
