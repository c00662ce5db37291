import KubeClient

/// A `meta.k8s.io/v1` TableColumnDefinition.
public struct TableColumn: Sendable, Hashable {
    public var name: String
    /// `string`, `integer`, `number`, `boolean` or `date`.
    public var type: String
    /// `name` for the object-name column; otherwise usually empty.
    public var format: String
    public var description: String
    /// 0 for default columns; higher ones only show with `kubectl get -o wide`.
    public var priority: Int

    public init(name: String, type: String = "string", format: String = "", priority: Int = 0, description: String = "") {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    public var json: JSONValue {
        ["name": .string(name), "type": .string(type), "format": .string(format),
         "description": .string(description), "priority": .int(Int64(priority))]
    }

    static let nameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    static let ageDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    static let objectName = TableColumn(name: "Name", format: "name", description: nameDescription)
    static let age = TableColumn(name: "Age", description: ageDescription)
}

/// What each row's `object` holds (`?includeObject=`).
public enum TableIncludeObject: String, Sendable, Hashable {
    /// No object.
    case none = "None"
    /// A `PartialObjectMetadata` carrying the object's metadata (kubectl's default).
    case metadata = "Metadata"
    /// The whole object.
    case object = "Object"

    /// Reads the query parameter; Metadata when absent or unknown.
    public init(queryValue: String?) {
        self = queryValue.flatMap(TableIncludeObject.init(rawValue:)) ?? .metadata
    }
}

/// Why printer columns could not be built from a CRD.
public struct TableError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
