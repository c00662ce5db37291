import KubeClient

/// `x-kubernetes-list-type: set|map` uniqueness (apiextensions' listtype validation).
enum ListTypeValidation {
    typealias Node = StructuralSchema.Node

    static func validate(_ value: JSONValue, node: Node, path: ValidationPath, into errors: inout [FieldError]) {
        guard node.hasListTypeBelow else { return }
        switch value {
        case .object(let members):
            for name in members.keys.sorted() {
                if let property = node.properties[name] {
                    validate(members[name]!, node: property, path: path.property(name), into: &errors)
                } else if let values = node.additionalProperties {
                    validate(members[name]!, node: values, path: path.key(name), into: &errors)
                }
            }
        case .array(let items):
            switch node.listType {
            case "set":
                for i in duplicates(items) {
                    errors.append(FieldError(type: .duplicate, field: path.index(i).field, badValue: items[i]))
                }
            case "map":
                if let bad = items.firstIndex(where: { !$0.isObject && !$0.isNull }) {
                    errors.append(FieldError(type: .invalid, field: path.index(bad).field, badValue: items[bad],
                                             detail: "must be an object for an array of list-type map"))
                    break
                }
                let keys: [JSONValue] = items.map { item in
                    var key: [String: JSONValue] = [:]
                    for name in node.listMapKeys where !item[name].isNull { key[name] = item[name] }
                    return .object(key)
                }
                for i in duplicates(keys) {
                    errors.append(FieldError(type: .duplicate, field: path.index(i).field, badValue: keys[i]))
                }
            default:
                break
            }
            if let itemSchema = node.items {
                for (i, item) in items.enumerated() {
                    validate(item, node: itemSchema, path: path.index(i), into: &errors)
                }
            }
        default:
            break
        }
    }

    /// Indices of the second occurrence of each repeated value.
    static func duplicates(_ values: [JSONValue]) -> [Int] {
        var seen: [JSONValue: Int] = [:]
        var result: [Int] = []
        for (i, value) in values.enumerated() {
            let key = FieldWalk.normalized(value)
            let count = seen[key, default: 0]
            if count == 1 { result.append(i) }
            seen[key] = count + 1
        }
        return result
    }
}
