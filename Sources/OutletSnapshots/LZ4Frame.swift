import CLZ4
import Foundation
import Synchronization

/// Standard LZ4 frames (lz4 frame format 1.6) through the system liblz4, so that `lz4 -d` reads
/// what we write. The frame carries the content size and a checksum of the content (xxHash32).
enum LZ4Frame {
    /// The largest content a frame may declare and we will allocate for: a corrupt size field must
    /// not turn into an allocation of exabytes.
    static let maximumContentSize = 8 << 30

    /// The most content a block of a frame holds (its header says which).
    enum BlockSize: UInt32 {
        case kib64 = 4, kib256, mib1, mib4

        var bytes: Int { 1 << (8 + 2 * Int(rawValue)) }
    }

    /// Blocks of 4 MiB: a snapshot's content is tens of MiB, a few blocks for every core to decompress.
    static func compress(_ content: [UInt8], blockSize: BlockSize = .mib4) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_blockSizeID_t(blockSize.rawValue)
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled
        preferences.frameInfo.contentSize = UInt64(content.count)
        let capacity = LZ4F_compressFrameBound(content.count, &preferences)
        // Not zeroed first: pages past the frame's end are never touched, so never resident.
        return [UInt8](unsafeUninitializedCapacity: capacity) { destination, initialized in
            let written = content.withUnsafeBytes { source in
                LZ4F_compressFrame(destination.baseAddress, capacity, source.baseAddress, content.count, &preferences)
            }
            // Compressing into a buffer of the bound's size cannot fail but for a library bug.
            precondition(LZ4F_isError(written) == 0, "LZ4F_compressFrame: \(String(cString: LZ4F_getErrorName(written)))")
            initialized = written
        }
    }

    /// The content of one whole frame, its checksum verified; nothing may follow the frame.
    static func decompress(_ frame: [UInt8]) throws(SnapshotError) -> [UInt8] {
        try withBytes(of: frame) { (source: UnsafeRawBufferPointer) throws(SnapshotError) -> [UInt8] in
            try decompress(count: source.count) { piece, offset in
                guard offset >= 0, offset <= source.count - piece.count else { return false }
                piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + piece.count]))
                return true
            }
        }
    }

    /// The bytes of the frame read in at a time: few enough to stay in cache between being read and decompressed.
    static let pieceSize = 256 << 10

    /// The content of one whole frame of `count` bytes, read in pieces where it is stored — `read` fills a
    /// buffer with the bytes from an offset, false if they cannot be read — and decompressed as they come:
    /// a stored frame is tens of MiB, and a whole copy of it was a pass over fresh memory of its own.
    /// Its checksum verified; nothing may follow the frame.
    static func decompress(count: Int, pieceSize: Int = pieceSize, reading read: (UnsafeMutableRawBufferPointer, Int) -> Bool)
        throws(SnapshotError) -> [UInt8]
    {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw SnapshotError.corrupt("cannot create an LZ4 decompression context")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        guard count > 0 else { throw SnapshotError.corrupt("empty LZ4 frame") }
        let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, pieceSize), alignment: 16)
        defer { piece.deallocate() }
        // How many of the frame's bytes were read, and where the piece in hand starts among them and is consumed to.
        var (fetched, pieceStart, pieceUsed) = (0, 0, 0)
        /// The next piece; false at the frame's end.
        func nextPiece() throws(SnapshotError) -> Bool {
            guard fetched < count else { return false }
            let length = min(piece.count, count - fetched)
            guard read(UnsafeMutableRawBufferPointer(rebasing: piece[..<length]), fetched) else {
                throw SnapshotError.corrupt("the stored frame cannot be read at byte \(fetched)")
            }
            (pieceStart, pieceUsed) = (fetched, 0)
            fetched += length
            return true
        }
        var pieceLength: Int { fetched - pieceStart }
        _ = try nextPiece()
        var info = LZ4F_frameInfo_t()
        var headerSize = pieceLength
        let hint = LZ4F_getFrameInfo(context, &info, piece.baseAddress, &headerSize)
        if LZ4F_isError(hint) != 0 {
            throw SnapshotError.corrupt("not an LZ4 frame: \(String(cString: LZ4F_getErrorName(hint)))")
        }
        guard info.contentSize > 0, info.contentSize <= UInt64(maximumContentSize) else {
            throw SnapshotError.corrupt("LZ4 frame declares no usable content size (\(info.contentSize) bytes)")
        }
        guard info.contentChecksumFlag == LZ4F_contentChecksumEnabled else {
            throw SnapshotError.corrupt("LZ4 frame has no content checksum")
        }
        pieceUsed = headerSize
        let size = Int(info.contentSize)
        if info.blockMode == LZ4F_blockIndependent, info.blockChecksumFlag == LZ4F_noBlockChecksum, info.dictID == 0,
           let blockSize = BlockSize(rawValue: info.blockSizeID.rawValue),
           let content = independentBlocks(of: count, from: headerSize, contentSize: size, blockSize: blockSize.bytes, reading: read)
        {
            return content
        }
        var produced = 0
        var finished = false
        // Not zeroed first: the frame fills every byte (`produced == size` is checked below), and zeroing
        // tens of megabytes only to overwrite them was a pass over memory of its own.
        var failure: SnapshotError?
        let content = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = size  // bytes: nothing to deinitialize, whatever happens below
            do throws(SnapshotError) {
                while !finished {
                    if pieceUsed == pieceLength {
                        guard try nextPiece() else { throw SnapshotError.corrupt("LZ4 frame is truncated (\(produced) of \(size) bytes)") }
                    }
                    var sourceSize = pieceLength - pieceUsed
                    var destinationSize = size - produced
                    let result = LZ4F_decompress(context, buffer.baseAddress! + produced, &destinationSize,
                                                 piece.baseAddress! + pieceUsed, &sourceSize, nil)
                    if LZ4F_isError(result) != 0 {
                        throw SnapshotError.corrupt("LZ4 frame does not decompress: \(String(cString: LZ4F_getErrorName(result)))")
                    }
                    pieceUsed += sourceSize
                    produced += destinationSize
                    finished = result == 0
                    if !finished && sourceSize == 0 && destinationSize == 0 && pieceUsed < pieceLength {
                        throw SnapshotError.corrupt("LZ4 frame does not decompress past byte \(pieceStart + pieceUsed)")
                    }
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard produced == size else { throw SnapshotError.corrupt("LZ4 frame holds \(produced) bytes, declares \(size)") }
        let consumed = pieceStart + pieceUsed
        guard consumed == count else {
            throw SnapshotError.corrupt("\(count - consumed) stray bytes after the LZ4 frame")
        }
        return content
    }
}

