import KubeClient

/// A CRD version's `openAPIV3Schema`, checked to be structural when it is registered and
/// then used for every custom resource of that version: pruning unknown fields, defaulting,
/// and validation with the messages kube-apiserver prints.
///
/// The request path kube-apiserver follows, and the order to call these in:
/// 1. ``prune(_:)`` — drop unknown fields (report them for `fieldValidation=Strict|Warn`);
/// 2. ``applyDefaults(_:)``;
/// 3. ``validate(_:oldObject:)`` — a non-empty result is a `422 Invalid`
///    (``APIError/invalid(kind:group:name:errors:)``).
public struct StructuralSchema: Sendable {
    public let root: Node

    /// Reads and checks a schema.
    ///
    /// - Parameters:
    ///   - openAPIV3Schema: the `schema.openAPIV3Schema` object of a CRD version.
    ///   - path: where the schema sits in the CRD, used in error fields
    ///     (e.g. `spec.versions[0].schema.openAPIV3Schema`).
    /// - Throws: ``SchemaError`` listing every reason the schema is not structural, uses
    ///   unsupported constructs, or has a CEL rule outside the supported subset.
    public init(openAPIV3Schema: JSONValue, path: String = "openAPIV3Schema") throws(SchemaError) {
        var reader = SchemaReader()
        let root = reader.read(openAPIV3Schema, path: path, level: .root, correlatable: true)
        if !reader.errors.isEmpty { throw SchemaError(errors: reader.errors) }
        self.root = root
        let defaultErrors = SchemaReader.checkDefaults(root, path: path)
        if !defaultErrors.isEmpty { throw SchemaError(errors: defaultErrors) }
    }
}

/// Why a CRD schema cannot be used. Each error names the schema field to fix.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [FieldError]

    public init(errors: [FieldError]) { self.errors = errors }

    /// All problems, one per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
