import Foundation
import NIOConcurrencyHelpers

/// Compiled regular expressions by pattern. Schemas and CEL rules name a handful of
/// patterns and check them on every write; compiling one costs far more than matching it.
enum RegexCache {
    /// An `NSRegularExpression` is immutable once built and documented safe to share across threads.
    private struct Entry: @unchecked Sendable { let regex: NSRegularExpression? }

    private static let entries = NIOLockedValueBox<[String: Entry]>([:])
    /// Patterns come from CRDs, which a client may register without end: bounded.
    private static let limit = 512

    /// The compiled pattern, or nil when it is not a valid regular expression.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        if let entry = entries.withLockedValue({ $0[pattern] }) { return entry.regex }
        let entry = Entry(regex: try? NSRegularExpression(pattern: pattern))
        entries.withLockedValue { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = entry
        }
        return entry.regex
    }

    /// Whether `text` contains a match of `pattern` (false for an invalid pattern).
    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = regex(pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
