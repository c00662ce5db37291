import Foundation
import KubeClient

/// An RFC 6901 JSON pointer such as `/spec/containers/0/image`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses pointer text, unescaping `~1` to `/` and `~0` to `~`.
    public init(parsing text: String) throws(PatchError) {
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else {
            throw .bad("JSON pointer \"\(text)\" must be empty or start with \"/\"")
        }
        var result: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            result.append(try Self.unescape(String(raw), in: text))
        }
        tokens = result
    }

    public var description: String {
        tokens.map { "/" + Self.escape($0) }.joined()
    }

    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func unescape(_ token: String, in pointer: String) throws(PatchError) -> String {
        guard token.contains("~") else { return token }
        var out = ""
        var iterator = token.makeIterator()
        while let c = iterator.next() {
            guard c == "~" else { out.append(c); continue }
            switch iterator.next() {
            case "0": out.append("~")
            case "1": out.append("/")
            default:
                throw .bad("JSON pointer \"\(pointer)\" has an invalid escape: \"~\" must be followed by 0 or 1")
            }
        }
        return out
    }

    /// The value this pointer names, or nil when any step is missing.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Self.arrayIndex(token), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// A decimal array index without leading zeros, as RFC 6901 requires.
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if token.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }
}
