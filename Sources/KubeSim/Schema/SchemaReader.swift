import Foundation
import KubeClient

/// Reads an `openAPIV3Schema` into ``StructuralSchema/Node``s, collecting every problem
/// kube-apiserver would reject the CRD for (apiextensions validation and structural checks).
struct SchemaReader {
    typealias Node = StructuralSchema.Node

    enum Level { case root, field, item, nested }

    var errors: [FieldError] = []

    static let types: Set<String> = ["array", "boolean", "integer", "number", "object", "string"]
    static let reasons: [String: FieldError.ErrorType] = [
        "FieldValueInvalid": .invalid, "FieldValueForbidden": .forbidden,
        "FieldValueRequired": .required, "FieldValueDuplicate": .duplicate,
    ]

    mutating func fail(_ type: FieldError.ErrorType, _ path: String, _ detail: String, _ value: JSONValue? = nil) {
        errors.append(FieldError(type: type, field: path, badValue: value, detail: detail))
    }

    mutating func read(_ json: JSONValue, path: String, level: Level, correlatable: Bool) -> Node {
        guard case .object(let s) = json else {
            fail(.invalid, path, "must be a schema object", json)
            return .anything
        }
        for key in ["$ref": "$ref is not supported", "definitions": "definitions is not supported",
                    "additionalItems": "additionalItems is not supported", "patternProperties": "patternProperties is not supported"]
        where s[key.key] != nil {
            fail(.forbidden, "\(path).\(key.key)", key.value)
        }
        if s["uniqueItems"] == .bool(true) {
            fail(.forbidden, "\(path).uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic")
        }

        let type = s["type"]?.stringValue
        if let raw = s["type"] {
            if raw == "null" {
                fail(.forbidden, "\(path).type", "type cannot be set to null, use nullable as an alternative")
            } else if type == nil || !Self.types.contains(type!) {
                errors.append(FieldError(type: .notSupported, field: "\(path).type", badValue: raw,
                                         detail: "supported values: " + Self.types.sorted().map { goQuote($0) }.joined(separator: ", ")))
            }
        }
        let preserve = s["x-kubernetes-preserve-unknown-fields"] == .bool(true)
        let embedded = s["x-kubernetes-embedded-resource"] == .bool(true)
        let intOrString = s["x-kubernetes-int-or-string"] == .bool(true)
        if let raw = s["x-kubernetes-preserve-unknown-fields"], raw != .bool(true) {
            fail(.invalid, "\(path).x-kubernetes-preserve-unknown-fields", "must be true or undefined", raw)
        }

        if level == .nested {
            checkNested(s, path: path)
        } else {
            checkStructural(s, path: path, level: level, type: type, preserve: preserve, embedded: embedded, intOrString: intOrString)
        }

        var properties: [String: Node] = [:]
        if let raw = s["properties"] {
            if case .object(let members) = raw {
                for (name, child) in members {
                    properties[name] = read(child, path: "\(path).properties[\(name)]", level: level == .nested ? .nested : .field, correlatable: correlatable)
                }
            } else {
                fail(.invalid, "\(path).properties", "must be an object of schemas", raw)
            }
        }

        var additional: Node?
        switch s["additionalProperties"] {
        case nil: break
        case .bool(true)?: additional = .anything
        case .bool(false)?:
            fail(.forbidden, "\(path).additionalProperties",
                 properties.isEmpty ? "must not be false: unknown fields are pruned, so leave additionalProperties out"
                                    : "additionalProperties and properties are mutual exclusive")
        case .object?:
            if !properties.isEmpty {
                fail(.forbidden, "\(path).additionalProperties", "additionalProperties and properties are mutual exclusive")
            }
            if level == .root {
                fail(.forbidden, "\(path).additionalProperties", "must not be used at the root")
            }
            additional = read(s["additionalProperties"]!, path: "\(path).additionalProperties", level: level == .nested ? .nested : .field, correlatable: correlatable)
        case let other?:
            fail(.invalid, "\(path).additionalProperties", "must be a schema or a boolean", other)
        }

        let listType = s["x-kubernetes-list-type"]?.stringValue
        var items: Node?
        switch s["items"] {
        case nil:
            if type == "array" && level != .nested { fail(.required, "\(path).items", "must be specified") }
        case .array?:
            fail(.forbidden, "\(path).items", "items must be a schema object and not an array")
        case let itemSchema?:
            let itemsCorrelate = correlatable && listType == "map"
            items = read(itemSchema, path: "\(path).items", level: level == .nested ? .nested : .item, correlatable: itemsCorrelate)
        }

        let listMapKeys = s["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        checkListType(s, path: path, type: type, listType: listType, listMapKeys: listMapKeys, items: items)
        if let mapType = s["x-kubernetes-map-type"] {
            if mapType.stringValue != "atomic" && mapType.stringValue != "granular" {
                errors.append(FieldError(type: .notSupported, field: "\(path).x-kubernetes-map-type", badValue: mapType, detail: #"supported values: "atomic", "granular""#))
            }
            if type != "object" { fail(.invalid, "\(path).type", "must be object if x-kubernetes-map-type is specified", type.map(JSONValue.string) ?? "") }
        }

        if level == .root, case .object(let metadata) = s["properties"]?["metadata"] ?? .null {
            let allowed: Set<String> = ["type", "properties", "description"]
            let extra = metadata.keys.filter { !allowed.contains($0) }
            let props = metadata["properties"]?.objectValue?.keys.filter { $0 != "name" && $0 != "generateName" } ?? []
            if !extra.isEmpty || !props.isEmpty {
                fail(.forbidden, "\(path).properties[metadata]", "must not specify anything other than name and generateName, but metadata is implicitly specified")
            }
        }

        if let pattern = s["pattern"]?.stringValue {
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                fail(.invalid, "\(path).pattern", "must be a valid regular expression, but isn't", .string(pattern))
            }
        }

        func nested(_ key: String) -> [Node] {
            guard let list = s[key]?.arrayValue else { return [] }
            return list.enumerated().map { read($0.element, path: "\(path).\(key)[\($0.offset)]", level: .nested, correlatable: correlatable) }
        }
        let allOf = nested("allOf"), anyOf = nested("anyOf"), oneOf = nested("oneOf")
        let not = s["not"].map { read($0, path: "\(path).not", level: .nested, correlatable: correlatable) }

        func number(_ key: String) -> Double? { s[key]?.doubleValue }
        func integer(_ key: String) -> Int? { s[key]?.intValue }
        let bare = Node(
            type: type, format: s["format"]?.stringValue, properties: properties,
            required: s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            additionalProperties: additional, items: items, enumValues: s["enum"]?.arrayValue,
            minimum: number("minimum"), maximum: number("maximum"),
            exclusiveMinimum: s["exclusiveMinimum"] == .bool(true), exclusiveMaximum: s["exclusiveMaximum"] == .bool(true),
            multipleOf: number("multipleOf"), minLength: integer("minLength"), maxLength: integer("maxLength"),
            minItems: integer("minItems"), maxItems: integer("maxItems"),
            minProperties: integer("minProperties"), maxProperties: integer("maxProperties"),
            pattern: s["pattern"]?.stringValue, nullable: s["nullable"] == .bool(true), defaultValue: s["default"],
            preserveUnknownFields: preserve, embeddedResource: embedded, intOrString: intOrString,
            listType: listType, listMapKeys: listMapKeys, mapType: s["x-kubernetes-map-type"]?.stringValue,
            allOf: allOf, anyOf: anyOf, oneOf: oneOf, not: not, rules: [])
        let rules = readRules(s["x-kubernetes-validations"], path: path, node: bare, correlatable: correlatable, isResource: level == .root)
        if rules.isEmpty { return bare }
        return Node(
            type: bare.type, format: bare.format, properties: bare.properties, required: bare.required,
            additionalProperties: bare.additionalProperties, items: bare.items, enumValues: bare.enumValues,
            minimum: bare.minimum, maximum: bare.maximum, exclusiveMinimum: bare.exclusiveMinimum,
            exclusiveMaximum: bare.exclusiveMaximum, multipleOf: bare.multipleOf, minLength: bare.minLength,
            maxLength: bare.maxLength, minItems: bare.minItems, maxItems: bare.maxItems,
            minProperties: bare.minProperties, maxProperties: bare.maxProperties, pattern: bare.pattern,
            nullable: bare.nullable, defaultValue: bare.defaultValue, preserveUnknownFields: bare.preserveUnknownFields,
            embeddedResource: bare.embeddedResource, intOrString: bare.intOrString, listType: bare.listType,
            listMapKeys: bare.listMapKeys, mapType: bare.mapType, allOf: bare.allOf, anyOf: bare.anyOf,
            oneOf: bare.oneOf, not: bare.not, rules: rules)
    }

    mutating func checkStructural(_ s: [String: JSONValue], path: String, level: Level, type: String?,
                                  preserve: Bool, embedded: Bool, intOrString: Bool) {
        if intOrString && preserve {
            fail(.invalid, "\(path).x-kubernetes-preserve-unknown-fields", "must be false if x-kubernetes-int-or-string is true", true)
        }
        if intOrString && embedded {
            fail(.invalid, "\(path).x-kubernetes-embedded-resource", "must be false if x-kubernetes-int-or-string is true", true)
        }
        if embedded {
            if type == nil {
                fail(.required, "\(path).type", "must be object if x-kubernetes-embedded-resource is true")
            } else if type != "object" {
                fail(.invalid, "\(path).type", "must be object if x-kubernetes-embedded-resource is true", .string(type!))
            }
            if !preserve && (s["properties"]?.objectValue?.isEmpty ?? true) {
                fail(.required, "\(path).properties", "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields")
            }
        }
        if type == nil && !intOrString && !preserve {
            switch level {
            case .root: fail(.required, "\(path).type", "must not be empty at the root")
            case .item: fail(.required, "\(path).type", "must not be empty for specified array items")
            case .field: fail(.required, "\(path).type", "must not be empty for specified object fields")
            case .nested: break
            }
        }
        if level == .root, let type, type != "object" {
            fail(.invalid, "\(path).type", "must be object at the root", .string(type))
        }
        if intOrString {
            // The int-or-string idiom: anyOf [{type: integer}, {type: string}] (optionally inside allOf).
            let anyOf = s["anyOf"]?.arrayValue ?? s["allOf"]?.arrayValue?.first?["anyOf"].arrayValue
            if let anyOf, anyOf.count != 2 || anyOf[0] != ["type": "integer"] || anyOf[1] != ["type": "string"] {
                fail(.forbidden, "\(path).anyOf", "with x-kubernetes-int-or-string, anyOf must be [{type: integer}, {type: string}]")
            }
        }
    }

    mutating func checkNested(_ s: [String: JSONValue], path: String) {
        let forbidden: [(String, String)] = [
            ("type", "must be empty to be structural"), ("additionalProperties", "must be undefined to be structural"),
            ("default", "must be undefined to be structural"), ("title", "must be empty to be structural"),
            ("description", "must be empty to be structural"), ("nullable", "must be false to be structural"),
            ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
            ("x-kubernetes-embedded-resource", "must be false to be structural"),
            ("x-kubernetes-int-or-string", "must be false to be structural"),
            ("x-kubernetes-list-map-keys", "must be empty to be structural"),
            ("x-kubernetes-list-type", "must be undefined to be structural"),
            ("x-kubernetes-map-type", "must be undefined to be structural"),
            ("x-kubernetes-validations", "must be empty to be structural"),
        ]
        let intOrStringIdiom = s.count == 1 && (s["type"] == "integer" || s["type"] == "string")
        for (key, detail) in forbidden where s[key] != nil && !(key == "type" && intOrStringIdiom) {
            if key == "nullable" && s[key] == .bool(false) { continue }
            fail(.forbidden, "\(path).\(key)", detail)
        }
    }

    mutating func checkListType(_ s: [String: JSONValue], path: String, type: String?, listType: String?, listMapKeys: [String], items: Node?) {
        if let raw = s["x-kubernetes-list-type"] {
            guard let listType, ["atomic", "set", "map"].contains(listType) else {
                errors.append(FieldError(type: .notSupported, field: "\(path).x-kubernetes-list-type", badValue: raw, detail: #"supported values: "atomic", "set", "map""#))
                return
            }
            if type != "array" {
                fail(.invalid, "\(path).type", "must be array if x-kubernetes-list-type is specified", type.map(JSONValue.string) ?? "")
            }
            if listType == "set", let items, items.type == "object" || items.type == "array", items.mapType != "atomic" {
                fail(.invalid, "\(path).items.x-kubernetes-map-type", "must be atomic as item of a list with x-kubernetes-list-type=set", items.mapType.map(JSONValue.string) ?? .null)
            }
        }
        if !listMapKeys.isEmpty && listType != "map" {
            fail(.required, "\(path).x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty")
        }
        guard listType == "map" else { return }
        if listMapKeys.isEmpty {
            fail(.required, "\(path).x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map")
            return
        }
        guard let items else {
            fail(.required, "\(path).items", "must have a schema if x-kubernetes-list-type is map")
            return
        }
        if items.type != "object" {
            fail(.invalid, "\(path).items.type", "must be object if parent array's x-kubernetes-list-type is map", items.type.map(JSONValue.string) ?? "")
            return
        }
        if Set(listMapKeys).count != listMapKeys.count {
            fail(.invalid, "\(path).x-kubernetes-list-map-keys", "must not contain duplicate entries", .array(listMapKeys.map(JSONValue.string)))
        }
        for key in listMapKeys {
            guard let property = items.properties[key] else {
                fail(.invalid, "\(path).x-kubernetes-list-map-keys", "entries must all be names of item properties", .array(listMapKeys.map(JSONValue.string)))
                continue
            }
            if property.type == "object" || property.type == "array" {
                fail(.invalid, "\(path).items.properties[\(key)].type", "must be a scalar type if parent array's x-kubernetes-list-type is map", .string(property.type!))
            }
            if property.defaultValue == nil && !items.required.contains(key) {
                fail(.required, "\(path).items.properties[\(key)].default", "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property")
            }
            if property.nullable {
                fail(.forbidden, "\(path).items.properties[\(key)].nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable")
            }
        }
    }

    mutating func readRules(_ raw: JSONValue?, path: String, node: Node, correlatable: Bool, isResource: Bool) -> [StructuralSchema.ValidationRule] {
        guard let raw else { return [] }
        guard case .array(let entries) = raw else {
            fail(.invalid, "\(path).x-kubernetes-validations", "must be a list of rules", raw)
            return []
        }
        var rules: [StructuralSchema.ValidationRule] = []
        for (index, entry) in entries.enumerated() {
            let rulePath = "\(path).x-kubernetes-validations[\(index)]"
            guard let source = entry["rule"].stringValue, !source.trimmingCharacters(in: .whitespaces).isEmpty else {
                fail(.required, "\(rulePath).rule", "rule is not specified")
                continue
            }
            let message = entry["message"].stringValue
            if let message, message.trimmingCharacters(in: .whitespaces).isEmpty {
                fail(.invalid, "\(rulePath).message", "message must be non-empty if specified", .string(message))
            }
            if let message, message.contains("\n") {
                fail(.invalid, "\(rulePath).message", "message must not contain line breaks", .string(message))
            }
            if message == nil && source.contains("\n") {
                fail(.required, "\(rulePath).message", "message must be specified if rule contains line breaks")
            }
            var reason: FieldError.ErrorType?
            if let rawReason = entry["reason"].stringValue {
                reason = Self.reasons[rawReason]
                if reason == nil {
                    errors.append(FieldError(type: .notSupported, field: "\(rulePath).reason", badValue: .string(rawReason),
                                             detail: "supported values: " + Self.reasons.keys.sorted().map { goQuote($0) }.joined(separator: ", ")))
                }
            }
            if entry["optionalOldSelf"] == .bool(true) {
                fail(.forbidden, "\(rulePath).optionalOldSelf", "optionalOldSelf is not supported by this API server; write the rule for the case where oldSelf exists")
            }
            let fieldPath = entry["fieldPath"].stringValue
            if let fieldPath, RuleFieldPath.resolve(fieldPath, in: node) == nil {
                fail(.invalid, "\(rulePath).fieldPath", "fieldPath must be a valid path", .string(fieldPath))
            }
            let program: CELProgram
            do {
                program = try CELProgram.compile(source, schema: node, correlatable: correlatable, isResource: isResource)
            } catch {
                fail(.invalid, "\(rulePath).rule", "compilation failed: \(error.message)", entry)
                continue
            }
            var messageProgram: CELProgram?
            if let expression = entry["messageExpression"].stringValue {
                do {
                    messageProgram = try CELProgram.compile(expression, schema: node, correlatable: correlatable, isResource: isResource)
                } catch {
                    fail(.invalid, "\(rulePath).messageExpression", "messageExpression compilation failed: \(error.message)", entry)
                    continue
                }
            }
            rules.append(.init(rule: source, message: message, messageExpression: entry["messageExpression"].stringValue,
                               reason: reason, fieldPath: fieldPath, program: program, messageProgram: messageProgram))
        }
        return rules
    }

    /// Every `default` must itself be valid against its schema.
    static func checkDefaults(_ node: Node, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let value = node.defaultValue {
            let problems = SchemaValidator.validateValue(value, node: node, path: ValidationPath(openAPI: "", field: "<nil>"))
            for problem in problems {
                let detail = problem.detail.isEmpty ? problem.body : problem.detail
                errors.append(FieldError(type: .invalid, field: "\(path).default", badValue: value, detail: detail))
            }
        }
        for name in node.properties.keys.sorted() {
            errors += checkDefaults(node.properties[name]!, path: "\(path).properties[\(name)]")
        }
        if let items = node.items { errors += checkDefaults(items, path: "\(path).items") }
        if let values = node.additionalProperties, values !== Node.anything {
            errors += checkDefaults(values, path: "\(path).additionalProperties")
        }
        return errors
    }
}
