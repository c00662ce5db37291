import KubeClient

extension StrategicSchema {
    /// The list semantics a CRD schema declares, for server-side apply of custom resources:
    /// `x-kubernetes-list-type` (`atomic` by default), `x-kubernetes-list-map-keys` (with key
    /// defaults) and `x-kubernetes-map-type: atomic`.
    public init(structural schema: StructuralSchema) {
        self.init(root: Self.node(from: schema.root))
    }

    static func node(from schema: StructuralSchema.Node) -> Node {
        var fields: [String: Node] = [:]
        for (name, property) in schema.properties { fields[name] = node(from: property) }
        let values = schema.additionalProperties.flatMap { $0 === StructuralSchema.Node.anything ? nil : node(from: $0) }
        var list: ListRule?
        switch schema.listType {
        case "set":
            list = .set
        case "map":
            var defaults: [String: JSONValue] = [:]
            for key in schema.listMapKeys {
                if let value = schema.items?.properties[key]?.defaultValue { defaults[key] = value }
            }
            list = .keyed(schema.listMapKeys, defaults: defaults)
        default:
            list = nil
        }
        return Node(fields: fields, mapValues: values, items: schema.items.map(node(from:)), list: list,
                    isAtomic: schema.mapType == "atomic")
    }
}
