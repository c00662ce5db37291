import KubeClient

/// Serves empty OpenAPI documents (as a server with no published schemas would), until
/// the OpenAPI module provides real ones.
struct NoOpenAPIDocuments: OpenAPIServing {
    func v3Index(catalog: ResourceCatalog) -> JSONValue { ["paths": .emptyObject] }
    func v3Document(group: String, version: String, catalog: ResourceCatalog) -> JSONValue? { nil }
    func v2Document(catalog: ResourceCatalog) -> JSONValue {
        ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .emptyObject,
         "definitions": .emptyObject]
    }
}
