@testable import OutletTransparency
import Testing

@Suite("The tree as C2SP tlog-tiles: paths, full and partial tiles, entry bundles")
struct TilesTests {
    @Test("tile indexes are x-prefixed three-digit path elements")
    func indexPaths() {
        #expect(Tiles.indexPath(0) == "000" && Tiles.indexPath(7) == "007" && Tiles.indexPath(1234067) == "x001/x234/067")
        #expect(Tiles.indexPath(1000) == "x001/000")
    }

    @Test("a tree of 70,000 leaves is the spec's example: 273 full level-0 tiles and one of width 112, one full level-1 tile and one of 17, one level-2 tile of 1")
    func specExample() {
        var tree = MerkleTree()
        var inputs: [[UInt8]] = []
        for index in 0..<70_000 {
            let input = [UInt8(index & 0xff), UInt8(index >> 8 & 0xff), UInt8(index >> 16)]
            inputs.append(input)
            tree.append(input: input)
        }
        let files = Tiles.files(of: tree, size: 70_000, inputs: inputs)
        let level0 = files.filter { $0.path.hasPrefix("tile/0/") }
        #expect(level0.count == 274 && level0.filter { !$0.path.contains(".p/") }.count == 273)
        #expect(level0.last?.path == "tile/0/273.p/112" && level0.last?.bytes.count == 112 * 32)
        #expect(files.filter { $0.path.hasPrefix("tile/1/") }.map(\.path) == ["tile/1/000", "tile/1/001.p/17"])
        #expect(files.filter { $0.path.hasPrefix("tile/2/") }.map(\.path) == ["tile/2/000.p/1"])
        #expect(files.filter { $0.path.hasPrefix("tile/entries/") }.count == 274)
        // A level-1 hash is the root of the full level-0 tile below it; the level-2 hash, of the first 65,536 leaves.
        let firstTile = level0[0].bytes
        var below = MerkleTree()
        for index in 0..<256 { below.append(leafHash: Array(firstTile[index * 32..<(index + 1) * 32])) }
        #expect(Array(files.first { $0.path == "tile/1/000" }!.bytes.prefix(32)) == below.root())
        #expect(files.first { $0.path == "tile/2/000.p/1" }!.bytes == tree.root(size: 65_536))
        // An entry bundle: each leaf input with its big-endian uint16 length.
        #expect(Array(files.first { $0.path == "tile/entries/000" }!.bytes.prefix(5)) == [0, 3, 0, 0, 0])
    }
}
