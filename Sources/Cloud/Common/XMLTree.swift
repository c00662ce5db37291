import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element as a small tree: enough to read AWS Query-protocol responses, whose
/// elements carry text or children and never meaningful attributes.
public struct XMLTree: Sendable, Hashable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    /// The first child named `name`, or nil.
    public subscript(name: String) -> XMLTree? { children.first { $0.name == name } }

    /// The element at a `/`-separated path of child names.
    public func at(_ path: String) -> XMLTree? {
        var node: XMLTree? = self
        for part in path.split(separator: "/") { node = node?[String(part)] }
        return node
    }

    /// The trimmed text of the element at `path`, nil when absent or empty.
    public func string(_ path: String) -> String? {
        guard let text = at(path)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// The children named `item` or `member` of the element at `path` (AWS list shapes).
    public func list(_ path: String) -> [XMLTree] {
        (at(path)?.children ?? []).filter { $0.name == "item" || $0.name == "member" }
    }

    /// Every descendant named `name`, depth first.
    public func descendants(named name: String) -> [XMLTree] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(named: name) }
    }

    /// Parses a document; throws with the parser's position on malformed input.
    public static func parse(_ bytes: [UInt8]) throws -> XMLTree {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw CloudError(.malformed, "the XML answer cannot be read at line \(parser.lineNumber): \(reason)")
        }
        return root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        stack.append(XMLTree(name: name, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard let done = stack.popLast() else { return }
        if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
    }
}
