import KubeClient

/// One generated object and the reasons for its non-obvious values.
public struct Manifest: Sendable, Hashable {
    public var object: JSONValue
    /// Why a field has its value, by path: members joined with `.`, list items as `[i]`
    /// (`spec.template.spec.containers[0].securityContext`). `--explain` prints each as a
    /// comment above its field.
    public var explanations: [String: String]

    public init(_ object: JSONValue, explanations: [String: String] = [:]) {
        self.object = object
        self.explanations = explanations
    }

    public var kind: String { object["kind"].stringValue ?? "" }
    public var name: String { object["metadata"]["name"].stringValue ?? "" }

    /// The file `-o DIR` writes it to: `<kind>-<name>.yaml`, lowercase.
    public var fileName: String { "\(kind.lowercased())-\(name).yaml" }

    /// Records why the field at `path` has its value.
    mutating func explain(_ path: String, _ why: String) { explanations[path] = why }

    /// Adds the explanations of a part built separately, placed under `base`.
    mutating func explain(under base: String, _ part: [String: String]) {
        for (path, why) in part { explanations[base + "." + path] = why }
    }
}

/// The app.kubernetes.io labels every object carries, and the stable subset pods are selected by.
enum Labels {
    static let managedBy = "opsagent"

    /// Name and instance only: a Deployment's selector cannot change, so it holds no version.
    static func selector(_ workload: ResolvedWorkload) -> JSONValue {
        ["app.kubernetes.io/name": .string(workload.name), "app.kubernetes.io/instance": .string(workload.name)]
    }

    static func common(_ workload: ResolvedWorkload) -> JSONValue {
        var labels = selector(workload)
        labels["app.kubernetes.io/component"] = .string(workload.requirements.type.rawValue)
        labels["app.kubernetes.io/managed-by"] = .string(managedBy)
        if let partOf = workload.requirements.partOf { labels["app.kubernetes.io/part-of"] = .string(partOf) }
        if let version = ImageName(workload.requirements.image).version.flatMap(labelValue) {
            labels["app.kubernetes.io/version"] = .string(version)
        }
        return labels
    }

    /// `text` cut to a valid label value (63 characters, alphanumeric at both ends), or nil.
    static func labelValue(_ text: String) -> String? {
        var value = Substring(text.prefix(63))
        while let last = value.last, !(last.isLetter || last.isNumber) { value = value.dropLast() }
        while let first = value.first, !(first.isLetter || first.isNumber) { value = value.dropFirst() }
        return value.isEmpty ? nil : String(value)
    }

    /// `metadata` of a generated object.
    static func metadata(_ workload: ResolvedWorkload, name: String) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "labels": common(workload)]
        if let namespace = workload.requirements.namespace { metadata["namespace"] = .string(namespace) }
        return metadata
    }
}

extension JSONValue {
    static func strings(_ map: [String: String]) -> JSONValue { .object(map.mapValues { .string($0) }) }
    static func number(_ value: Int) -> JSONValue { .int(Int64(value)) }
}
