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
/// ``OperatorProcess`` applies it; anything hosting an operator in-process (a benchmark)
/// applies it too, to measure what the operator process would use.
public enum ProcessMemory {
    /// Blocks of this many bytes or more are mapped on their own.
    public static let mapThreshold = 1 << 20

    /// Fixes glibc's mmap threshold at ``mapThreshold``; answers whether the allocator took
    /// it (false on a C library without `mallopt`).
    @discardableResult
    public static func configure() -> Bool {
        #if os(Linux) && canImport(Glibc)
        return glibcMallopt(mmapThresholdParameter, Int32(mapThreshold)) == 1
        #else
        return false
        #endif
    }

    /// `M_MMAP_THRESHOLD` in glibc's `malloc.h`.
    static let mmapThresholdParameter: Int32 = -3
}

#if os(Linux) && canImport(Glibc)
/// glibc's `mallopt` (`malloc.h` is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
