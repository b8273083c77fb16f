/// The tree of a checkpoint as C2SP tlog-tiles static files: `tile/<L>/<N>[.p/<W>]` (256 hashes of
/// height-8 subtrees per full tile), `tile/entries/<N>[.p/<W>]` (the leaf inputs, each a big-endian
/// uint16 length and the bytes), which any web server can serve and any client turns into any proof.
public enum Tiles {
    public static let width = 256

    /// `x001/x234/067` for 1234067: three-digit path elements, all but the last prefixed with `x`.
    public static func indexPath(_ index: Int) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    /// Every file of the tree of `size` leaves: relative path and bytes. `inputs` are the leaf inputs in order.
    public static func files(of tree: MerkleTree, size: Int, inputs: [[UInt8]]) -> [(path: String, bytes: [UInt8])] {
        precondition(size <= tree.size && inputs.count >= size, "tiles of a tree of \(size) from one of \(tree.size)")
        var files: [(String, [UInt8])] = []
        func suffix(_ width: Int) -> String { width == Self.width ? "" : ".p/\(width)" }
        var level = 0
        var span = 1  // leaves under one hash of this level: 256^level
        while size / span > 0 {
            let hashes = size / span  // complete subtrees of height 8·level within the first `size` leaves
            for tile in stride(from: 0, to: hashes, by: Self.width) {
                let count = min(Self.width, hashes - tile)
                var bytes: [UInt8] = []
                bytes.reserveCapacity(count * MerkleTree.hashSize)
                for index in tile..<tile + count { bytes += tree.subtreeHash(height: 8 * level, index: index) }
                files.append(("tile/\(level)/\(indexPath(tile / Self.width))\(suffix(count))", bytes))
            }
            level += 1
            span *= Self.width
        }
        for tile in stride(from: 0, to: size, by: Self.width) {
            let count = min(Self.width, size - tile)
            var bytes: [UInt8] = []
            for input in inputs[tile..<tile + count] { bytes += [UInt8(input.count >> 8), UInt8(input.count & 0xff)] + input }
            files.append(("tile/entries/\(indexPath(tile / Self.width))\(suffix(count))", bytes))
        }
        return files
    }
}

extension MerkleTree {
    /// The hash of the complete subtree of `height` at `index` (its leaves `index·2^height ..< (index+1)·2^height`).
    public func subtreeHash(height: Int, index: Int) -> [UInt8] {
        hash(index << height, (index + 1) << height)
    }
}
