import KubeClient
import NIOConcurrencyHelpers

/// The OpenAPI documents of the types currently served, rebuilt when the catalog changes.
struct CatalogOpenAPI: OpenAPIServing {
    private let cache = NIOLockedValueBox<(generation: Int, resources: [OpenAPIResource])?>(nil)

    func resources(_ catalog: ResourceCatalog) -> [OpenAPIResource] {
        let generation = catalog.generation
        if let cached = cache.withLockedValue({ $0 }), cached.generation == generation { return cached.resources }
        var resources: [OpenAPIResource] = []
        for type in catalog.allTypes where !type.isVirtual {
            let definition = type.isCustom ? catalog.definition(type.groupResource) : nil
            for version in type.versions {
                let schema = definition.flatMap { crd in
                    (crd["spec"]["versions"].arrayValue ?? []).first { $0["name"].stringValue == version }?["schema"]["openAPIV3Schema"]
                }
                resources.append(OpenAPIResource(group: type.group, version: version, kind: type.kind,
                                                 plural: type.resource, namespaced: type.namespaced,
                                                 schema: schema.flatMap { $0.isNull ? nil : $0 },
                                                 subresources: type.subresources.map(\.name).filter { $0 == "status" || $0 == "scale" },
                                                 acceptsStrategicMergePatch: !type.isCustom))
            }
        }
        cache.withLockedValue { $0 = (generation, resources) }
        return resources
    }

    func v3Index(catalog: ResourceCatalog) -> JSONValue { OpenAPIV3.index(resources(catalog)) }

    func v3Document(group: String, version: String, catalog: ResourceCatalog) -> JSONValue? {
        OpenAPIV3.document(groupVersionPath: group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)",
                           resources: resources(catalog))
    }

    func v2Document(catalog: ResourceCatalog) -> JSONValue { OpenAPIV2.document(resources(catalog)) }
}
