import KubeClient

/// One entry of `metadata.managedFields`: the fields one manager owns through one kind of
/// operation.
public struct ManagedFieldsEntry: Sendable, Hashable {
    public enum Operation: String, Sendable, Hashable, Comparable {
        case apply = "Apply"
        case update = "Update"
        public static func < (lhs: Operation, rhs: Operation) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var manager: String
    public var operation: Operation
    public var apiVersion: String
    public var time: String?
    public var subresource: String?
    public var fields: FieldSet

    public init(manager: String, operation: Operation, apiVersion: String, time: String? = nil, subresource: String? = nil, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// Entries are one per identity: appliers by manager (and subresource); updaters by
    /// manager, apiVersion and subresource — as kube-apiserver's `BuildManagerIdentifier`.
    struct Identity: Hashable, Comparable {
        var manager: String
        var operation: Operation
        var apiVersion: String
        var subresource: String

        static func < (lhs: Identity, rhs: Identity) -> Bool {
            (lhs.manager, lhs.operation.rawValue, lhs.apiVersion, lhs.subresource)
                < (rhs.manager, rhs.operation.rawValue, rhs.apiVersion, rhs.subresource)
        }
    }

    var identity: Identity {
        Identity(manager: manager, operation: operation, apiVersion: operation == .apply ? "" : apiVersion, subresource: subresource ?? "")
    }

    /// How conflict messages name this manager: `"kubectl"`, or `"mgr" using apps/v1` for updaters.
    public var displayName: String {
        var text = "\"\(manager)\""
        if let subresource, !subresource.isEmpty { text += " with subresource \"\(subresource)\"" }
        if operation == .update { text += " using \(apiVersion)" }
        return text
    }

    public var json: JSONValue {
        var out: [String: JSONValue] = [
            "manager": .string(manager),
            "operation": .string(operation.rawValue),
            "apiVersion": .string(apiVersion),
            "fieldsType": "FieldsV1",
            "fieldsV1": fields.fieldsV1,
        ]
        if let time { out["time"] = .string(time) }
        if let subresource, !subresource.isEmpty { out["subresource"] = .string(subresource) }
        return .object(out)
    }

    /// Reads one entry; nil when it is malformed (kube-apiserver then discards the field
    /// ownership of the object rather than failing the write).
    public init?(json: JSONValue) {
        guard let manager = json["manager"].stringValue ?? Optional(""),
              let operation = json["operation"].stringValue.flatMap(Operation.init(rawValue:)),
              let apiVersion = json["apiVersion"].stringValue, !apiVersion.isEmpty,
              json["fieldsType"].stringValue == "FieldsV1" else { return nil }
        let fields: FieldSet
        if json["fieldsV1"].isNull {
            fields = FieldSet()
        } else {
            guard let parsed = FieldSet(fieldsV1: json["fieldsV1"]) else { return nil }
            fields = parsed
        }
        self.init(manager: manager, operation: operation, apiVersion: apiVersion,
                  time: json["time"].stringValue, subresource: json["subresource"].stringValue, fields: fields)
    }
}

/// The managed-fields entries of one object, keyed by manager identity.
struct ManagedFieldsTable {
    var entries: [ManagedFieldsEntry.Identity: ManagedFieldsEntry] = [:]

    /// Reads `metadata.managedFields`; nil when any entry is malformed.
    init?(object: JSONValue?) {
        guard let object else { return }
        let raw = object[path: ["metadata", "managedFields"]]
        if raw.isNull { return }
        guard case .array(let items) = raw else { return nil }
        for item in items {
            guard let entry = ManagedFieldsEntry(json: item) else { return nil }
            if let existing = entries[entry.identity] {
                var merged = existing
                merged.fields = existing.fields.union(entry.fields)
                entries[entry.identity] = merged
            } else {
                entries[entry.identity] = entry
            }
        }
    }

    init() {}

    var isEmpty: Bool { entries.isEmpty }

    mutating func dropEmpty() {
        entries = entries.filter { !$0.value.fields.isEmpty }
    }

    /// The entries in kube-apiserver's order: operation, time, manager, apiVersion, subresource.
    var sortedEntries: [ManagedFieldsEntry] {
        entries.values.sorted { p, q in
            if p.operation != q.operation { return p.operation < q.operation }
            let pt = RFC3339Time.seconds(p.time) ?? 0, qt = RFC3339Time.seconds(q.time) ?? 0
            if pt != qt { return pt < qt }
            if p.manager != q.manager { return p.manager < q.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return (p.subresource ?? "") < (q.subresource ?? "")
        }
    }

    /// `object` with these entries written to `metadata.managedFields` (removed when empty).
    func written(into object: JSONValue) -> JSONValue {
        Self.object(object, managedFields: entries.isEmpty ? nil : .array(sortedEntries.map(\.json)))
    }

    /// `object` with `managedFields` as its `metadata.managedFields`, removed when nil.
    static func object(_ object: JSONValue, managedFields: JSONValue?) -> JSONValue {
        var result = object
        var metadata = result["metadata"].objectValue ?? [:]
        if let managedFields {
            metadata["managedFields"] = managedFields
        } else {
            metadata.removeValue(forKey: "managedFields")
        }
        result.setValue(.object(metadata), forKey: "metadata")
        return result
    }
}
