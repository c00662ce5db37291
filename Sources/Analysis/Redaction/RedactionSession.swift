import Foundation

/// The placeholders handed out while redacting one analysis's input.
///
/// The same secret always gets the same placeholder within a session, and placeholders
/// are numbered in order of first appearance, so equal inputs redact to equal text (which
/// keeps cache keys stable). ``restore(_:)`` maps back only placeholders of user rules
/// marked ``RedactionRule/restoreInResult``; credentials stay hidden in results too.
public struct RedactionSession: Sendable {
    private struct Entry: Sendable {
        let original: String
        let restorable: Bool
    }

    private let redactor: Redactor
    /// Known secret values and their base64 forms, longest first.
    private let needles: [String]
    /// Known values too short to search for inside text; hidden only when a whole value equals one.
    private let shortValues: Set<String>
    private var placeholderByOriginal: [String: String] = [:]
    private var entries: [String: Entry] = [:]

    /// Shorter known values are only replaced when a whole string equals them: searching
    /// for `abc` inside prose would shred it.
    static let minimumSearchedLength = 4

    init(redactor: Redactor, sensitiveValues: Set<String>) {
        self.redactor = redactor
        var needles: Set<String> = []
        var short: Set<String> = []
        for value in sensitiveValues where !value.isEmpty {
            if value.count >= Self.minimumSearchedLength {
                needles.insert(value)
                let encoded = Data(value.utf8).base64EncodedString()
                needles.insert(encoded)
                // Base64 without padding shows up too (URLs, JWT-like encodings).
                let unpadded = String(encoded.reversed().drop(while: { $0 == "=" }).reversed())
                if unpadded.count >= Self.minimumSearchedLength { needles.insert(unpadded) }
            } else {
                short.insert(value)
            }
        }
        self.needles = needles.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        self.shortValues = short
    }

    /// How many distinct values were replaced so far.
    public var redactedCount: Int { entries.count }

    /// The text with every secret replaced by its placeholder.
    public mutating func redact(_ text: String) -> String {
        if text.isEmpty { return text }
        if shortValues.contains(text) { return placeholder(for: text, category: "secret", restorable: false) }
        var result = text
        for needle in needles where result.contains(needle) {
            let replacement = placeholder(for: needle, category: "secret", restorable: false)
            result = result.replacingOccurrences(of: needle, with: replacement)
        }
        for rule in redactor.rules {
            result = apply(rule, to: result)
        }
        return result
    }

    /// Lines redacted together, so a secret spanning lines (a PEM key in a log) is found.
    public mutating func redact(lines: [String]) -> [String] {
        guard !lines.isEmpty else { return lines }
        return redact(lines.joined(separator: "\n")).components(separatedBy: "\n")
    }

    /// Environment values: hidden entirely when the name looks secret, else redacted as text.
    public mutating func redact(environment: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for name in environment.keys.sorted() {
            let value = environment[name]!
            if redactor.isSecretName(name), !value.isEmpty {
                result[name] = placeholder(for: value, category: "env", restorable: false)
            } else {
                result[name] = redact(value)
            }
        }
        return result
    }

    /// The text with restorable placeholders mapped back to what they replaced.
    public func restore(_ text: String) -> String {
        guard text.contains(Redactor.placeholderPrefix) else { return text }
        var result = text
        for (placeholder, entry) in entries where entry.restorable {
            result = result.replacingOccurrences(of: placeholder, with: entry.original)
        }
        return result
    }

    // MARK: -

    private mutating func placeholder(for original: String, category: String, restorable: Bool) -> String {
        if let existing = placeholderByOriginal[original] { return existing }
        let placeholder = "\(Redactor.placeholderPrefix)\(category):\(entries.count + 1)]"
        placeholderByOriginal[original] = placeholder
        entries[placeholder] = Entry(original: original, restorable: restorable)
        return placeholder
    }

    private mutating func apply(_ rule: Redactor.CompiledRule, to text: String) -> String {
        if let hint = rule.hint, !hint.admits(text) { return text }
        let whole = NSRange(text.startIndex..., in: text)
        let matches = rule.regex.matches(in: text, range: whole)
        guard !matches.isEmpty else { return text }
        // Placeholders are assigned in reading order, replacements made back to front so
        // earlier ranges stay valid.
        // Text already replaced is never matched again, not even in part
        // (`[REDACTED:bearer-token:1]` looks like `token:1` to the field rule).
        let placeholders = text.contains(Redactor.placeholderPrefix)
            ? Redactor.placeholderPattern.matches(in: text, range: whole).map(\.range) : []
        var replacements: [(Range<String.Index>, String)] = []
        for match in matches {
            if placeholders.contains(where: { NSIntersectionRange($0, match.range).length > 0 }) { continue }
            let nsRange = match.range(at: rule.group)
            guard nsRange.location != NSNotFound, nsRange.length > 0,
                  let range = Range(nsRange, in: text) else { continue }
            let secret = String(text[range])
            replacements.append((range, placeholder(for: secret, category: rule.category, restorable: rule.restorable)))
        }
        var result = text
        for (range, placeholder) in replacements.reversed() {
            result.replaceSubrange(range, with: placeholder)
        }
        return result
    }
}
