import KubeClient

/// Chooses the Table printer for a resource: kube-apiserver's printer for a built-in
/// kind, the CRD's additionalPrinterColumns (of the requested version) for a custom one.
enum TableRendering {
    static func builder(for type: ResourceType, definition: JSONValue?, version: String) -> TableBuilder {
        guard type.isCustom else { return TableBuilder.builtin(group: type.group, kind: type.kind) }
        let versionEntry = (definition?["spec"]["versions"].arrayValue ?? []).first { $0["name"].stringValue == version }
        return (try? TableBuilder.customResource(printerColumns: versionEntry?["additionalPrinterColumns"])) ?? .standard
    }

    static func includeObject(_ form: String) -> TableIncludeObject {
        TableIncludeObject(queryValue: form)
    }

    static func partialMetadata(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]]
    }
}
