@testable import OutletSnapshots
import Testing

@Suite("A frame's independent blocks are decompressed on every core, and read exactly as one reader in one pass reads them")
struct LZ4FrameTests {
    /// Bytes that compress some but not all the way: runs of a repeated phrase between stretches of noise.
    static func content(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
        var state = seed
        let phrase = Array("沈阳市知识产权信息公共服务网点 outlet SY-2025-001;".utf8)
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (index / 512) % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 33) : phrase[index % phrase.count]
        }
    }

    @Test("xxHash32 gives the published digest of nothing, and the checksum liblz4 writes of every content it was given")
    func xxHash32() {
        #expect([UInt8]().withUnsafeBytes { XXHash32.digest($0) } == 0x02CC_5D05)
        for count in Array(0...100) + [1_000, 65_537, 200_003] {
            let content = Self.content(count, seed: UInt64(count))
            let frame = LZ4Frame.compress(content, blockSize: .kib64)
            let written = frame.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(content.withUnsafeBytes { XXHash32.digest($0) } == written, "\(count) bytes")
        }
    }

    /// The content the blocks of `frame` (of `.kib64` blocks, its header 15 bytes) give decompressed on every
    /// core, if they are sound: the reader in one pass is not asked.
    static func fromBlocks(_ frame: [UInt8], contentSize: Int) -> [UInt8]? {
        frame.withUnsafeBytes { frame in
            LZ4Frame.independentBlocks(of: frame.count, from: 15, contentSize: contentSize, blockSize: 65_536) { piece, offset in
                piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + piece.count)]))
                return true
            }
        }
    }

    @Test("a frame of many blocks gives its content, read whole or in pieces of any size")
    func manyBlocks() throws {
        let content = Self.content(1 << 20)
        let frame = LZ4Frame.compress(content, blockSize: .kib64)
        #expect(Self.fromBlocks(frame, contentSize: content.count) == content, "the blocks read on every core")
        var wrongChecksum = frame
        wrongChecksum[frame.count - 1] ^= 1
        #expect(Self.fromBlocks(wrongChecksum, contentSize: content.count) == nil, "left to the reader in one pass")
        #expect(try LZ4Frame.decompress(frame) == content)
        for pieceSize in [4_096, 65_536, 1 << 20] {
            let read = try frame.withUnsafeBytes { frame in
                try LZ4Frame.decompress(count: frame.count, pieceSize: pieceSize) { piece, offset in
                    piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + piece.count)]))
                    return true
                }
            }
            #expect(read == content, "pieces of \(pieceSize)")
        }
    }

    @Test("a frame of many blocks damaged anywhere, cut short or run on is refused: never content other than its own")
    func manyBlocksDamaged() {
        let content = Self.content(100_000)
        let frame = LZ4Frame.compress(content, blockSize: .kib64)
        for index in stride(from: 0, to: frame.count, by: 11) {
            var damaged = frame
            damaged[index] ^= 0x5A
            // A match's offset can move to other bytes just like the ones it named: the content is then its own.
            if let read = try? LZ4Frame.decompress(damaged) { #expect(read == content, "byte \(index)") }
        }
        for length in stride(from: 0, to: frame.count, by: 97) {
            #expect(throws: SnapshotError.self, "\(length) bytes") { try LZ4Frame.decompress(Array(frame.prefix(length))) }
        }
        #expect(throws: SnapshotError.self) { try LZ4Frame.decompress(frame + [0]) }
        #expect(throws: SnapshotError.self) { try LZ4Frame.decompress(Array(frame.dropLast())) }
    }

    @Test("a block that cannot be read where it is stored is an error naming the byte, as the reader in one pass names it")
    func unreadableBlock() throws {
        let frame = LZ4Frame.compress(Self.content(300_000), blockSize: .kib64)
        let unreadable = frame.count / 2
        #expect(throws: SnapshotError.corrupt("the stored frame cannot be read at byte \(unreadable / 4_096 * 4_096)")) {
            try frame.withUnsafeBytes { frame in
                try LZ4Frame.decompress(count: frame.count, pieceSize: 4_096) { piece, offset in
                    guard !(offset..<(offset + piece.count)).contains(unreadable) else { return false }
                    piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + piece.count)]))
                    return true
                }
            }
        }
    }
}
