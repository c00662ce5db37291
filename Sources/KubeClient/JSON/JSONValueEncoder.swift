/// An `Encoder` that builds a ``JSONValue`` directly, with no text in between; what
/// ``JSONValue/init(encoding:)`` uses. Optional members left nil are omitted, as
/// `JSONEncoder` omits them.
struct JSONValueEncoder: Encoder {
    let node: EncodingNode
    let parentPath: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.path(parentPath) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: EncodingNode, path: CodingPathNode? = nil) {
        self.node = node
        self.parentPath = path
    }

    static func encode(_ value: some Encodable) throws -> JSONValue {
        if let leaf = try leaf(value, path: nil) { return leaf }
        let root = EncodingNode()
        try value.encode(to: JSONValueEncoder(node: root))
        return root.finish()
    }

    /// The JSON of values that need no container, nil for everything else.
    static func leaf(_ value: some Encodable, path: @autoclosure () -> CodingPathNode?) throws -> JSONValue? {
        switch value {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Int: return .int(Int64(v))
        case let v as Bool: return .bool(v)
        case let v as Int64: return .int(v)
        case let v as Double: return try double(v, path())
        default: return nil
        }
    }

    static func double(_ d: Double, _ path: CodingPathNode?) throws -> JSONValue {
        guard d.isFinite else {
            throw EncodingError.invalidValue(
                d, .init(codingPath: CodingPathNode.path(path), debugDescription: "\(d) cannot be written as JSON."))
        }
        return .double(d)
    }

    static func integer<T: FixedWidthInteger>(_ v: T, _ path: CodingPathNode?) throws -> JSONValue {
        guard let i = Int64(exactly: v) else {
            throw EncodingError.invalidValue(
                v, .init(codingPath: CodingPathNode.path(path), debugDescription: "\(v) does not fit in a 64-bit integer."))
        }
        return .int(i)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([:]) }
        return KeyedEncodingContainer(KeyedEncoder<Key>(node: node, path: parentPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return UnkeyedEncoder(node: node, path: parentPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(node: node, path: parentPath)
    }
}

/// A value under construction; containers write into it by reference.
final class EncodingNode {
    enum Kind {
        case empty
        case value(JSONValue)
        case object([String: EncodingNode])
        case array([EncodingNode])
    }

    var kind: Kind = .empty

    init() {}
    init(_ value: JSONValue) { kind = .value(value) }

    func finish() -> JSONValue {
        switch kind {
        case .empty: return .emptyObject
        case .value(let v): return v
        case .object(let members):
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(members.count)
            for (k, n) in members { out[k] = n.finish() }
            return .object(out)
        case .array(let items): return .array(items.map { $0.finish() })
        }
    }

    func set(_ key: String, _ child: EncodingNode) {
        guard case .object(var members) = kind else { return }
        kind = .empty  // release the dictionary so the insert below does not copy it
        members[key] = child
        kind = .object(members)
    }

    func append(_ child: EncodingNode) {
        guard case .array(var items) = kind else { return }
        kind = .empty
        items.append(child)
        kind = .array(items)
    }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }

    private func put(_ value: JSONValue, _ key: Key) { node.set(key.stringValue, EncodingNode(value)) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        put(try JSONValueEncoder.double(value, CodingPathNode(path, key)), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        put(try JSONValueEncoder.double(Double(value), CodingPathNode(path, key)), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(try JSONValueEncoder.integer(value, CodingPathNode(path, key)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(try JSONValueEncoder.integer(value, CodingPathNode(path, key)), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let leaf = try JSONValueEncoder.leaf(value, path: CodingPathNode(path, key)) {
            put(leaf, key)
            return
        }
        let child = EncodingNode()
        node.set(key.stringValue, child)
        try value.encode(to: JSONValueEncoder(node: child, path: CodingPathNode(path, key)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = EncodingNode()
        child.kind = .object([:])
        node.set(key.stringValue, child)
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(node: child, path: CodingPathNode(path, key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        child.kind = .array([])
        node.set(key.stringValue, child)
        return UnkeyedEncoder(node: child, path: CodingPathNode(path, key))
    }

    mutating func superEncoder() -> any Encoder {
        let child = EncodingNode()
        node.set("super", child)
        return JSONValueEncoder(node: child, path: CodingPathNode(path, AnyKey("super")))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodingNode()
        node.set(key.stringValue, child)
        return JSONValueEncoder(node: child, path: CodingPathNode(path, key))
    }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var count: Int {
        if case .array(let items) = node.kind { return items.count }
        return 0
    }

    private func put(_ value: JSONValue) { node.append(EncodingNode(value)) }
    private var nextPath: CodingPathNode { CodingPathNode(path, AnyKey(intValue: count)) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONValueEncoder.double(value, nextPath)) }
    mutating func encode(_ value: Float) throws { put(try JSONValueEncoder.double(Double(value), nextPath)) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValueEncoder.integer(value, nextPath)) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValueEncoder.integer(value, nextPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let childPath = nextPath
        if let leaf = try JSONValueEncoder.leaf(value, path: childPath) {
            put(leaf)
            return
        }
        let child = EncodingNode()
        node.append(child)
        try value.encode(to: JSONValueEncoder(node: child, path: childPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let childPath = nextPath
        let child = EncodingNode()
        child.kind = .object([:])
        node.append(child)
        return KeyedEncodingContainer(KeyedEncoder<NestedKey>(node: child, path: childPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let childPath = nextPath
        let child = EncodingNode()
        child.kind = .array([])
        node.append(child)
        return UnkeyedEncoder(node: child, path: childPath)
    }

    mutating func superEncoder() -> any Encoder {
        let childPath = nextPath
        let child = EncodingNode()
        node.append(child)
        return JSONValueEncoder(node: child, path: childPath)
    }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    let path: CodingPathNode?
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }

    private func put(_ value: JSONValue) { node.kind = .value(value) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONValueEncoder.double(value, path)) }
    mutating func encode(_ value: Float) throws { put(try JSONValueEncoder.double(Double(value), path)) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(try JSONValueEncoder.integer(value, path)) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(try JSONValueEncoder.integer(value, path)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let leaf = try JSONValueEncoder.leaf(value, path: path) {
            put(leaf)
            return
        }
        try value.encode(to: JSONValueEncoder(node: node, path: path))
    }
}
