/// A typed view of a Kubernetes kind.
///
/// Views declare the fields an operator reads; everything else stays in the raw
/// ``JSONValue`` the view was decoded from. Write a changed view back with
/// ``JSONValue/merging(_:)`` (or ``KubeObject/merged(into:)``) so unknown fields survive.
public protocol KubeObject: Codable, Sendable {
    /// `apps/v1`, `v1`, …
    static var apiVersion: String { get }
    /// `Deployment`, …
    static var kind: String { get }
    /// The resource name in URLs: `deployments`.
    static var plural: String { get }
    /// Whether objects live in a namespace.
    static var namespaced: Bool { get }

    var metadata: ObjectMeta { get set }
}

extension KubeObject {
    public static var groupVersionKind: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }
    public static var groupVersionResource: GroupVersionResource {
        GroupVersionResource(apiVersion: apiVersion, resource: plural)
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var key: String {
        let name = metadata.name ?? ""
        if let ns = metadata.namespace, !ns.isEmpty { return ns + "/" + name }
        return name
    }

    /// Decodes a view from a raw object.
    public init(json: JSONValue) throws {
        self = try json.decode(Self.self)
    }

    /// The view as a raw object, `apiVersion` and `kind` filled in, an empty `status` left out.
    public func json() throws -> JSONValue {
        var value = try JSONValue(encoding: self)
        if value["status"] == .emptyObject { value.removeValue(forKey: "status") }
        if value["apiVersion"].isNull { value["apiVersion"] = .string(Self.apiVersion) }
        if value["kind"].isNull { value["kind"] = .string(Self.kind) }
        return value
    }

    /// This view written over the raw object it was read from: unknown fields kept.
    ///
    /// The change is computed against the view of `original`, so members the view removed
    /// (a label, an annotation, an optional field set to nil) are removed from the result
    /// too, and members it never declared are left alone.
    public func merged(into original: JSONValue) throws -> JSONValue {
        let updated = try json()
        guard let before = try? Self(json: original).json() else { return original.merging(updated) }
        return original.merging(JSONValue.mergePatch(from: before, to: updated))
    }
}

/// A raw object list: `{apiVersion, kind: <Kind>List, metadata: ListMeta, items}`.
public struct KubeList<Item: Codable & Sendable>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    @Defaulted public var metadata: ListMeta
    @Defaulted public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }
}

extension KubeList: Equatable where Item: Equatable {}
extension KubeList: Hashable where Item: Hashable {}

// MARK: - Defaulted fields

/// Types with an empty value used when a field is absent or `null`.
public protocol DefaultConstructible {
    init()
}

extension String: DefaultConstructible {}
extension Array: DefaultConstructible {}
extension Dictionary: DefaultConstructible {}
extension Int: DefaultConstructible {}
extension Int64: DefaultConstructible {}
extension Bool: DefaultConstructible {}

/// A field that decodes as its empty value when the key is absent or `null`, so views can
/// expose `spec` and `metadata` without optionals.
@propertyWrapper
public struct Defaulted<Value: Codable & DefaultConstructible>: Codable {
    public var wrappedValue: Value

    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }
    public init() { self.wrappedValue = Value() }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? Value() : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension Defaulted: Sendable where Value: Sendable {}
extension Defaulted: Equatable where Value: Equatable {}
extension Defaulted: Hashable where Value: Hashable {}

extension KeyedDecodingContainer {
    /// Absent keys decode as the empty value (synthesized `Codable` calls this overload).
    public func decode<Value>(_ type: Defaulted<Value>.Type, forKey key: Key) throws -> Defaulted<Value> {
        try decodeIfPresent(type, forKey: key) ?? Defaulted()
    }
}
