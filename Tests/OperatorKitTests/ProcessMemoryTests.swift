#if os(Linux) && canImport(Glibc)
import Glibc
import Testing

@testable import OperatorKit

/// ``ProcessMemory``: once configured, glibc keeps mapping large blocks on their own (and
/// unmapping them when freed), however large a block freed before them was.
@Suite("Process memory")
struct ProcessMemoryTests {
    /// Whether glibc mapped the block at `pointer` on its own: the `IS_MMAPPED` bit (0x2) of
    /// the chunk's size word, just before the block.
    static func isMapped(_ pointer: UnsafeMutableRawPointer) -> Bool {
        (pointer.load(fromByteOffset: -MemoryLayout<Int>.size, as: UInt.self) & 0x2) != 0
    }

    @Test("a 2 MiB block is mapped on its own even after a 24 MiB block was freed")
    func largeBlocksStayMappedAfterALargerFree() throws {
        #expect(ProcessMemory.configure())
        // Unconfigured, freeing this raises glibc's threshold to 24 MiB, and the 2 MiB
        // block below would come from an arena and stay resident once freed.
        let large = try #require(malloc(24 << 20))
        memset(large, 1, 24 << 20)
        free(large)
        let block = try #require(malloc(2 << 20))
        defer { free(block) }
        #expect(Self.isMapped(block))
        // Below the threshold, blocks still come from the arenas.
        let small = try #require(malloc(64 << 10))
        defer { free(small) }
        #expect(!Self.isMapped(small))
    }
}
#endif
