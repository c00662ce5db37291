import KubeClient

/// Everything the server knows about one resource type: its names for discovery and
/// kubectl, its scope, verbs and subresources, and how its objects are stored and updated.
public struct ResourceType: Sendable, Hashable {
    public var group: String
    /// Served versions, preferred first.
    public var versions: [String]
    /// The version objects are stored (and by default served) in.
    public var storageVersion: String
    /// Plural name, as in URLs: `deployments`.
    public var resource: String
    public var singular: String
    public var kind: String
    public var listKind: String
    public var namespaced: Bool
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]
    /// `status`, `scale` and other subresources (`log`, `token`, `finalize`…).
    public var subresources: [Subresource]
    /// Dotted paths usable in field selectors besides `metadata.name` and `metadata.namespace`.
    public var selectableFields: [String]
    /// For a selectable field whose value is not (only) at its own path: the dotted paths it
    /// is read from, the first non-empty one winning.
    public var fieldSources: [String: [String]]
    /// Another resource whose table holds this one's objects, converted on the way in and out
    /// (events.k8s.io Events are core Events, as kube-apiserver stores them: one etcd prefix,
    /// one resourceVersion sequence, one watch stream). nil: the resource's own table.
    public var storedAs: GroupResource?
    /// Whether `metadata.generation` tracks spec changes.
    public var tracksGeneration: Bool
    /// Whether an immediate DELETE answers with the deleted object instead of a `Status`.
    public var returnsDeletedObject: Bool
    /// Whether a PUT without `metadata.resourceVersion` is accepted (built-ins: yes; custom resources: no).
    public var allowsUnconditionalUpdate: Bool
    /// Defined by a CustomResourceDefinition (then strategic merge patch is refused).
    public var isCustom: Bool
    /// Accepted only as a request (reviews), never stored.
    public var isVirtual: Bool

    public struct Subresource: Sendable, Hashable {
        public var name: String
        public var kind: String
        public var group: String?
        public var version: String?
        public var verbs: [String]
        /// For `scale`: where the replica counts and selector live in the parent object.
        public var scale: ScalePaths?

        public init(name: String, kind: String, group: String? = nil, version: String? = nil, verbs: [String],
                    scale: ScalePaths? = nil) {
            self.name = name
            self.kind = kind
            self.group = group
            self.version = version
            self.verbs = verbs
            self.scale = scale
        }
    }

    /// JSON paths (dotted, with a leading dot as in CRDs) of the scale subresource's fields.
    public struct ScalePaths: Sendable, Hashable {
        public var specReplicasPath: String
        public var statusReplicasPath: String
        public var labelSelectorPath: String?

        public init(specReplicasPath: String = ".spec.replicas", statusReplicasPath: String = ".status.replicas",
                    labelSelectorPath: String? = nil) {
            self.specReplicasPath = specReplicasPath
            self.statusReplicasPath = statusReplicasPath
            self.labelSelectorPath = labelSelectorPath
        }
    }

    public init(group: String, versions: [String], resource: String, singular: String, kind: String,
                namespaced: Bool, verbs: [String] = ResourceType.allVerbs, shortNames: [String] = [],
                categories: [String] = [], subresources: [Subresource] = [], selectableFields: [String] = [],
                fieldSources: [String: [String]] = [:], storedAs: GroupResource? = nil,
                tracksGeneration: Bool = false, returnsDeletedObject: Bool = false,
                allowsUnconditionalUpdate: Bool = true, isCustom: Bool = false, isVirtual: Bool = false,
                storageVersion: String? = nil) {
        self.group = group
        self.versions = versions
        self.storageVersion = storageVersion ?? versions[0]
        self.resource = resource
        self.singular = singular
        self.kind = kind
        self.listKind = kind + "List"
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.selectableFields = selectableFields
        self.fieldSources = fieldSources
        self.storedAs = storedAs
        self.tracksGeneration = tracksGeneration
        self.returnsDeletedObject = returnsDeletedObject
        self.allowsUnconditionalUpdate = allowsUnconditionalUpdate
        self.isCustom = isCustom
        self.isVirtual = isVirtual
    }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }

    public func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    public var storageAPIVersion: String { apiVersion(storageVersion) }

    public var hasStatus: Bool { subresource("status") != nil }

    public var scalePaths: ScalePaths? { subresource("scale")?.scale }

    public func subresource(_ name: String) -> Subresource? { subresources.first { $0.name == name } }

    /// What the store indexes for objects of this type.
    public var indexing: ObjectIndexing {
        ObjectIndexing(fields: selectableFields.map { name in
            ObjectIndexing.Field(name: name, paths: (fieldSources[name] ?? [name]).map { $0.split(separator: ".").map(String.init) })
        })
    }

    /// `Deployment.apps`, as Invalid errors name a kind.
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

extension ResourceType.Subresource {
    public static let status = ResourceType.Subresource(name: "status", kind: "", verbs: ["get", "patch", "update"])

    public static func scale(_ paths: ResourceType.ScalePaths = .init()) -> ResourceType.Subresource {
        ResourceType.Subresource(name: "scale", kind: "Scale", group: "autoscaling", version: "v1",
                                 verbs: ["get", "patch", "update"], scale: paths)
    }
}
