import KubeClient

/// The `scale` subresource: an `autoscaling/v1` Scale view of a resource's replica count.
public enum Scale {
    static func path(_ dotted: String) -> [String] {
        dotted.split(separator: ".").map(String.init)
    }

    /// The Scale of `object`.
    public static func of(_ object: JSONValue, type: ResourceType) throws(APIError) -> JSONValue {
        guard let paths = type.scalePaths else { throw APIError.pathNotFound() }
        let metadata = object["metadata"]
        var scale: JSONValue = [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": metadata["name"], "namespace": metadata["namespace"], "uid": metadata["uid"],
                         "resourceVersion": metadata["resourceVersion"],
                         "creationTimestamp": metadata["creationTimestamp"]],
            "spec": ["replicas": .int(Int64(object[path: path(paths.specReplicasPath)].intValue ?? 0))],
            "status": ["replicas": .int(Int64(object[path: path(paths.statusReplicasPath)].intValue ?? 0))],
        ]
        if type.isCustom {
            if let selectorPath = paths.labelSelectorPath, let selector = object[path: path(selectorPath)].stringValue {
                scale[path: ["status", "selector"]] = .string(selector)
            }
        } else {
            let selector = formatSelector(object["spec"]["selector"])
            if !selector.isEmpty { scale[path: ["status", "selector"]] = .string(selector) }
        }
        return scale
    }

    /// `metav1.FormatLabelSelector`: `app=web,tier in (a,b)`.
    static func formatSelector(_ selector: JSONValue) -> String {
        var terms: [(String, String)] = []
        for (key, value) in selector["matchLabels"].objectValue ?? [:] {
            terms.append((key, "\(key)=\(value.stringValue ?? "")"))
        }
        for expression in selector["matchExpressions"].arrayValue ?? [] {
            let key = expression["key"].stringValue ?? ""
            let values = (expression["values"].arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression["operator"].stringValue {
            case "In": terms.append((key, "\(key) in (\(values))"))
            case "NotIn": terms.append((key, "\(key) notin (\(values))"))
            case "Exists": terms.append((key, key))
            case "DoesNotExist": terms.append((key, "!\(key)"))
            default: continue
            }
        }
        return terms.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",")
    }

    /// PUT of a Scale: sets the parent's replicas (a resourceVersion in the Scale is a precondition).
    public static func update(_ scale: JSONValue, type: ResourceType, namespace: String, name: String,
                              registry: Registry, options: WriteOptions) throws(APIError) -> JSONValue {
        guard let paths = type.scalePaths else { throw APIError.pathNotFound() }
        guard let replicas = scale["spec"]["replicas"].intValue else {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                .init(type: "FieldValueRequired", message: "Required value", field: "spec.replicas"),
            ])
        }
        if replicas < 0 {
            throw APIError.invalid(kind: "Scale", group: "autoscaling", name: name, causes: [
                .init(type: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0",
                      field: "spec.replicas"),
            ])
        }
        let precondition = scale["metadata"]["resourceVersion"].stringValue.flatMap { UInt64($0) }
        let result = try registry.guaranteedUpdate(type, namespace: namespace, name: name, subresource: "scale",
                                                   options: options, precondition: precondition) { current throws(APIError) in
            var updated = current ?? .emptyObject
            updated[path: path(paths.specReplicasPath)] = .int(Int64(replicas))
            return updated
        }
        return try of(result.object.object, type: type)
    }

    /// PATCH of a Scale: the patch applies to the current Scale, whose new replicas are then stored.
    public static func patch(_ body: [UInt8], patchType: PatchType, type: ResourceType, namespace: String,
                             name: String, registry: Registry, options: WriteOptions) throws(APIError) -> JSONValue {
        let patch = try Registry.decodePatch(body, type: patchType)
        let current = try of(try registry.get(type, namespace: namespace, name: name).object, type: type)
        var patched: JSONValue
        do {
            switch patchType {
            case .json: patched = try JSONPatch.apply(patch, to: current)
            case .merge, .apply: patched = MergePatch.apply(patch, to: current)
            case .strategic: patched = try StrategicMergePatch.apply(patch, to: current, schema: .none)
            }
        } catch {
            throw APIError.badRequest("\(error)")
        }
        if patched["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"] {
            patched[path: ["metadata", "resourceVersion"]] = .null
        }
        return try update(patched, type: type, namespace: namespace, name: name, registry: registry, options: options)
    }
}
