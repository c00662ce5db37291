import KubeClient
import NIOConcurrencyHelpers

/// Compiled structural schemas of custom resources, per CRD version, rebuilt when the
/// CRD changes (keyed by its uid and resourceVersion).
public final class CustomResourceSchemas: Sendable {
    private let catalog: ResourceCatalog
    private let cache = NIOLockedValueBox<[String: StructuralSchema]>([:])

    public init(catalog: ResourceCatalog) { self.catalog = catalog }

    /// The schema of `version` (default: the storage version) of a custom type, nil when it has none.
    public func schema(for type: ResourceType, version: String? = nil) -> StructuralSchema? {
        guard type.isCustom, let crd = catalog.definition(type.groupResource) else { return nil }
        let version = version ?? type.storageVersion
        let key = "\(crd["metadata"]["uid"].stringValue ?? "")/\(crd["metadata"]["resourceVersion"].stringValue ?? "")/\(version)"
        if let cached = cache.withLockedValue({ $0[key] }) { return cached }
        let entry = (crd["spec"]["versions"].arrayValue ?? []).first { $0["name"].stringValue == version }
        guard let raw = entry?["schema"]["openAPIV3Schema"], !raw.isNull,
              let schema = try? StructuralSchema(openAPIV3Schema: raw) else { return nil }
        cache.withLockedValue { c in
            if c.count > 256 { c.removeAll() }
            c[key] = schema
        }
        return schema
    }
}

/// Validates custom resources as kube-apiserver does: prunes unknown fields (an error with
/// `fieldValidation=Strict`, a warning with `Warn`), applies schema defaults, then checks
/// the structural schema and its CEL rules, answering 422 with one cause per field.
public struct CustomResourceAdmission: AdmissionPlugin {
    let schemas: CustomResourceSchemas

    public init(schemas: CustomResourceSchemas) { self.schemas = schemas }

    public func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard request.type.isCustom, let schema = schemas.schema(for: request.type) else { return }
        let (pruned, unknown) = schema.prune(object)
        try UnknownFields.handle(unknown, duplicates: request.subresource == nil ? request.options.duplicateFields : [],
                                 kind: request.type.kind, version: request.type.storageVersion,
                                 validation: request.options.fieldValidation, warnings: &warnings)
        object = schema.applyDefaults(pruned)
        let old = request.oldObjectFollowsSchema ? request.oldObject
            : request.oldObject.map { schema.applyDefaults(schema.prune($0).pruned) }
        let errors = schema.validate(object, oldObject: old)
        guard !errors.isEmpty else { return }
        throw APIError.invalid(kind: request.type.kind, group: request.type.group, name: request.name, errors: errors)
    }
}

/// What a write's `fieldValidation` makes of fields its schema does not have and of keys
/// its body repeated: `Strict` refuses the write with kube-apiserver's strict-decoding
/// error, `Warn` adds a warning per field, `Ignore` says nothing. The unknown fields are
/// dropped by the caller in the last two cases; of repeated keys the last value stays.
enum UnknownFields {
    static func handle(_ unknown: [String], duplicates: [String] = [], kind: String, version: String,
                       validation: FieldValidation, warnings: inout [String]) throws(APIError) {
        guard !unknown.isEmpty || !duplicates.isEmpty else { return }
        switch validation {
        case .strict:
            // kube-apiserver wraps decoding errors: `Widget in version "v1" cannot be handled as a Widget: …`.
            throw APIError.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): "
                + StructuralSchema.strictDecodingMessage(unknownFields: unknown, duplicateFields: duplicates))
        case .warn:
            warnings += StructuralSchema.unknownFieldWarnings(unknown, duplicateFields: duplicates)
        case .ignore:
            break
        }
    }
}
