import Foundation
import KubeClient

/// Evaluates `x-kubernetes-validations` rules over a custom resource (and its previous
/// version for transition rules), producing kube-apiserver's messages.
enum RuleValidation {
    typealias Node = StructuralSchema.Node

    /// An unchanged value is not checked again unless a transition rule (`oldSelf`) lies
    /// below it: CRD validation ratcheting (KEP-4008, on by default since Kubernetes 1.30)
    /// covers `x-kubernetes-validations` rules that do not use `oldSelf`.
    static func validate(_ value: JSONValue, old: JSONValue?, node: Node, path: ValidationPath, into errors: inout [FieldError]) {
        if value.isNull || !node.hasRulesBelow { return }
        if let old, !node.hasTransitionRulesBelow, old == value { return }
        if !node.rules.isEmpty {
            let current = CELValue(json: value, schema: node)
            let previous = old.flatMap { $0.isNull ? nil : CELValue(json: $0, schema: node) }
            for rule in node.rules {
                if rule.usesOldSelf && previous == nil { continue }
                if let error = evaluate(rule, current, previous, node: node, path: path) { errors.append(error) }
            }
        }
        switch value {
        case .object(let members):
            for name in members.keys.sorted() {
                let oldMember = old?.objectValue?[name]
                if let property = node.properties[name] {
                    validate(members[name]!, old: oldMember, node: property, path: path.property(name), into: &errors)
                } else if let values = node.additionalProperties {
                    validate(members[name]!, old: oldMember, node: values, path: path.key(name), into: &errors)
                }
            }
        case .array(let items):
            guard let itemSchema = node.items else { return }
            let oldItems = old?.arrayValue ?? []
            for (i, item) in items.enumerated() {
                var oldItem: JSONValue?
                if node.listType == "map" {
                    oldItem = oldItems.first { candidate in
                        node.listMapKeys.allSatisfy { candidate[$0].semanticallyEquals(item[$0]) }
                    }
                }
                validate(item, old: oldItem, node: itemSchema, path: path.index(i), into: &errors)
            }
        default:
            break
        }
    }

    static func evaluate(_ rule: StructuralSchema.ValidationRule, _ current: CELValue, _ previous: CELValue?,
                         node: Node, path: ValidationPath) -> FieldError? {
        let typeName: JSONValue = .string(node.type ?? "")
        var errorPath = path
        if let fieldPath = rule.fieldPath, let names = RuleFieldPath.resolve(fieldPath, in: node) {
            for name in names { errorPath = errorPath.property(name) }
        }
        let outcome: CELValue
        do {
            outcome = try rule.program.evaluate(self: current, oldSelf: previous)
        } catch {
            return FieldError(type: .invalid, field: path.field, badValue: typeName,
                              detail: "\(error.message) evaluating rule: \(ruleText(rule))")
        }
        guard case .bool(let passed) = outcome else {
            return FieldError(type: .invalid, field: path.field, badValue: typeName,
                              detail: "rule did not evaluate to a boolean: \(ruleText(rule))")
        }
        if passed { return nil }
        var detail = rule.message?.trimmingCharacters(in: .whitespaces) ?? "failed rule: \(ruleText(rule))"
        if let messageProgram = rule.messageProgram,
           case .string(let text)? = try? messageProgram.evaluate(self: current, oldSelf: previous) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty && !trimmed.contains("\n") { detail = trimmed }
        }
        switch rule.reason {
        case .forbidden?: return FieldError(type: .forbidden, field: errorPath.field, detail: detail)
        case .required?: return FieldError(type: .required, field: errorPath.field, detail: detail)
        case .duplicate?: return FieldError(type: .duplicate, field: errorPath.field, badValue: typeName)
        default: return FieldError(type: .invalid, field: errorPath.field, badValue: typeName, detail: detail)
        }
    }

    static func ruleText(_ rule: StructuralSchema.ValidationRule) -> String {
        (rule.message?.trimmingCharacters(in: .whitespaces)).flatMap { $0.isEmpty ? nil : $0 }
            ?? rule.rule.trimmingCharacters(in: .whitespaces)
    }
}
