import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// The defaulting and the most visible validation kube-apiserver applies to built-in
/// kinds, so objects read back look as they do from a real cluster (a Deployment gets its
/// strategy and revisionHistoryLimit, a Service its clusterIP, a Pod its restartPolicy…).
public final class BuiltinDefaults: AdmissionPlugin {
    /// Next addresses to hand out, from 10.96.0.0/12 (10.96.0.1 is the `kubernetes` Service).
    private let allocations = NIOLockedValueBox<(clusterIP: UInt32, nodePort: Int)>((0x0A60_0002, 30000))

    public init() {}

    public func admit(_ object: inout JSONValue, _ request: AdmissionRequest, warnings: inout [String]) throws(APIError) {
        guard !request.type.isCustom else { return }
        if request.subresource == nil || request.subresource == "status" { Self.fillStatusZeroValues(&object, type: request.type) }
        guard request.subresource == nil || request.subresource == "scale" else { return }
        let type = request.type
        switch (type.group, type.kind) {
        case ("", "Namespace"):
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(request.name)
            if request.operation == .create {
                if object["spec"]["finalizers"].isNull { object[path: ["spec", "finalizers"]] = ["kubernetes"] }
                object["status"] = ["phase": "Active"]
            }
        case ("", "Pod"):
            Self.defaultPodSpec(&object["spec"])
            if request.operation == .create {
                object["status"] = ["phase": "Pending", "qosClass": .string(Self.qosClass(object["spec"]))]
            }
            try Self.validatePodSpec(object["spec"], path: "spec", type: type, name: request.name)
        case ("", "Service"):
            try defaultService(&object, old: request.oldObject)
        case ("", "Secret"):
            if object["type"].isNull { object["type"] = "Opaque" }
            Self.mergeStringData(&object)
        case ("apps", "Deployment"):
            var spec = object["spec"]
            Self.setIfAbsent(&spec, "replicas", 1)
            Self.setIfAbsent(&spec, "revisionHistoryLimit", 10)
            Self.setIfAbsent(&spec, "progressDeadlineSeconds", 600)
            if spec["strategy"]["type"].isNull { spec[path: ["strategy", "type"]] = "RollingUpdate" }
            if spec["strategy"]["type"].stringValue == "RollingUpdate" {
                Self.setIfAbsent(&spec["strategy"]["rollingUpdate"], "maxSurge", "25%")
                Self.setIfAbsent(&spec["strategy"]["rollingUpdate"], "maxUnavailable", "25%")
            }
            Self.defaultPodSpec(&spec["template"]["spec"])
            object["spec"] = spec
            try Self.validateWorkload(object, type: type, name: request.name)
        case ("apps", "ReplicaSet"), ("", "ReplicationController"):
            if type.kind == "ReplicationController", case .object(let labels) = object["spec"]["template"]["metadata"]["labels"],
               !labels.isEmpty {
                // SetDefaults_ReplicationController: selector and labels from the template's labels.
                if (object["spec"]["selector"].objectValue ?? [:]).isEmpty { object[path: ["spec", "selector"]] = .object(labels) }
                if (object["metadata"]["labels"].objectValue ?? [:]).isEmpty { object[path: ["metadata", "labels"]] = .object(labels) }
            }
            Self.setIfAbsent(&object["spec"], "replicas", 1)
            Self.defaultPodSpec(&object["spec"]["template"]["spec"])
            try Self.validateWorkload(object, type: type, name: request.name)
        case ("apps", "StatefulSet"):
            var spec = object["spec"]
            Self.setIfAbsent(&spec, "replicas", 1)
            Self.setIfAbsent(&spec, "revisionHistoryLimit", 10)
            Self.setIfAbsent(&spec, "podManagementPolicy", "OrderedReady")
            if spec["updateStrategy"].isNull { spec["updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]] }
            if spec["persistentVolumeClaimRetentionPolicy"].isNull {
                spec["persistentVolumeClaimRetentionPolicy"] = ["whenDeleted": "Retain", "whenScaled": "Retain"]
            }
            Self.defaultPodSpec(&spec["template"]["spec"])
            object["spec"] = spec
            try Self.validateWorkload(object, type: type, name: request.name)
        case ("apps", "DaemonSet"):
            var spec = object["spec"]
            Self.setIfAbsent(&spec, "revisionHistoryLimit", 10)
            if spec["updateStrategy"].isNull {
                spec["updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]]
            }
            Self.defaultPodSpec(&spec["template"]["spec"])
            object["spec"] = spec
            try Self.validateWorkload(object, type: type, name: request.name)
        case ("batch", "Job"):
            var spec = object["spec"]
            Self.setIfAbsent(&spec, "parallelism", 1)
            if spec["completions"].isNull && spec["parallelism"].intValue == 1 { spec["completions"] = 1 }
            Self.setIfAbsent(&spec, "backoffLimit", 6)
            Self.setIfAbsent(&spec, "completionMode", "NonIndexed")
            Self.setIfAbsent(&spec, "suspend", false)
            Self.defaultPodSpec(&spec["template"]["spec"], restartPolicy: "Never")
            object["spec"] = spec
        case ("batch", "CronJob"):
            var spec = object["spec"]
            Self.setIfAbsent(&spec, "concurrencyPolicy", "Allow")
            Self.setIfAbsent(&spec, "suspend", false)
            Self.setIfAbsent(&spec, "successfulJobsHistoryLimit", 3)
            Self.setIfAbsent(&spec, "failedJobsHistoryLimit", 1)
            Self.defaultPodSpec(&spec["jobTemplate"]["spec"]["template"]["spec"], restartPolicy: "Never")
            object["spec"] = spec
        default:
            break
        }
        if request.operation == .update, request.subresource == nil, let old = request.oldObject {
            try ImmutableFields.check(object, old: old, type: type, name: request.name)
        }
    }

    /// The fields of a built-in kind's status that Go's JSON encoding writes even when zero: the
    /// status struct is not a pointer, so a Deployment reads `"status": {}` right after create and a
    /// Service `"status": {"loadBalancer": {}}` (fields without `omitempty` in k8s.io/api).
    static func statusZeroValues(group: String, kind: String) -> [(String, JSONValue)]? {
        switch (group, kind) {
        case ("apps", "Deployment"), ("batch", "Job"), ("batch", "CronJob"), ("", "ResourceQuota"),
             ("", "PersistentVolumeClaim"), ("", "PersistentVolume"), ("certificates.k8s.io", "CertificateSigningRequest"),
             ("apiregistration.k8s.io", "APIService"):
            return []
        case ("apps", "ReplicaSet"), ("", "ReplicationController"):
            return [("replicas", 0)]
        case ("apps", "StatefulSet"):
            return [("replicas", 0), ("availableReplicas", 0)]
        case ("apps", "DaemonSet"):
            return [("currentNumberScheduled", 0), ("numberMisscheduled", 0), ("desiredNumberScheduled", 0), ("numberReady", 0)]
        case ("", "Service"), ("networking.k8s.io", "Ingress"):
            return [("loadBalancer", .emptyObject)]
        case ("policy", "PodDisruptionBudget"):
            return [("disruptionsAllowed", 0), ("currentHealthy", 0), ("desiredHealthy", 0), ("expectedPods", 0)]
        case ("autoscaling", "HorizontalPodAutoscaler"):
            return [("desiredReplicas", 0)]
        default:
            return nil
        }
    }

    static func fillStatusZeroValues(_ object: inout JSONValue, type: ResourceType) {
        guard let fields = statusZeroValues(group: type.group, kind: type.kind) else { return }
        var status = object["status"]
        if case .object = status {} else { status = .emptyObject }
        for (key, zero) in fields where status[key].isNull { status[key] = zero }
        object["status"] = status
    }

    /// `stringData` is write-only: kube-apiserver merges it into `data` (base64), its keys
    /// winning, and never stores or returns it.
    static func mergeStringData(_ secret: inout JSONValue) {
        guard let plain = secret["stringData"].objectValue else { return }
        var data = secret["data"].objectValue ?? [:]
        for (key, value) in plain {
            if let text = value.stringValue { data[key] = .string(Data(text.utf8).base64EncodedString()) }
        }
        secret["data"] = .object(data)
        secret.removeValue(forKey: "stringData")
    }

    static func setIfAbsent(_ object: inout JSONValue, _ key: String, _ value: JSONValue) {
        if object[key].isNull { object[key] = value }
    }

    static func defaultPodSpec(_ spec: inout JSONValue, restartPolicy: String = "Always") {
        guard case .object = spec else { return }
        setIfAbsent(&spec, "restartPolicy", .string(restartPolicy))
        setIfAbsent(&spec, "dnsPolicy", "ClusterFirst")
        setIfAbsent(&spec, "terminationGracePeriodSeconds", 30)
        setIfAbsent(&spec, "schedulerName", "default-scheduler")
        setIfAbsent(&spec, "securityContext", .emptyObject)
        for field in ["containers", "initContainers"] {
            guard var containers = spec[field].arrayValue else { continue }
            for i in containers.indices {
                setIfAbsent(&containers[i], "terminationMessagePath", "/dev/termination-log")
                setIfAbsent(&containers[i], "terminationMessagePolicy", "File")
                setIfAbsent(&containers[i], "resources", .emptyObject)
                if containers[i]["imagePullPolicy"].isNull {
                    let image = containers[i]["image"].stringValue ?? ""
                    let lastSegment = image.split(separator: "/").last.map(String.init) ?? image
                    let tagged = lastSegment.contains(":") && !lastSegment.hasSuffix(":latest")
                    containers[i]["imagePullPolicy"] = .string(tagged || image.contains("@") ? "IfNotPresent" : "Always")
                }
                if var ports = containers[i]["ports"].arrayValue {
                    for p in ports.indices { setIfAbsent(&ports[p], "protocol", "TCP") }
                    containers[i]["ports"] = .array(ports)
                }
            }
            spec[field] = .array(containers)
        }
    }

    static func qosClass(_ spec: JSONValue) -> String {
        let containers = spec["containers"].arrayValue ?? []
        let resources = containers.map { $0["resources"] }
        if resources.allSatisfy({ ($0["requests"].objectValue ?? [:]).isEmpty && ($0["limits"].objectValue ?? [:]).isEmpty }) {
            return "BestEffort"
        }
        let guaranteed = resources.allSatisfy { r in
            guard let limits = r["limits"].objectValue, limits["cpu"] != nil, limits["memory"] != nil else { return false }
            let requests = r["requests"].objectValue ?? limits
            return requests["cpu"] == limits["cpu"] && requests["memory"] == limits["memory"]
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    static func validatePodSpec(_ spec: JSONValue, path: String, type: ResourceType, name: String) throws(APIError) {
        var causes: [APIError.Cause] = []
        let containers = spec["containers"].arrayValue ?? []
        if containers.isEmpty {
            causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "\(path).containers"))
        }
        for (i, container) in containers.enumerated() {
            if container["name"].stringValue?.isEmpty ?? true {
                causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "\(path).containers[\(i)].name"))
            }
            if container["image"].stringValue?.isEmpty ?? true {
                causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "\(path).containers[\(i)].image"))
            }
        }
        if !causes.isEmpty { throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: causes) }
    }

    static func validateWorkload(_ object: JSONValue, type: ResourceType, name: String) throws(APIError) {
        var causes: [APIError.Cause] = []
        let spec = object["spec"]
        if let replicas = spec["replicas"].intValue, replicas < 0 {
            causes.append(.init(type: "FieldValueInvalid",
                                message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas"))
        }
        let selector = spec["selector"]
        let labels = spec["template"]["metadata"]["labels"].objectValue ?? [:]
        if type.group == "apps" {
            if (selector["matchLabels"].objectValue ?? [:]).isEmpty && (selector["matchExpressions"].arrayValue ?? []).isEmpty {
                causes.append(.init(type: "FieldValueRequired", message: "Required value", field: "spec.selector"))
            } else {
                let required = selector["matchLabels"].objectValue ?? [:]
                if required.contains(where: { labels[$0.key] != $0.value }) {
                    let shown = labels.keys.sorted().map { "\($0):\(labels[$0]?.stringValue ?? "")" }.joined(separator: " ")
                    causes.append(.init(type: "FieldValueInvalid",
                                        message: "Invalid value: map[string]string{\(shown)}: `selector` does not match template `labels`",
                                        field: "spec.template.metadata.labels"))
                }
            }
        }
        if !causes.isEmpty { throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: causes) }
        try validatePodSpec(spec["template"]["spec"], path: "spec.template.spec", type: type, name: name)
    }

    private func defaultService(_ object: inout JSONValue, old: JSONValue?) throws(APIError) {
        var spec = object["spec"]
        if case .object = spec {} else { spec = .emptyObject }
        Self.setIfAbsent(&spec, "type", "ClusterIP")
        Self.setIfAbsent(&spec, "sessionAffinity", "None")
        let type = spec["type"].stringValue ?? "ClusterIP"
        if type != "ExternalName" {
            if let old, old["spec"]["type"].stringValue != "ExternalName" {
                // The Service REST update's patchAllocatedValues and normalizeClusterIPs: keep what
                // was allocated unless the client sent other values (validation then refuses them).
                let oldSpec = old["spec"]
                if spec["clusterIP"].isNull || spec["clusterIP"] == "" { spec["clusterIP"] = oldSpec["clusterIP"] }
                if (spec["clusterIPs"].arrayValue ?? []).isEmpty, !(oldSpec["clusterIPs"].arrayValue ?? []).isEmpty {
                    spec["clusterIPs"] = oldSpec["clusterIPs"]
                }
                if spec["clusterIP"] != oldSpec["clusterIP"], spec["clusterIPs"] == oldSpec["clusterIPs"], !spec["clusterIP"].isNull {
                    spec["clusterIPs"] = [spec["clusterIP"]]
                }
            }
            if spec["clusterIP"].isNull || spec["clusterIP"].stringValue == "" {
                let next = allocations.withLockedValue { a -> UInt32 in
                    defer { a.clusterIP += 1 }
                    return a.clusterIP
                }
                spec["clusterIP"] = .string("\(next >> 24).\((next >> 16) & 0xFF).\((next >> 8) & 0xFF).\(next & 0xFF)")
            }
            if spec["clusterIPs"].isNull { spec["clusterIPs"] = [spec["clusterIP"]] }
            Self.setIfAbsent(&spec, "ipFamilies", ["IPv4"])
            Self.setIfAbsent(&spec, "ipFamilyPolicy", "SingleStack")
            Self.setIfAbsent(&spec, "internalTrafficPolicy", "Cluster")
        }
        if type == "NodePort" || type == "LoadBalancer" { Self.setIfAbsent(&spec, "externalTrafficPolicy", "Cluster") }
        if var ports = spec["ports"].arrayValue {
            for i in ports.indices {
                Self.setIfAbsent(&ports[i], "protocol", "TCP")
                if ports[i]["targetPort"].isNull { ports[i]["targetPort"] = ports[i]["port"] }
                if (type == "NodePort" || type == "LoadBalancer") && ports[i]["nodePort"].isNull {
                    let oldPort = (old?["spec"]["ports"].arrayValue ?? []).first { $0["port"] == ports[i]["port"] }?["nodePort"]
                    if let oldPort, !oldPort.isNull {
                        ports[i]["nodePort"] = oldPort
                    } else {
                        ports[i]["nodePort"] = .int(Int64(allocations.withLockedValue { a -> Int in
                            defer { a.nodePort = a.nodePort >= 32767 ? 30000 : a.nodePort + 1 }
                            return a.nodePort
                        }))
                    }
                }
            }
            spec["ports"] = .array(ports)
        }
        object["spec"] = spec
    }
}
