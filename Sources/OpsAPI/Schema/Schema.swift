import KubeClient

/// An OpenAPI v3 schema node for a CRD (`JSONSchemaProps`), built in Swift so the CRDs in
/// `crds/` are generated from the same place as the types the controllers decode.
///
/// Only structural-schema features are offered: every node is typed, except int-or-string
/// and preserve-unknown-fields nodes, and there is no `$ref`.
public struct Schema: Sendable, Hashable {
    public var type: String?
    public var description: String?
    public var format: String?
    /// Ordered, so generated CRDs read in the order the fields are declared.
    public var properties: [(String, Schema)] = []
    public var required: [String] = []
    public var items: Box?
    public var additionalProperties: Box?
    public var enumValues: [String] = []
    public var defaultValue: JSONValue?
    public var minimum: Double?
    public var maximum: Double?
    public var minLength: Int?
    public var maxLength: Int?
    public var minItems: Int?
    public var maxItems: Int?
    public var pattern: String?
    public var nullable = false
    public var intOrString = false
    public var preserveUnknownFields = false
    public var embeddedResource = false
    public var listType: String?
    public var listMapKeys: [String] = []
    /// CEL rules (`x-kubernetes-validations`): rule and message.
    public var validations: [(rule: String, message: String)] = []

    /// Indirection for recursive members.
    public final class Box: Sendable, Hashable {
        public let schema: Schema
        init(_ schema: Schema) { self.schema = schema }
        public static func == (a: Box, b: Box) -> Bool { a.schema == b.schema }
        public func hash(into hasher: inout Hasher) { hasher.combine(schema) }
    }

    public init(type: String?, description: String? = nil) {
        self.type = type
        self.description = description
    }

    public static func == (a: Schema, b: Schema) -> Bool { a.json == b.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    // MARK: builders

    public static func object(_ description: String? = nil, required: [String] = [], _ properties: [(String, Schema)]) -> Schema {
        var s = Schema(type: "object", description: description)
        s.properties = properties
        s.required = required
        return s
    }

    public static func string(_ description: String? = nil, enum values: [String] = [], pattern: String? = nil,
                              default value: String? = nil, maxLength: Int? = nil, minLength: Int? = nil,
                              format: String? = nil) -> Schema {
        var s = Schema(type: "string", description: description)
        s.enumValues = values
        s.pattern = pattern
        s.defaultValue = value.map { .string($0) }
        s.maxLength = maxLength
        s.minLength = minLength
        s.format = format
        return s
    }

    public static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil,
                               default value: Int? = nil, format: String? = "int32") -> Schema {
        var s = Schema(type: "integer", description: description)
        s.minimum = minimum.map(Double.init)
        s.maximum = maximum.map(Double.init)
        s.defaultValue = value.map { .int(Int64($0)) }
        s.format = format
        return s
    }

    public static func number(_ description: String? = nil, minimum: Double? = nil, maximum: Double? = nil,
                              default value: Double? = nil) -> Schema {
        var s = Schema(type: "number", description: description)
        s.minimum = minimum
        s.maximum = maximum
        s.defaultValue = value.map { .double($0) }
        return s
    }

    public static func boolean(_ description: String? = nil, default value: Bool? = nil) -> Schema {
        var s = Schema(type: "boolean", description: description)
        s.defaultValue = value.map { .bool($0) }
        return s
    }

    public static func array(_ description: String? = nil, of items: Schema, maxItems: Int? = nil, minItems: Int? = nil) -> Schema {
        var s = Schema(type: "array", description: description)
        s.items = Box(items)
        s.maxItems = maxItems
        s.minItems = minItems
        return s
    }

    /// A list of objects keyed by `keys` (`x-kubernetes-list-type: map`), merged per key by server-side apply.
    public static func listMap(_ description: String? = nil, of items: Schema, keys: [String], maxItems: Int? = nil) -> Schema {
        var s = array(description, of: items, maxItems: maxItems)
        s.listType = "map"
        s.listMapKeys = keys
        return s
    }

    /// A map from string keys to values of one schema.
    public static func map(_ description: String? = nil, of values: Schema) -> Schema {
        var s = Schema(type: "object", description: description)
        s.additionalProperties = Box(values)
        return s
    }

    /// A number or a string such as "25%".
    public static func intOrString(_ description: String? = nil) -> Schema {
        var s = Schema(type: nil, description: description)
        s.intOrString = true
        return s
    }

    /// An object whose content the API server keeps as sent (a PodTemplateSpec, say).
    public static func preserved(_ description: String? = nil) -> Schema {
        var s = Schema(type: "object", description: description)
        s.preserveUnknownFields = true
        return s
    }

    public func validated(_ rule: String, message: String) -> Schema {
        var s = self
        s.validations.append((rule, message))
        return s
    }

    public func nullable(_ value: Bool = true) -> Schema {
        var s = self
        s.nullable = value
        return s
    }

    // MARK: serialization

    /// The schema as the CRD's `openAPIV3Schema` JSON.
    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let type { o["type"] = .string(type) }
        if let description { o["description"] = .string(description) }
        if let format { o["format"] = .string(format) }
        if !properties.isEmpty {
            o["properties"] = .object(Dictionary(properties.map { ($0.0, $0.1.json) }, uniquingKeysWith: { a, _ in a }))
        }
        if !required.isEmpty { o["required"] = .array(required.map { .string($0) }) }
        if let items { o["items"] = items.schema.json }
        if let additionalProperties { o["additionalProperties"] = additionalProperties.schema.json }
        if !enumValues.isEmpty { o["enum"] = .array(enumValues.map { .string($0) }) }
        if let defaultValue { o["default"] = defaultValue }
        if let minimum { o["minimum"] = Self.number(minimum) }
        if let maximum { o["maximum"] = Self.number(maximum) }
        if let minLength { o["minLength"] = .int(Int64(minLength)) }
        if let maxLength { o["maxLength"] = .int(Int64(maxLength)) }
        if let minItems { o["minItems"] = .int(Int64(minItems)) }
        if let maxItems { o["maxItems"] = .int(Int64(maxItems)) }
        if let pattern { o["pattern"] = .string(pattern) }
        if nullable { o["nullable"] = true }
        if intOrString { o["x-kubernetes-int-or-string"] = true }
        if preserveUnknownFields { o["x-kubernetes-preserve-unknown-fields"] = true }
        if embeddedResource { o["x-kubernetes-embedded-resource"] = true }
        if let listType { o["x-kubernetes-list-type"] = .string(listType) }
        if !listMapKeys.isEmpty { o["x-kubernetes-list-map-keys"] = .array(listMapKeys.map { .string($0) }) }
        if !validations.isEmpty {
            o["x-kubernetes-validations"] = .array(validations.map { ["rule": .string($0.rule), "message": .string($0.message)] })
        }
        return .object(o)
    }

    private static func number(_ d: Double) -> JSONValue {
        d == d.rounded() && abs(d) < 1e15 ? .int(Int64(d)) : .double(d)
    }
}
