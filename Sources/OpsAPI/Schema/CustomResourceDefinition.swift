import KubeClient

/// A printer column: what `kubectl get` shows for a custom resource.
public struct PrinterColumn: Sendable, Hashable {
    public var name: String
    public var type: String
    public var jsonPath: String
    public var description: String
    public var priority: Int
    public var format: String?

    public init(_ name: String, type: String, jsonPath: String, description: String, priority: Int = 0, format: String? = nil) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
        self.format = format
    }

    var json: JSONValue {
        var o: JSONValue = ["name": .string(name), "type": .string(type), "jsonPath": .string(jsonPath),
                            "description": .string(description)]
        if priority != 0 { o["priority"] = .int(Int64(priority)) }
        if let format { o["format"] = .string(format) }
        return o
    }
}

/// The scale subresource's paths, so `kubectl scale` and an HPA can drive a custom resource.
public struct ScaleSubresource: Sendable, Hashable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?
}

/// Everything needed to generate an `apiextensions.k8s.io/v1` CustomResourceDefinition.
public struct CustomResourceDefinition: Sendable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    public var plural: String
    public var singular: String
    public var shortNames: [String]
    public var categories: [String]
    public var namespaced: Bool
    public var schema: Schema
    public var printerColumns: [PrinterColumn]
    public var scale: ScaleSubresource?

    public var name: String { "\(plural).\(group)" }
    public var apiVersion: String { "\(group)/\(version)" }
    public var resource: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: plural) }

    /// The CRD object, ready to apply.
    public var json: JSONValue {
        var subresources: JSONValue = ["status": .emptyObject]
        if let scale {
            var s: JSONValue = ["specReplicasPath": .string(scale.specReplicasPath),
                                "statusReplicasPath": .string(scale.statusReplicasPath)]
            if let selector = scale.labelSelectorPath { s["labelSelectorPath"] = .string(selector) }
            subresources["scale"] = s
        }
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": [
                "name": .string(name),
                "labels": ["app.kubernetes.io/name": "opsagent", "app.kubernetes.io/part-of": "opsagent"],
            ],
            "spec": [
                "group": .string(group),
                "names": [
                    "kind": .string(kind),
                    "listKind": .string(kind + "List"),
                    "plural": .string(plural),
                    "singular": .string(singular),
                    "shortNames": .array(shortNames.map { .string($0) }),
                    "categories": .array(categories.map { .string($0) }),
                ],
                "scope": namespaced ? "Namespaced" : "Cluster",
                "versions": [[
                    "name": .string(version),
                    "served": true,
                    "storage": true,
                    "schema": ["openAPIV3Schema": schema.json],
                    "subresources": subresources,
                    "additionalPrinterColumns": .array(printerColumns.map(\.json)),
                ]],
            ],
        ]
    }

    /// The CRD as a YAML document with a header saying where it comes from.
    public func yaml() throws -> String {
        "# Generated from Sources/OpsAPI by `make crds`; do not edit by hand.\n" + (try json.yaml())
    }
}

extension CustomResourceDefinition {
    /// A namespaced `opsagent.dev/v1alpha1` kind. Its schema is `summary` over the envelope
    /// every object has (`apiVersion`, `kind`, `metadata`) followed by `fields` (`spec` and
    /// `status`, or a report's body); its printer columns are `columns` then Age.
    static func opsagent(
        kind: String, plural: String, singular: String, shortNames: [String], categories: [String] = ["opsagent", "all"],
        summary: String, required: [String] = [], fields: [(String, Schema)], columns: [PrinterColumn],
        scale: ScaleSubresource? = nil
    ) -> CustomResourceDefinition {
        let envelope: [(String, Schema)] = [
            ("apiVersion", .string("APIVersion of this object.")),
            ("kind", .string("Kind of this object.")),
            ("metadata", Schema(type: "object")),
        ]
        return CustomResourceDefinition(
            group: OpsAPI.group, version: OpsAPI.version, kind: kind, plural: plural, singular: singular,
            shortNames: shortNames, categories: categories, namespaced: true,
            schema: .object(summary, required: required, envelope + fields),
            printerColumns: columns + [
                PrinterColumn("Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation."),
            ],
            scale: scale)
    }
}
