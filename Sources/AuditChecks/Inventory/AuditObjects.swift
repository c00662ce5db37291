import KubeClient

/// The objects of one kind in an ``AuditInventory``: parsed objects, and sources that
/// produce theirs one at a time, as the engine reaches them.
///
/// An informer cache that keeps objects as compact bytes (see OperatorKit's `CacheStorage`)
/// hands its objects over as a source: the engine then parses each object when it checks
/// it and drops it before the next, so an audit over a large cluster never holds the whole
/// cluster as parsed trees. A pass that reads a kind twice (workloads: owners first, then
/// checks) parses its objects twice.
public struct AuditObjects: Sequence, Sendable, ExpressibleByArrayLiteral {
    /// `count` objects; `object(i)` produces the i-th, or nil to leave it out (one being
    /// deleted, say). Return `nil` from a statement, not from a ternary: `JSONValue` is
    /// nil-literal expressible, so `cond ? object : nil` produces JSON null, an object.
    public struct Source: Sendable {
        public let count: Int
        public let object: @Sendable (Int) -> JSONValue?

        public init(count: Int, object: @escaping @Sendable (Int) -> JSONValue?) {
            self.count = count
            self.object = object
        }
    }

    private var parsed: [JSONValue]
    private var sources: [Source] = []

    public init(_ objects: [JSONValue] = []) { parsed = objects }
    public init(arrayLiteral elements: JSONValue...) { parsed = elements }

    public mutating func append(_ object: JSONValue) { parsed.append(object) }
    public mutating func append(_ source: Source) { sources.append(source) }

    /// How many objects there are at most: sources count those they may leave out.
    public var count: Int { sources.reduce(parsed.count) { $0 + $1.count } }
    /// Whether no object is produced at all (a source's first object may be read to tell).
    public var isEmpty: Bool {
        var iterator = makeIterator()
        return iterator.next() == nil
    }
    public var underestimatedCount: Int { parsed.count }

    public func makeIterator() -> Iterator { Iterator(objects: self) }

    public struct Iterator: IteratorProtocol {
        let objects: AuditObjects
        var parsedIndex = 0
        var sourceIndex = 0
        var indexInSource = 0

        public mutating func next() -> JSONValue? {
            if parsedIndex < objects.parsed.count {
                defer { parsedIndex += 1 }
                return objects.parsed[parsedIndex]
            }
            while sourceIndex < objects.sources.count {
                let source = objects.sources[sourceIndex]
                while indexInSource < source.count {
                    defer { indexInSource += 1 }
                    if let object = source.object(indexInSource) { return object }
                }
                sourceIndex += 1
                indexInSource = 0
            }
            return nil
        }
    }
}
