/// Splits a byte stream into `\n`-terminated lines, whatever the chunk boundaries.
///
/// Bytes are scanned once: a partial line is kept and only the new bytes are searched for
/// a newline when the next chunk arrives, so a 50 MB object split into 16 KB chunks costs
/// linear time. A line longer than `maximumLineLength` is an error rather than unbounded growth.
public struct LineSplitter: Sendable {
    public struct LineTooLong: Error, CustomStringConvertible, Sendable {
        public var limit: Int
        public var description: String { "a watch event exceeded \(limit) bytes; the stream was abandoned" }
    }

    private var pending: [UInt8] = []
    public let maximumLineLength: Int

    public init(maximumLineLength: Int = 128 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Feeds a chunk; returns the complete lines it finished (without the newline, empty lines skipped).
    public mutating func feed(_ chunk: some Collection<UInt8>) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = chunk.startIndex
        var i = chunk.startIndex
        while i != chunk.endIndex {
            if chunk[i] == 0x0A {
                if pending.isEmpty {
                    if start != i { lines.append(Array(chunk[start..<i])) }
                } else {
                    pending.append(contentsOf: chunk[start..<i])
                    lines.append(pending)
                    pending = []
                }
                start = chunk.index(after: i)
            }
            i = chunk.index(after: i)
        }
        if start != chunk.endIndex {
            pending.append(contentsOf: chunk[start...])
            if pending.count > maximumLineLength { throw LineTooLong(limit: maximumLineLength) }
        }
        return lines.map(Self.trimCarriageReturn)
    }

    /// The unterminated remainder once the stream has ended, if any.
    public mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        let rest = Self.trimCarriageReturn(pending)
        return rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) ? nil : rest
    }

    private static func trimCarriageReturn(_ line: [UInt8]) -> [UInt8] {
        line.last == 0x0D ? Array(line.dropLast()) : line
    }
}