extension LZ4Frame {
    /// The content of a frame of independent blocks that each fill `blockSize` bytes of it but the last, as
    /// `compress` writes them: the blocks decompressed on every core — each read where it lies in turn, the
    /// reading being the store's and one at a time — then the content's checksum worked out. Nil for
    /// anything else about the frame (a block short of its share or that does not decompress, a checksum
    /// that does not match, stray bytes): the reader in one pass then reads it, and names what is wrong.
    static func independentBlocks(of count: Int, from start: Int, contentSize size: Int, blockSize: Int,
                                  reading read: (UnsafeMutableRawBufferPointer, Int) -> Bool) -> [UInt8]?
    {
        let blockCount = (size + blockSize - 1) / blockSize
        guard blockCount >= 2 else { return nil }  // nothing to share
        /// The little-endian word at `offset`: a block's size (its top bit set if stored as it is), the end
        /// mark (0) or the checksum.
        func word(at offset: Int) -> UInt32? {
            var word: UInt32 = 0
            guard offset <= count - 4, withUnsafeMutableBytes(of: &word, { read($0, offset) }) else { return nil }
            return UInt32(littleEndian: word)
        }
        var blocks: [(at: Int, length: Int, stored: Bool)] = []
        blocks.reserveCapacity(blockCount)
        var offset = start
        while true {
            guard let header = word(at: offset) else { return nil }
            offset += 4
            if header == 0 { break }
            let length = Int(header & 0x7FFF_FFFF)
            guard blocks.count < blockCount, length <= blockSize, length <= count - offset else { return nil }
            blocks.append((offset, length, header & 0x8000_0000 != 0))
            offset += length
        }
        guard blocks.count == blockCount, let checksum = word(at: offset), offset + 4 == count else { return nil }
        let found = blocks
        let reading = Mutex(())
        var sound = [Bool](repeating: false, count: blockCount)
        let content = [UInt8](unsafeUninitializedCapacity: size) { output, initialized in
            initialized = size  // bytes: nothing to deinitialize, whatever happens below
            sound.withUnsafeMutableBufferPointer { sound in
                withoutActuallyEscaping(read) { read in
                    // Each block writes its own share of the content and its own flag; the reads take turns.
                    nonisolated(unsafe) let (output, sound, read) = (output, sound, read)
                    DispatchQueue.concurrentPerform(iterations: blockCount) { number in
                        let block = found[number]
                        let share = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(output)[
                            (number * blockSize)..<min(size, (number + 1) * blockSize)])
                        let source = UnsafeMutableRawBufferPointer.allocate(byteCount: max(block.length, 1), alignment: 16)
                        defer { source.deallocate() }
                        let bytes = UnsafeMutableRawBufferPointer(rebasing: source[..<block.length])
                        guard reading.withLock({ _ in read(bytes, block.at) }) else { return }
                        if block.stored {
                            guard block.length == share.count else { return }
                            share.copyMemory(from: UnsafeRawBufferPointer(bytes))
                        } else {
                            let produced = LZ4_decompress_safe(source.baseAddress!.assumingMemoryBound(to: CChar.self),
                                                               share.baseAddress!.assumingMemoryBound(to: CChar.self),
                                                               Int32(block.length), Int32(share.count))
                            guard produced == share.count else { return }
                        }
                        sound[number] = true
                    }
                }
            }
        }
        guard sound.allSatisfy({ $0 }), content.withUnsafeBytes({ XXHash32.digest($0) }) == checksum else { return nil }
        return content
    }
}

/// `withUnsafeBytes` keeping the closure's error type (the standard one rethrows `any Error`).
func withBytes<T>(of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(SnapshotError) -> T) throws(SnapshotError) -> T {
    try array.withUnsafeBytes { bytes in Result { () throws(SnapshotError) in try body(bytes) } }.get()
}
