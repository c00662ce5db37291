import KubeClient

/// Keeps lists of report entries (findings, access reviews) under a byte budget when
/// serialized as a JSON array, because etcd refuses objects over 1.5 MiB and a report
/// object must leave room for its metadata.
///
/// ```swift
/// let bounded = ReportBudget.truncate(report.findings, toBytes: ReportBudget.defaultBytes)
/// reportObject.findings = bounded.kept
/// reportObject.droppedFindings = bounded.dropped
/// ```
///
/// Entries are measured one by one as compact JSON (the way the API server stores them),
/// plus one byte per separating comma and two for the brackets. Order is kept: truncation
/// drops from the end, so with report order the least severe findings go first.
public enum ReportBudget {
    /// 900 KiB: under the 1 MiB a SecurityReport aims for, with room for metadata and status.
    public static let defaultBytes = 900 * 1024

    /// What fitted, and how many entries did not.
    public struct Truncated<Element: Sendable>: Sendable {
        public var kept: [Element]
        public var dropped: Int
        /// The serialized size of `kept` as a JSON array.
        public var bytes: Int
    }

    /// Consecutive chunks, each under the budget, and how many entries fitted in none
    /// (single entries larger than the budget).
    public struct Chunks<Element: Sendable>: Sendable {
        public var chunks: [[Element]]
        public var dropped: Int
    }

    /// The serialized size of one entry as compact JSON; entries that cannot be encoded
    /// measure `Int.max`, so they never fit.
    public static func size(of entry: some Encodable) -> Int {
        guard let value = try? JSONValue(encoding: entry) else { return Int.max }
        return value.serializedBytes().count
    }

    /// The longest prefix of `entries` whose JSON array fits in `budget` bytes.
    public static func truncate<Element: Encodable & Sendable>(_ entries: [Element], toBytes budget: Int) -> Truncated<Element> {
        var bytes = 2
        var kept = 0
        for entry in entries {
            let size = size(of: entry)
            let added = size == Int.max ? Int.max : size + (kept == 0 ? 0 : 1)
            guard added != Int.max, bytes + added <= budget else { break }
            bytes += added
            kept += 1
        }
        return Truncated(kept: Array(entries.prefix(kept)), dropped: entries.count - kept, bytes: kept == 0 ? 2 : bytes)
    }

    /// `entries` split, in order, into JSON arrays of at most `budget` bytes each: one
    /// report object per chunk. At most `maxChunks` chunks are made; the entries after the
    /// last one are neither measured nor copied (the caller counts them as not kept).
    public static func split<Element: Encodable & Sendable>(
        _ entries: [Element], intoChunksOf budget: Int, maxChunks: Int = .max
    ) -> Chunks<Element> {
        guard maxChunks > 0 else { return Chunks(chunks: [], dropped: 0) }
        var chunks: [[Element]] = []
        var current: [Element] = []
        var bytes = 2
        var dropped = 0
        for entry in entries {
            let size = size(of: entry)
            guard size != Int.max, size + 2 <= budget else {
                dropped += 1
                continue
            }
            let added = size + (current.isEmpty ? 0 : 1)
            if bytes + added > budget {
                chunks.append(compacted(current))
                if chunks.count == maxChunks { return Chunks(chunks: chunks, dropped: dropped) }
                current = []
                bytes = 2
            }
            bytes += size + (current.isEmpty ? 0 : 1)
            current.append(entry)
        }
        if !current.isEmpty { chunks.append(compacted(current)) }
        return Chunks(chunks: chunks, dropped: dropped)
    }

    /// `chunk` in a buffer of its own length: one grown by appending can hold twice that,
    /// and a report's chunks are kept until its run's successor completes.
    private static func compacted<Element>(_ chunk: [Element]) -> [Element] {
        chunk.withUnsafeBufferPointer { Array($0) }
    }
}
