import KubeClient

extension StructuralSchema {
    /// One node of a CRD's `openAPIV3Schema`, read once at registration. Immutable, so it is
    /// shared freely between requests.
    public final class Node: Sendable {
        public let type: String?
        public let format: String?
        public let properties: [String: Node]
        public let required: [String]
        /// The schema of map values (`additionalProperties: {schema}`); `additionalProperties: true`
        /// gives a node that accepts anything.
        public let additionalProperties: Node?
        public let items: Node?
        public let enumValues: [JSONValue]?
        public let minimum: Double?
        public let maximum: Double?
        public let exclusiveMinimum: Bool
        public let exclusiveMaximum: Bool
        public let multipleOf: Double?
        public let minLength: Int?
        public let maxLength: Int?
        public let minItems: Int?
        public let maxItems: Int?
        public let minProperties: Int?
        public let maxProperties: Int?
        public let pattern: String?
        public let nullable: Bool
        public let defaultValue: JSONValue?
        public let preserveUnknownFields: Bool
        public let embeddedResource: Bool
        public let intOrString: Bool
        public let listType: String?
        public let listMapKeys: [String]
        public let mapType: String?
        public let allOf: [Node]
        public let anyOf: [Node]
        public let oneOf: [Node]
        public let not: Node?
        public let rules: [ValidationRule]
        /// What the walks below this node can find, so validators skip subtrees with nothing
        /// to check (decided once, when the schema is read).
        let hasRulesBelow: Bool
        let hasTransitionRulesBelow: Bool
        let hasListTypeBelow: Bool
        let hasEmbeddedResourceBelow: Bool

        init(type: String?, format: String?, properties: [String: Node], required: [String], additionalProperties: Node?,
             items: Node?, enumValues: [JSONValue]?, minimum: Double?, maximum: Double?, exclusiveMinimum: Bool,
             exclusiveMaximum: Bool, multipleOf: Double?, minLength: Int?, maxLength: Int?, minItems: Int?, maxItems: Int?,
             minProperties: Int?, maxProperties: Int?, pattern: String?, nullable: Bool, defaultValue: JSONValue?,
             preserveUnknownFields: Bool, embeddedResource: Bool, intOrString: Bool, listType: String?,
             listMapKeys: [String], mapType: String?, allOf: [Node], anyOf: [Node], oneOf: [Node], not: Node?,
             rules: [ValidationRule]) {
            self.type = type
            self.format = format
            self.properties = properties
            self.required = required
            self.additionalProperties = additionalProperties
            self.items = items
            self.enumValues = enumValues
            self.minimum = minimum
            self.maximum = maximum
            self.exclusiveMinimum = exclusiveMinimum
            self.exclusiveMaximum = exclusiveMaximum
            self.multipleOf = multipleOf
            self.minLength = minLength
            self.maxLength = maxLength
            self.minItems = minItems
            self.maxItems = maxItems
            self.minProperties = minProperties
            self.maxProperties = maxProperties
            self.pattern = pattern
            self.nullable = nullable
            self.defaultValue = defaultValue
            self.preserveUnknownFields = preserveUnknownFields
            self.embeddedResource = embeddedResource
            self.intOrString = intOrString
            self.listType = listType
            self.listMapKeys = listMapKeys
            self.mapType = mapType
            self.allOf = allOf
            self.anyOf = anyOf
            self.oneOf = oneOf
            self.not = not
            self.rules = rules
            let children = Array(properties.values) + [items, additionalProperties].compactMap { $0 }
            hasRulesBelow = !rules.isEmpty || children.contains { $0.hasRulesBelow }
            hasTransitionRulesBelow = rules.contains { $0.usesOldSelf } || children.contains { $0.hasTransitionRulesBelow }
            hasListTypeBelow = listType == "set" || listType == "map" || children.contains { $0.hasListTypeBelow }
            hasEmbeddedResourceBelow = embeddedResource || children.contains { $0.hasEmbeddedResourceBelow }
        }

        /// A node that accepts any value and keeps unknown fields.
        static let anything = Node(
            type: nil, format: nil, properties: [:], required: [], additionalProperties: nil, items: nil,
            enumValues: nil, minimum: nil, maximum: nil, exclusiveMinimum: false, exclusiveMaximum: false,
            multipleOf: nil, minLength: nil, maxLength: nil, minItems: nil, maxItems: nil, minProperties: nil,
            maxProperties: nil, pattern: nil, nullable: true, defaultValue: nil, preserveUnknownFields: true,
            embeddedResource: false, intOrString: false, listType: nil, listMapKeys: [], mapType: nil,
            allOf: [], anyOf: [], oneOf: [], not: nil, rules: [])

        /// The schema of member `name` of an object at this node, if the schema names one.
        func member(_ name: String) -> Node? { properties[name] ?? additionalProperties }
    }

    /// One `x-kubernetes-validations` entry, compiled at registration.
    public struct ValidationRule: Sendable {
        public let rule: String
        public let message: String?
        public let messageExpression: String?
        public let reason: FieldError.ErrorType?
        public let fieldPath: String?
        let program: CELProgram
        let messageProgram: CELProgram?

        /// Whether the rule compares with the previous value (a transition rule).
        public var usesOldSelf: Bool { program.usesOldSelf }
    }
}
