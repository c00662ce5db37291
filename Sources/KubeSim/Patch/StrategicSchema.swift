import KubeClient

/// What the API server knows about the lists and maps of one kind: how strategic merge
/// patch merges them (`patchStrategy`/`patchMergeKey` struct tags) and how server-side apply
/// identifies their elements (`listType`/`listMapKey` markers).
///
/// Fields the schema does not describe behave as in JSON merge patch: objects merge member
/// by member and lists are replaced whole (atomic), which is also what kube-apiserver does
/// for fields without tags. ``StrategicSchema/none`` describes nothing and so gives plain
/// merge-patch semantics for every list.
public struct StrategicSchema: Sendable {
    public let root: Node

    public init(root: Node) { self.root = root }

    /// A schema that describes no field: every list is atomic.
    public static let none = StrategicSchema(root: .unknown)

    /// How the elements of one list field are identified and merged.
    public struct ListRule: Sendable, Hashable {
        /// Server-side apply identity of the elements (`x-kubernetes-list-type`).
        public enum ListType: Sendable, Hashable {
            /// The list is one value, replaced whole.
            case atomic
            /// Scalar elements, each owned on its own (`v:` paths).
            case set
            /// Object elements identified by these key fields (`k:` paths).
            case map(keys: [String])
        }

        public var type: ListType
        /// Strategic merge patch merges the list (`patchStrategy: merge`) rather than replacing it.
        public var patchMerge: Bool
        /// The field naming an element for strategic merge patch (`patchMergeKey`); nil for scalar lists.
        public var patchMergeKey: String?
        /// Values for key fields an element may omit (kube-apiserver defaults them, e.g. `protocol: TCP`).
        public var keyDefaults: [String: JSONValue]

        public init(type: ListType, patchMerge: Bool, patchMergeKey: String?, keyDefaults: [String: JSONValue] = [:]) {
            self.type = type
            self.patchMerge = patchMerge
            self.patchMergeKey = patchMergeKey
            self.keyDefaults = keyDefaults
        }

        /// A list replaced whole by every kind of patch and owned as one value.
        public static let atomic = ListRule(type: .atomic, patchMerge: false, patchMergeKey: nil)
        /// A list of scalars merged as a set (`patchStrategy: merge`, `listType: set`), like `finalizers`.
        public static let set = ListRule(type: .set, patchMerge: true, patchMergeKey: nil)

        /// A list of objects merged by key (`patchStrategy: merge`, `listType: map`).
        /// - Parameters:
        ///   - keys: the `listMapKey` fields server-side apply uses.
        ///   - mergeKey: the `patchMergeKey`; the first key when nil.
        public static func keyed(_ keys: [String], mergeKey: String? = nil, defaults: [String: JSONValue] = [:]) -> ListRule {
            ListRule(type: .map(keys: keys), patchMerge: true, patchMergeKey: mergeKey ?? keys.first, keyDefaults: defaults)
        }
    }

    /// One node of the schema tree. Immutable, so safe to share between tasks.
    public final class Node: Sendable {
        /// Named fields of an object.
        public let fields: [String: Node]
        /// Schema of every value of a map whose keys are free (labels, annotations, data…).
        public let mapValues: Node?
        /// Schema of the elements when this node is a list.
        public let items: Node?
        /// How the list at this node merges; nil for atomic lists and non-lists.
        public let list: ListRule?
        /// `patchStrategy: replace` on an object: strategic merge patch replaces it whole.
        public let replacesWhole: Bool
        /// `structType: atomic` / `x-kubernetes-map-type: atomic`: server-side apply owns and
        /// replaces the object as one value (label selectors, owner references…).
        public let isAtomic: Bool

        public init(fields: [String: Node] = [:], mapValues: Node? = nil, items: Node? = nil, list: ListRule? = nil,
                    replacesWhole: Bool = false, isAtomic: Bool = false) {
            self.fields = fields
            self.mapValues = mapValues
            self.items = items
            self.list = list
            self.replacesWhole = replacesWhole
            self.isAtomic = isAtomic
        }

        /// A node about which nothing is known.
        public static let unknown = Node()

        /// The schema of member `name` of the object at this node.
        public func child(_ name: String) -> Node { fields[name] ?? mapValues ?? .unknown }

        /// The schema of the elements of the list at this node.
        public var element: Node { items ?? .unknown }

        /// The list rule in effect at this node (atomic when undescribed).
        public var listRule: ListRule { list ?? .atomic }

        static func object(_ fields: [String: Node]) -> Node { Node(fields: fields) }
        static func map(_ values: Node) -> Node { Node(mapValues: values) }
        static func list(_ rule: ListRule, of items: Node = .unknown) -> Node { Node(items: items, list: rule) }
    }
}
