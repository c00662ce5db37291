#if os(Linux) && canImport(Glibc)
import Foundation
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

    /// In a process of its own (an exit test): in the test runner's process, earlier tests
    /// leave free chunks of megabytes in the arenas, and malloc serves a request from such a
    /// chunk before it considers mapping one, whatever the threshold.
    @Test("a 2 MiB block is mapped on its own even after a 24 MiB block was freed")
    func largeBlocksStayMappedAfterALargerFree() async throws {
        await #expect(processExitsWith: .success) {
            guard ProcessMemory.configure() else { exit(1) }
            // Unconfigured, freeing this raises glibc's threshold to 24 MiB, and the 2 MiB
            // block below would come from an arena and stay resident once freed.
            guard let large = malloc(24 << 20) else { exit(2) }
            memset(large, 1, 24 << 20)
            free(large)
            guard let block = malloc(2 << 20), ProcessMemoryTests.isMapped(block) else { exit(3) }
            // Below the threshold, blocks still come from the arenas.
            guard let small = malloc(64 << 10), !ProcessMemoryTests.isMapped(small) else { exit(4) }
            free(block)
            free(small)
            exit(0)
        }
    }

    @Test("threads allocating at once share at most one arena per core")
    func arenasAreCappedAtOnePerCore() async throws {
        await #expect(processExitsWith: .success) {
            guard ProcessMemory.configure() else { exit(1) }
            // Arenas made before `configure` (by the test runner's threads) stay; no new one may join them past the cap.
            let before = ProcessMemoryTests.heaps()
            // 16 threads allocating at the same time: unconfigured, contention gives most of them an arena of their own.
            let threads = (0..<16).map { _ in
                Thread {
                    for _ in 0..<20_000 { if let p = malloc(Int.random(in: 16...512)) { free(p) } }
                }
            }
            threads.forEach { $0.start() }
            while threads.contains(where: { !$0.isFinished }) { usleep(1_000) }
            let after = ProcessMemoryTests.heaps()
            exit(after <= max(before, ProcessMemory.arenas) ? 0 : Int32(10 + after))
        }
    }

    @Test("free pages between live blocks go back to the system when asked, and only then")
    func freePagesBetweenLiveBlocksAreReturned() async throws {
        await #expect(processExitsWith: .success) {
            guard ProcessMemory.configure() else { exit(1) }
            // 160 MiB in 4 KiB blocks, then all freed but one block in 64: the live blocks pin
            // the heap, so free() alone returns next to nothing.
            let count = 40_960
            var blocks: [UnsafeMutableRawPointer] = []
            blocks.reserveCapacity(count)
            for _ in 0..<count {
                guard let block = malloc(4_000) else { exit(2) }
                memset(block, 1, 4_000)
                blocks.append(block)
            }
            let allocated = ProcessMemoryTests.residentMiB()
            for (index, block) in blocks.enumerated() where index % 64 != 63 { free(block) }
            let freed = ProcessMemoryTests.residentMiB()
            // free() alone keeps them resident: that is what the trimmer is for.
            guard allocated - freed < 50 else { exit(4) }
            ProcessMemory.returnFreePages()
            let trimmed = ProcessMemoryTests.residentMiB()
            // About 157 MiB of the 160 are free; most of it must have left the process.
            // On failure the exit code tells what stayed: 100 + the MiB resident after the trim / 4.
            exit(freed - trimmed > 100 ? 0 : Int32(min(250, 100 + trimmed / 4)))
        }
    }

    /// The process's resident memory, from `/proc/self/statm`.
    static func residentMiB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { exit(3) }
        return (pages * Int(getpagesize())) >> 20
    }

    /// The malloc arenas, counted in glibc's `malloc_info` report (one `<heap nr=…>` each).
    static func heaps() -> Int {
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size), glibcMallocInfo(0, stream) == 0 else { exit(2) }
        fclose(stream)
        defer { free(buffer) }
        return String(cString: buffer!).components(separatedBy: "<heap nr=").count - 1
    }
}

/// glibc's `malloc_info`: an XML report with one `<heap nr=…>` per arena.
@_silgen_name("malloc_info")
private func glibcMallocInfo(_ options: Int32, _ stream: UnsafeMutablePointer<FILE>) -> Int32
#endif
