import Foundation
import KubeClient

/// The OpenAPI part of custom resource validation (kube-openapi's validator as
/// apiextensions-apiserver converts its results to field errors).
enum SchemaValidator {
    typealias Node = StructuralSchema.Node

    static func validateValue(_ value: JSONValue, old: JSONValue? = nil, node: Node, path: ValidationPath) -> [FieldError] {
        var errors: [FieldError] = []
        validate(value, old: old, node: node, path: path, into: &errors)
        return errors
    }

    /// - Parameter old: the value at the same place in the stored object, on updates. A value
    ///   equal to it is not checked again (validation ratcheting, on by default since
    ///   Kubernetes 1.30): what was accepted before stays accepted, and an unchanged subtree
    ///   costs one comparison instead of a walk.
    static func validate(_ value: JSONValue, old: JSONValue? = nil, node: Node, path: ValidationPath,
                         into errors: inout [FieldError]) {
        if let old, old == value { return }
        let field = path.openAPIField
        if value.isNull {
            if !node.nullable, let type = node.type {
                errors.append(FieldError(type: .typeInvalid, field: field, badValue: "null", detail: path.says("must be of type \(type): \"null\"")))
            }
            return
        }
        if node.intOrString {
            let ok: Bool
            switch value {
            case .string, .int: ok = true
            case .double(let d): ok = d.rounded() == d
            default: ok = false
            }
            if !ok {
                let actual = value.jsonTypeName
                errors.append(FieldError(type: .typeInvalid, field: field, badValue: .string(actual),
                                         detail: path.says("must be of type integer,string: \(goQuote(actual))")))
                return
            }
        } else if let type = node.type, !matches(value, type: type) {
            let actual = value.jsonTypeName
            errors.append(FieldError(type: .typeInvalid, field: field, badValue: .string(actual),
                                     detail: path.says("must be of type \(type): \(goQuote(actual))")))
            return
        }

        if case .string(let text) = value, let format = node.format, !SchemaFormats.isValid(text, format: format) {
            errors.append(FieldError(type: .typeInvalid, field: field, badValue: value,
                                     detail: path.says("must be of type \(format): \(goQuote(text))")))
        }
        if let allowed = node.enumValues, !allowed.contains(where: { $0.semanticallyEquals(value) }) {
            let listed = allowed.map { goQuote($0.stringValue ?? $0.serialized()) }.joined(separator: ", ")
            errors.append(FieldError(type: .notSupported, field: field, badValue: value, detail: "supported values: \(listed)"))
        }

        switch value {
        case .string(let text):
            let length = text.unicodeScalars.count
            if let max = node.maxLength, length > max {
                errors.append(FieldError(type: .tooLong, field: field, badValue: nil, detail: "may not be more than \(max) bytes"))
            }
            if let min = node.minLength, length < min {
                errors.append(FieldError(type: .invalid, field: field, badValue: value, detail: path.says("should be at least \(min) chars long")))
            }
            if let pattern = node.pattern, RegexCache.regex(pattern) != nil, !RegexCache.matches(text, pattern) {
                errors.append(FieldError(type: .invalid, field: field, badValue: value, detail: path.says("should match '\(pattern)'")))
            }
        case .int, .double:
            let number = value.doubleValue!
            if let min = node.minimum, node.exclusiveMinimum ? number <= min : number < min {
                let relation = node.exclusiveMinimum ? "greater than" : "greater than or equal to"
                errors.append(FieldError(type: .invalid, field: field, badValue: value, detail: path.says("should be \(relation) \(FieldError.goFloat(min))")))
            }
            if let max = node.maximum, node.exclusiveMaximum ? number >= max : number > max {
                let relation = node.exclusiveMaximum ? "less than" : "less than or equal to"
                errors.append(FieldError(type: .invalid, field: field, badValue: value, detail: path.says("should be \(relation) \(FieldError.goFloat(max))")))
            }
            if let factor = node.multipleOf, factor > 0 {
                let quotient = number / factor
                if quotient.rounded() != quotient {
                    errors.append(FieldError(type: .invalid, field: field, badValue: value, detail: path.says("should be a multiple of \(FieldError.goFloat(factor))")))
                }
            }
        case .array(let items):
            if let max = node.maxItems, items.count > max {
                errors.append(FieldError(type: .tooMany, field: field, badValue: .int(Int64(items.count)), detail: "must have at most \(max) items"))
            }
            if let min = node.minItems, items.count < min {
                errors.append(FieldError(type: .invalid, field: field, badValue: .int(Int64(items.count)), detail: path.says("should have at least \(min) items")))
            }
            if let itemSchema = node.items {
                for (i, item) in items.enumerated() {
                    validate(item, node: itemSchema, path: path.index(i), into: &errors)
                }
            }
        case .object(let members):
            for name in node.required where members[name] == nil {
                errors.append(FieldError(type: .required, field: path.property(name).openAPIField))
            }
            if let max = node.maxProperties, members.count > max {
                errors.append(FieldError(type: .tooMany, field: field, badValue: .int(Int64(members.count)), detail: "must have at most \(max) items"))
            }
            if let min = node.minProperties, members.count < min {
                errors.append(FieldError(type: .invalid, field: field, badValue: .int(Int64(members.count)), detail: path.says("should have at least \(min) properties")))
            }
            let oldMembers = old?.objectValue
            for name in members.keys.sorted() {
                if let property = node.properties[name] {
                    validate(members[name]!, old: oldMembers?[name], node: property, path: path.property(name), into: &errors)
                } else if let values = node.additionalProperties {
                    validate(members[name]!, old: oldMembers?[name], node: values, path: path.key(name), into: &errors)
                }
            }
        default:
            break
        }

        for sub in node.allOf { validate(value, old: old, node: sub, path: path, into: &errors) }
        if !node.anyOf.isEmpty && !node.intOrString,
           !node.anyOf.contains(where: { validateValue(value, node: $0, path: path).isEmpty }) {
            errors.append(FieldError(type: .invalid, field: field, badValue: "", detail: path.says("must validate at least one schema (anyOf)")))
        }
        if !node.oneOf.isEmpty {
            let passing = node.oneOf.filter { validateValue(value, node: $0, path: path).isEmpty }.count
            if passing != 1 {
                errors.append(FieldError(type: .invalid, field: field, badValue: "", detail: path.says("must validate one and only one schema (oneOf)")))
            }
        }
        if let not = node.not, validateValue(value, node: not, path: path).isEmpty {
            errors.append(FieldError(type: .invalid, field: field, badValue: "", detail: path.says("must not validate the schema (not)")))
        }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
             ("integer", .int), ("number", .int), ("number", .double):
            return true
        case ("integer", .double(let d)):
            return d.rounded() == d
        default:
            return false
        }
    }
}
