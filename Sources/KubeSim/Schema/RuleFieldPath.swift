/// The `fieldPath` of an `x-kubernetes-validations` rule: `.spec.replicas`, `.items['key']`.
enum RuleFieldPath {
    /// The field names of a valid path, or nil when it does not name a field of `node`.
    static func resolve(_ text: String, in node: StructuralSchema.Node) -> [String]? {
        var names: [String] = []
        var current: StructuralSchema.Node? = node
        var rest = Substring(text)
        while !rest.isEmpty {
            let name: String
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                name = String(rest[..<end])
                rest = rest[end...]
            } else if rest.hasPrefix("['") {
                rest = rest.dropFirst(2)
                guard let end = rest.range(of: "']") else { return nil }
                name = String(rest[..<end.lowerBound])
                rest = rest[end.upperBound...]
            } else {
                return nil
            }
            guard !name.isEmpty else { return nil }
            if let schema = current, !schema.properties.isEmpty || schema.additionalProperties != nil {
                guard let next = schema.member(name) else { return nil }
                current = next
            } else if let schema = current, !schema.preserveUnknownFields {
                return nil
            } else {
                current = nil
            }
            names.append(name)
        }
        return names.isEmpty ? nil : names
    }
}
