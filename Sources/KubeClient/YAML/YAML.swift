import Foundation
import Yams

/// Reading and writing Kubernetes manifests as YAML.
///
/// Scalars are typed as Kubernetes reads manifests: plain `true`/`false`/`yes`/`no`/`on`/`off`
/// are booleans (YAML 1.1, as Yams resolves them), plain integers (`42`, `0x1F`, `0755`
/// octal, `1_000`) are integers, plain floats are doubles, `null`/`~`/empty are null, and
/// everything quoted, block literals and anything else (timestamps included) stay strings.
/// Sexagesimal numbers (`22:22`) are strings, as kubectl reads them.
public enum YAML {
    /// Every non-empty document of a (multi-document) YAML stream, in order.
    ///
    /// - Throws: ``KubeError/decoding(_:)`` naming the line of a syntax error.
    public static func decodeAll(_ text: String) throws -> [JSONValue] {
        do {
            let parser = try Parser(yaml: text, resolver: kubernetesResolver)
            var documents: [JSONValue] = []
            while let node = try parser.nextRoot() {
                let value = try convert(node)
                if !value.isNull { documents.append(value) }
            }
            return documents
        } catch let error as YamlError {
            throw KubeError.decoding("invalid YAML: \(error)")
        }
    }

    /// The single document of a YAML text; `.null` when it has none.
    ///
    /// - Throws: ``KubeError/decoding(_:)`` on a syntax error or when the text holds more
    ///   than one document.
    public static func decode(_ text: String) throws -> JSONValue {
        let documents = try decodeAll(text)
        guard documents.count <= 1 else {
            throw KubeError.decoding("expected one YAML document, found \(documents.count); split them with decodeAll")
        }
        return documents.first ?? .null
    }

    /// One document as YAML, keys sorted, two-space indentation, multi-line strings as
    /// literal blocks, strings quoted wherever they would otherwise read as another type.
    public static func encode(_ value: JSONValue) throws -> String {
        do {
            return try Yams.serialize(node: node(for: value), indent: 2, width: -1, allowUnicode: true)
        } catch let error as YamlError {
            throw KubeError.decoding("cannot write YAML: \(error)")
        }
    }

    /// Several documents separated by `---`.
    public static func encodeAll(_ values: [JSONValue]) throws -> String {
        try values.map { try encode($0) }.joined(separator: "---\n")
    }

    // MARK: reading

    /// Yams' default rules less timestamps, `=` and sexagesimal numbers, which Kubernetes
    /// reads as strings.
    static let kubernetesResolver: Resolver = {
        // swiftlint:disable force_try
        let int = try! Resolver.Rule(.int, """
            ^(?:[-+]?0b[0-1_]+\
            |[-+]?0o?[0-7_]+\
            |[-+]?(?:0|[1-9][0-9_]*)\
            |[-+]?0x[0-9a-fA-F_]+)$
            """)
        let float = try! Resolver.Rule(.float, """
            ^(?:[-+]?(?:[0-9][0-9_]*)(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?\
            |\\.[0-9_]+(?:[eE][-+][0-9]+)?\
            |[-+]?\\.(?:inf|Inf|INF)\
            |\\.(?:nan|NaN|NAN))$
            """)
        // swiftlint:enable force_try
        return Resolver.basic.appending(.bool).appending(int).appending(float).appending(.merge).appending(.null)
    }()

    static func convert(_ node: Yams.Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(mapping.count)
            var merged: [String: JSONValue] = [:]
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw KubeError.decoding(
                        "invalid YAML\(line(keyNode.mark)): mapping keys must be plain scalars, not collections")
                }
                if kubernetesResolver.resolveTag(of: keyNode) == .merge {
                    // `<<: *anchor` or `<<: [*a, *b]`: keys not set explicitly come from the anchors,
                    // earlier anchors first.
                    let sources: [Yams.Node] = valueNode.sequence.map { Array($0) } ?? [valueNode]
                    for source in sources.reversed() {
                        guard case .object(let entries) = try convert(source) else {
                            throw KubeError.decoding("invalid YAML\(line(valueNode.mark)): << must merge a mapping")
                        }
                        merged.merge(entries) { _, new in new }
                    }
                    continue
                }
                object[keyScalar.string] = try convert(valueNode)
            }
            for (key, value) in merged where object[key] == nil { object[key] = value }
            return .object(object)
        case .alias:
            // The parser resolves aliases to their anchored nodes.
            throw KubeError.decoding("invalid YAML\(line(node.mark)): unresolved alias")
        }
    }

    static func line(_ mark: Mark?) -> String {
        guard let mark else { return "" }
        return " at line \(mark.line)"
    }

    static func scalarValue(_ scalar: Yams.Node.Scalar) -> JSONValue {
        let tag = kubernetesResolver.resolveTag(of: .scalar(scalar))
        switch tag {
        case .null:
            return .null
        case .bool:
            if let b = Bool.construct(from: scalar) { return .bool(b) }
        case .int:
            if let i = Int64.construct(from: scalar) { return .int(i) }
            if let d = Double.construct(from: scalar), d.isFinite { return .double(d) }
        case .float:
            if let d = Double.construct(from: scalar), d.isFinite {
                return .double(d)
            }
        default:
            break
        }
        return .string(scalar.string)
    }

    // MARK: writing

    static let yamsDefaultResolver = Resolver.default

    static func node(for value: JSONValue) -> Yams.Node {
        switch value {
        case .null:
            return Yams.Node("null", Tag(.null))
        case .bool(let b):
            return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .int(let i):
            return Yams.Node(String(i), Tag(.int))
        case .double(let d):
            if d.isNaN { return Yams.Node(".nan", Tag(.float)) }
            if d.isInfinite { return Yams.Node(d < 0 ? "-.inf" : ".inf", Tag(.float)) }
            return Yams.Node("\(d)", Tag(.float))
        case .string(let s):
            return Yams.Node(s, Tag(.str), style(for: s))
        case .array(let items):
            return Yams.Node(items.map(node(for:)), Tag(.seq))
        case .object(let members):
            let pairs = members.sorted { $0.key < $1.key }.map { (key, value) in
                (Yams.Node(key, Tag(.str), style(for: key)), node(for: value))
            }
            return Yams.Node(pairs, Tag(.map))
        }
    }

    /// Plain where the text reads back as the same string (by Yams' and by kubectl's YAML
    /// 1.1 rules, which also take `y` and `n` as booleans), quoted otherwise; literal blocks
    /// for multi-line text.
    static func style(for s: String) -> Yams.Node.Scalar.Style {
        if s.contains("\n") { return .literal }
        if s.isEmpty { return .singleQuoted }
        if ["y", "Y", "n", "N"].contains(s) { return .singleQuoted }
        let plain = Yams.Node.Scalar(s)
        if yamsDefaultResolver.resolveTag(of: .scalar(plain)) != .str { return .singleQuoted }
        if kubernetesResolver.resolveTag(of: .scalar(plain)) != .str { return .singleQuoted }
        return .any
    }
}

extension JSONValue {
    /// This value as one YAML document.
    public func yaml() throws -> String { try YAML.encode(self) }

    /// Reads one YAML document.
    public init(yaml text: String) throws { self = try YAML.decode(text) }
}
