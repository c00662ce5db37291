import KubeClient

extension StructuralSchema {
    /// Validates a custom resource against the schema and its CEL rules.
    ///
    /// - Parameters:
    ///   - object: the pruned and defaulted object.
    ///   - oldObject: the stored object on updates, so transition rules (`oldSelf`) run.
    /// - Returns: every problem, in the order kube-apiserver reports them; empty when valid.
    public func validate(_ object: JSONValue, oldObject: JSONValue? = nil) -> [FieldError] {
        var errors = SchemaValidator.validateValue(object, old: oldObject, node: root, path: .root)
        errors += EmbeddedResourceValidation.validate(object, node: root, path: .root, isRoot: true)
        ListTypeValidation.validate(object, node: root, path: .root, into: &errors)
        let blocking: Set<FieldError.ErrorType> = [.notSupported, .required, .tooLong, .tooMany, .typeInvalid]
        if errors.contains(where: { blocking.contains($0.type) }) {
            if root.hasRulesBelow {
                errors.append(FieldError(type: .invalid, field: "<nil>", badValue: .null,
                                         detail: "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
            }
            return errors
        }
        RuleValidation.validate(object, old: oldObject, node: root, path: .root, into: &errors)
        return errors
    }

    /// Removes fields the schema does not declare.
    ///
    /// `apiVersion`, `kind` and `metadata` are kept (unknown `metadata` members are removed);
    /// `x-kubernetes-preserve-unknown-fields` and embedded resources are honoured.
    /// - Returns: the pruned object and the removed paths (`spec.foo`, `spec.items[0].bar`),
    ///   sorted — for `fieldValidation=Strict` answer `400` with
    ///   `strict decoding error: unknown field "spec.foo"`, for `Warn` send each as a warning.
    public func prune(_ object: JSONValue) -> (pruned: JSONValue, unknownFields: [String]) {
        let (pruned, unknown) = pruneUnknown(object)
        return (SchemaDefaulting.pruneNulls(pruned, node: root), unknown)
    }

    /// Removes only the fields the schema does not declare, keeping nulls (built-in kinds,
    /// whose schemas here list fields and nothing else).
    public func pruneUnknown(_ object: JSONValue) -> (pruned: JSONValue, unknownFields: [String]) {
        var state = SchemaPruning.State()
        let pruned = SchemaPruning.prune(object, node: root, path: "", resourceRoot: true, state: &state)
        return (pruned, state.unknown.isEmpty ? [] : state.unknown.sorted())
    }

    /// Fills in `default` values where the parent object exists, in array items and in map
    /// values; a `null` in a non-nullable field with a default is replaced by the default.
    public func applyDefaults(_ object: JSONValue) -> JSONValue {
        SchemaDefaulting.apply(object, node: root)
    }

    /// The text of a `fieldValidation=Strict` failure for these repeated and unknown fields:
    /// `strict decoding error: duplicate field "data.k", unknown field "spec.foo"`.
    public static func strictDecodingMessage(unknownFields: [String], duplicateFields: [String] = []) -> String {
        "strict decoding error: " + unknownFieldWarnings(unknownFields, duplicateFields: duplicateFields).joined(separator: ", ")
    }

    /// The `Warning` header texts of a `fieldValidation=Warn` request, one per field:
    /// `duplicate field "data.k"`, `unknown field "spec.foo"`.
    public static func unknownFieldWarnings(_ unknownFields: [String], duplicateFields: [String] = []) -> [String] {
        duplicateFields.map { "duplicate field \"\($0)\"" } + unknownFields.map { "unknown field \"\($0)\"" }
    }
}

/// Embedded resources (`x-kubernetes-embedded-resource`) must name their kind and apiVersion.
enum EmbeddedResourceValidation {
    static func validate(_ value: JSONValue, node: StructuralSchema.Node, path: ValidationPath, isRoot: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        guard node.hasEmbeddedResourceBelow else { return errors }
        switch value {
        case .object(let members):
            if node.embeddedResource && !isRoot {
                for name in ["apiVersion", "kind"] where (members[name]?.stringValue ?? "").isEmpty {
                    errors.append(FieldError(type: .required, field: path.property(name).field, detail: "must not be empty"))
                }
            }
            for name in members.keys.sorted() {
                if let property = node.properties[name] {
                    errors += validate(members[name]!, node: property, path: path.property(name), isRoot: false)
                } else if let values = node.additionalProperties {
                    errors += validate(members[name]!, node: values, path: path.key(name), isRoot: false)
                }
            }
        case .array(let items):
            guard let itemSchema = node.items else { break }
            for (i, item) in items.enumerated() {
                errors += validate(item, node: itemSchema, path: path.index(i), isRoot: false)
            }
        default:
            break
        }
        return errors
    }
}
