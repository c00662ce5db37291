import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the operator process's allocator returns memory: large blocks are mapped on their
/// own and unmapped when freed, at a fixed size.
///
/// glibc's malloc maps a block of at least `M_MMAP_THRESHOLD` bytes (128 KiB at first) on
/// its own, but raises that threshold to the size of each such block freed, up to 32 MiB.
/// An operator's periodic bulk work (an audit's hundred thousand findings in arrays that
/// grow by doubling, their sort buffer, megabyte report bodies on the wire) frees blocks of
/// 5–20 MiB, so from the first run on such blocks come from the arenas instead; freed
/// there, they stay resident and scatter, and every later run adds to the RSS the process
/// keeps. A fixed threshold (1 MiB) turns the adjustment off: every block from 1 MiB up is
/// returned to the system when freed, at the cost of a map and unmap per such block.
///
/// It also caps the malloc arenas at one per core (glibc allows eight per core). Each thread
/// that allocates under contention gets an arena of its own, and memory freed in an arena
/// stays there: work that parses the whole cluster on whichever thread runs it (an audit's
/// inventory, read from compact caches) left a cluster's worth of free chunks in each of up
/// to 16 arenas. In `make bench --only mixed`, 10 audits over 10,000 rollouts added 1,103 MiB
/// with glibc's default and 407 MiB with two arenas.
///
/// ``OperatorProcess`` applies it; anything hosting an operator in-process (a benchmark)
/// applies it too, to measure what the operator process would use.
public enum ProcessMemory {
    /// Blocks of this many bytes or more are mapped on their own.
    public static let mapThreshold = 1 << 20

    /// At most this many malloc arenas: one per core the process may run on.
    public static var arenas: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Fixes glibc's mmap threshold at ``mapThreshold`` and caps its arenas at ``arenas``;
    /// answers whether the allocator took both (false on a C library without `mallopt`).
    @discardableResult
    public static func configure() -> Bool {
        #if os(Linux) && canImport(Glibc)
        let threshold = glibcMallopt(mmapThresholdParameter, Int32(mapThreshold)) == 1
        let arenaCap = glibcMallopt(arenaMaxParameter, Int32(arenas)) == 1
        return threshold && arenaCap
        #else
        return false
        #endif
    }

    /// Returns the free pages inside the malloc heaps to the system (glibc's `malloc_trim`);
    /// answers whether any was returned. Memory freed below the top of a heap otherwise stays
    /// resident: after a burst (a cache fill, a thousand rollouts) most of it is such pages.
    @discardableResult
    public static func returnFreePages() -> Bool {
        #if os(Linux) && canImport(Glibc)
        return glibcMallocTrim(0) == 1
        #else
        return false
        #endif
    }

    /// `M_MMAP_THRESHOLD` in glibc's `malloc.h`.
    static let mmapThresholdParameter: Int32 = -3
    /// `M_ARENA_MAX` in glibc's `malloc.h`.
    static let arenaMaxParameter: Int32 = -8
}

#if os(Linux) && canImport(Glibc)
/// glibc's `mallopt` (`malloc.h` is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// glibc's `malloc_trim`.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
