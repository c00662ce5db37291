import KubeClient

/// Writes objects as block-style YAML with a fixed key order and optional comment lines
/// above fields, so that the same object always gives the same bytes.
///
/// Keys: `apiVersion`, `kind`, `metadata`, `name` and `namespace` first, the rest sorted.
/// Strings are plain when they read back as the same string under YAML 1.1 and 1.2 (as
/// kubectl and Yams read them), double-quoted otherwise (Go's `%q` escapes are YAML's too); multi-line strings are literal
/// blocks. `YAML.decodeAll` of the output gives back the objects exactly.
enum YAMLWriter {
    static let leadingKeys = ["apiVersion", "kind", "metadata", "name", "namespace"]

    static func document(_ value: JSONValue, comments: [String: String] = [:]) -> String {
        var lines: [String] = []
        if case .object(let members) = value, !members.isEmpty {
            mapping(members, indent: 0, path: "", dash: false, comments: comments, into: &lines)
        } else {
            lines.append(scalar(value))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    static func orderedKeys(_ members: [String: JSONValue]) -> [String] {
        let leading = leadingKeys.filter { members[$0] != nil }
        return leading + members.keys.filter { !leadingKeys.contains($0) }.sorted()
    }

    /// A mapping at `indent`; with `dash`, its first key shares the line of a list item's `- `.
    static func mapping(_ members: [String: JSONValue], indent: Int, path: String, dash: Bool,
                        comments: [String: String], into lines: inout [String]) {
        for (index, key) in orderedKeys(members).enumerated() {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            let first = dash && index == 0
            let pad = String(repeating: " ", count: first ? indent - 2 : indent)
            if let comment = comments[childPath] { lines.append(pad + "# " + comment) }
            value(members[key]!, head: pad + (first ? "- " : "") + scalar(.string(key)) + ":", indent: indent, path: childPath,
                  comments: comments, into: &lines)
        }
    }

    static func value(_ value: JSONValue, head: String, indent: Int, path: String, comments: [String: String],
                      into lines: inout [String]) {
        switch value {
        case .object(let members) where !members.isEmpty:
            lines.append(head)
            mapping(members, indent: indent + 2, path: path, dash: false, comments: comments, into: &lines)
        case .array(let items) where !items.isEmpty:
            lines.append(head)
            sequence(items, indent: indent + 2, path: path, comments: comments, into: &lines)
        case .string(let text) where blockable(text):
            lines.append(head + (text.hasSuffix("\n") ? " |" : " |-"))
            let pad = String(repeating: " ", count: indent + 2)
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            lines += body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
        default:
            lines.append(head + " " + scalar(value))
        }
    }

    /// List items whose dashes sit at `indent`.
    static func sequence(_ items: [JSONValue], indent: Int, path: String, comments: [String: String], into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if let comment = comments[itemPath] { lines.append(pad + "# " + comment) }
            switch item {
            case .object(let members) where !members.isEmpty:
                mapping(members, indent: indent + 2, path: itemPath, dash: true, comments: comments, into: &lines)
            case .array(let nested) where !nested.isEmpty:
                lines.append(pad + "-")
                sequence(nested, indent: indent + 2, path: itemPath, comments: comments, into: &lines)
            default:
                value(item, head: pad + "-", indent: indent, path: itemPath, comments: comments, into: &lines)
            }
        }
    }

    /// Multi-line text a literal block holds exactly: no carriage returns or tabs, no
    /// leading space on the first line, at most one trailing newline, no trailing spaces.
    static func blockable(_ text: String) -> Bool {
        guard text.contains("\n"), !text.hasSuffix("\n\n"), !text.hasPrefix(" "), !text.hasPrefix("\n") else { return false }
        return !text.contains { $0 == "\r" || $0 == "\t" || ($0.asciiValue.map { $0 < 0x20 && $0 != 0x0A } ?? false) }
            && !text.split(separator: "\n").contains { $0.hasSuffix(" ") }
    }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? "\(number)" : (number.isNaN ? ".nan" : (number < 0 ? "-.inf" : ".inf"))
        case .string(let text): return isPlainSafe(text) ? text : goQuote(text)
        case .object: return "{}"
        case .array: return "[]"
        }
    }

    static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf",
                                             "+.inf", ".nan", "=", "<<"]
    static let indicators = Set("-?:,[]{}#&*!|>'\"%@`")
    static let numberish = Set("0123456789abcdefABCDEFxXoO_.:+-")

    /// True when `text` written plain reads back as the same string.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return false }
        if indicators.contains(first) || first == " " || last == " " || last == ":" { return false }
        if text.contains(": ") || text.contains(" #") { return false }
        if reservedWords.contains(text.lowercased()) { return false }
        if (first.isNumber || first == "+" || first == "." || first == "-") && text.allSatisfy(numberish.contains) { return false }
        return text.allSatisfy { $0.isASCII && !($0.asciiValue! < 0x20) && $0 != "\u{7F}" }
    }
}
