import KubeClient

/// What kube-apiserver's Job strategy adds on create: unless `spec.manualSelector` is true,
/// a selector on the Job's uid and the matching pod-template labels
/// (`batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`, and the legacy
/// `controller-uid` / `job-name`).
public struct JobSelectorDefaults: AdmissionPlugin {
    public init() {}

    public func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard request.type.group == "batch", request.type.kind == "Job", request.operation == .create,
              request.subresource == nil, object["spec"]["manualSelector"].boolValue != true else { return }
        let uid = object["metadata"]["uid"].stringValue ?? ""
        let name = object["metadata"]["name"].stringValue ?? request.name
        guard !uid.isEmpty else { return }
        if !object["spec"]["selector"].isNull {
            throw APIError.invalid(kind: "Job", group: "batch", name: name, causes: [
                .init(type: "FieldValueInvalid",
                      message: "Invalid value: \(object["spec"]["selector"].serialized()): `selector` will be auto-generated",
                      field: "spec.selector"),
            ])
        }
        object[path: ["spec", "selector"]] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
        for (key, value) in [("batch.kubernetes.io/controller-uid", uid), ("batch.kubernetes.io/job-name", name),
                             ("controller-uid", uid), ("job-name", name)] {
            object[path: ["spec", "template", "metadata", "labels", key]] = .string(value)
        }
    }
}
