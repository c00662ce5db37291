import Foundation
import KubeClient

/// Printers of core/v1, coordination and networking kinds.
enum CorePrinters {
    typealias F = PrinterFormatting

    static let service = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Type", description: "type determines how the Service is exposed."),
        TableColumn(name: "Cluster-IP", description: "clusterIP is the IP address of the service."),
        TableColumn(name: "External-IP", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        TableColumn(name: "Port(s)", description: "The list of ports that are exposed by this service."),
        .age,
        TableColumn(name: "Selector", priority: 1, description: "Route service traffic to pods with label keys and values matching this selector."),
    ], cells: { object, now in
        let spec = object["spec"]
        let type = spec["type"].stringValue ?? "ClusterIP"
        var clusterIP = spec["clusterIPs"][0].stringValue ?? spec["clusterIP"].stringValue ?? ""
        if clusterIP.isEmpty { clusterIP = "<none>" }
        let ports = (spec["ports"].arrayValue ?? []).map { port -> String in
            let number = port["port"].intValue ?? 0
            let proto = port["protocol"].stringValue ?? "TCP"
            if let nodePort = port["nodePort"].intValue, nodePort > 0 { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
        return [F.name(object), .string(type), .string(clusterIP), .string(externalIP(object, type: type)),
                .string(ports.isEmpty ? "<none>" : ports), F.age(object, now: now), .string(F.labels(spec["selector"]))]
    })

    static func externalIP(_ service: JSONValue, type: String) -> String {
        let external = (service[path: ["spec", "externalIPs"]].arrayValue ?? []).compactMap(\.stringValue)
        switch type {
        case "ClusterIP", "NodePort":
            return external.isEmpty ? "<none>" : external.joined(separator: ",")
        case "LoadBalancer":
            var addresses = Set<String>()
            for ingress in service[path: ["status", "loadBalancer", "ingress"]].arrayValue ?? [] {
                if let ip = ingress["ip"].stringValue, !ip.isEmpty { addresses.insert(ip) }
                else if let host = ingress["hostname"].stringValue, !host.isEmpty { addresses.insert(host) }
            }
            let lb = addresses.sorted()
            if !external.isEmpty { return (lb + external).joined(separator: ",") }
            return lb.isEmpty ? "<pending>" : lb.joined(separator: ",")
        case "ExternalName":
            return service[path: ["spec", "externalName"]].stringValue ?? ""
        default:
            return "<unknown>"
        }
    }

    static let namespace = TableBuilder(columns: [
        .objectName, TableColumn(name: "Status", description: "The status of the namespace"), .age,
    ], cells: { object, now in
        [F.name(object), .string(object[path: ["status", "phase"]].stringValue ?? ""), F.age(object, now: now)]
    })

    static let node = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Status", description: "The status of the node"),
        TableColumn(name: "Roles", description: "The roles of the node"),
        .age,
        TableColumn(name: "Version", description: "Kubelet Version reported by the node."),
        TableColumn(name: "Internal-IP", priority: 1, description: "List of addresses reachable to the node."),
        TableColumn(name: "External-IP", priority: 1, description: "List of addresses reachable to the node."),
        TableColumn(name: "OS-Image", priority: 1, description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
        TableColumn(name: "Kernel-Version", priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
        TableColumn(name: "Container-Runtime", priority: 1, description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
    ], cells: { object, now in
        var state: [String] = []
        for condition in object[path: ["status", "conditions"]].arrayValue ?? [] where condition["type"] == "Ready" {
            state = [condition["status"] == "True" ? "Ready" : "NotReady"]
        }
        if state.isEmpty { state = ["Unknown"] }
        if object[path: ["spec", "unschedulable"]] == true { state.append("SchedulingDisabled") }
        var roles = Set<String>()
        for (key, value) in object[path: ["metadata", "labels"]].objectValue ?? [:] {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", let role = value.stringValue, !role.isEmpty {
                roles.insert(role)
            }
        }
        func address(_ type: String) -> String {
            for entry in object[path: ["status", "addresses"]].arrayValue ?? [] where entry["type"].stringValue == type {
                return entry["address"].stringValue ?? "<none>"
            }
            return "<none>"
        }
        let info = object[path: ["status", "nodeInfo"]]
        return [F.name(object), .string(state.joined(separator: ",")),
                .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")), F.age(object, now: now),
                .string(info["kubeletVersion"].stringValue ?? ""), .string(address("InternalIP")), .string(address("ExternalIP")),
                .string(F.string(info["osImage"], orElse: "<unknown>")), .string(F.string(info["kernelVersion"], orElse: "<unknown>")),
                .string(F.string(info["containerRuntimeVersion"], orElse: "<unknown>"))]
    })

    static let configMap = TableBuilder(columns: [
        .objectName, TableColumn(name: "Data", description: "Data contains the configuration data."), .age,
    ], cells: { object, now in
        let count = (object["data"].objectValue?.count ?? 0) + (object["binaryData"].objectValue?.count ?? 0)
        return [F.name(object), .int(Int64(count)), F.age(object, now: now)]
    })

    static let secret = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Type", description: "Used to facilitate programmatic handling of secret data."),
        TableColumn(name: "Data", description: "Data contains the secret data."),
        .age,
    ], cells: { object, now in
        [F.name(object), .string(object["type"].stringValue ?? "Opaque"), .int(Int64(object["data"].objectValue?.count ?? 0)), F.age(object, now: now)]
    })

    static let serviceAccount = TableBuilder(columns: [
        .objectName, TableColumn(name: "Secrets", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), .age,
    ], cells: { object, now in
        [F.name(object), .int(Int64(object["secrets"].arrayValue?.count ?? 0)), F.age(object, now: now)]
    })

    static let endpoints = TableBuilder(columns: [
        .objectName, TableColumn(name: "Endpoints", description: "The set of all endpoints is the union of all subsets."), .age,
    ], cells: { object, now in
        [F.name(object), .string(formatEndpoints(object)), F.age(object, now: now)]
    })

    static func formatEndpoints(_ endpoints: JSONValue) -> String {
        let subsets = endpoints["subsets"].arrayValue ?? []
        if subsets.isEmpty { return "<none>" }
        var list: [String] = []
        let limit = 3
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = subset["addresses"].arrayValue ?? []
            let ports = subset["ports"].arrayValue ?? []
            if ports.isEmpty {
                count += addresses.count
                for address in addresses {
                    if list.count == limit { more = true; break }
                    list.append(address["ip"].stringValue ?? "")
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for address in addresses {
                    if list.count == limit { more = true; break }
                    let ip = address["ip"].stringValue ?? ""
                    let host = ip.contains(":") ? "[\(ip)]" : ip
                    list.append("\(host):\(port["port"].intValue ?? 0)")
                }
            }
        }
        let text = list.joined(separator: ",")
        return more ? "\(text) + \(count - limit) more..." : text
    }

    /// kube-aggregator's printer: where the API is served and whether it is available.
    static let apiService = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Service", description: "The reference to the service that hosts this API endpoint."),
        TableColumn(name: "Available", description: "Whether this service is available."),
        .age,
    ], cells: { object, now in
        let service = object[path: ["spec", "service"]]
        let hostedBy = service.isNull ? "Local"
            : "\(service["namespace"].stringValue ?? "")/\(service["name"].stringValue ?? "")"
        let condition = (object[path: ["status", "conditions"]].arrayValue ?? []).first { $0["type"] == "Available" }
        var available = "Unknown"
        if let condition {
            available = condition["status"].stringValue ?? "Unknown"
            if available != "True" { available += " (\(condition["reason"].stringValue ?? ""))" }
        }
        return [F.name(object), .string(hostedBy), .string(available), F.age(object, now: now)]
    })

    static let lease = TableBuilder(columns: [
        .objectName, TableColumn(name: "Holder", description: "holderIdentity contains the identity of the holder of a current lease."), .age,
    ], cells: { object, now in
        [F.name(object), .string(object[path: ["spec", "holderIdentity"]].stringValue ?? ""), F.age(object, now: now)]
    })

    static let replicationController = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Desired", type: "integer", description: "Replicas is the number of desired replicas."),
        TableColumn(name: "Current", type: "integer", description: "Replicas is the most recently observed number of replicas."),
        TableColumn(name: "Ready", type: "integer", description: "The number of ready replicas for this replication controller."),
        .age, WorkloadPrinters.containersColumn, WorkloadPrinters.imagesColumn,
        WorkloadPrinters.selectorColumn("Selector is a label query over pods that should match the Replicas count."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), .int(Int64(spec["replicas"].intValue ?? 1)), F.int(status["replicas"]), F.int(status["readyReplicas"]),
                F.age(object, now: now), names, images, .string(F.labels(spec["selector"]))]
    })

    static let persistentVolumeClaim = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Status", description: "phase represents the current phase of PersistentVolumeClaim."),
        TableColumn(name: "Volume", description: "volumeName is the binding reference to the PersistentVolume backing this claim."),
        TableColumn(name: "Capacity", description: "capacity represents the actual resources of the underlying volume."),
        TableColumn(name: "Access Modes", description: "accessModes contains the actual access modes the volume backing the PVC has."),
        TableColumn(name: "StorageClass", description: "StorageClass of the pvc"),
        TableColumn(name: "VolumeAttributesClass", description: "VolumeAttributesClass of the pvc"),
        .age,
        TableColumn(name: "VolumeMode", priority: 1, description: "volumeMode defines what type of volume is required by the claim."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        var phase = status["phase"].stringValue ?? ""
        if !object[path: ["metadata", "deletionTimestamp"]].isNull { phase = "Terminating" }
        let bound = !(spec["volumeName"].stringValue ?? "").isEmpty
        let modes = bound ? accessModes(status["accessModes"]) : ""
        let capacity = bound ? (status[path: ["capacity", "storage"]].stringValue ?? "") : ""
        let storageClass = spec["storageClassName"].stringValue
            ?? object[path: ["metadata", "annotations", "volume.beta.kubernetes.io/storage-class"]].stringValue ?? ""
        return [F.name(object), .string(phase), .string(spec["volumeName"].stringValue ?? ""), .string(capacity), .string(modes),
                .string(storageClass), .string(F.string(spec["volumeAttributesClassName"], orElse: "<unset>")),
                F.age(object, now: now), .string(F.string(spec["volumeMode"], orElse: "<unset>"))]
    })

    static func accessModes(_ value: JSONValue) -> String {
        let short = ["ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"]
        let modes = (value.arrayValue ?? []).compactMap(\.stringValue)
        return ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
            .filter(modes.contains).map { short[$0]! }.joined(separator: ",")
    }

    static let ingress = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Class", description: "The name of the IngressClass resource that should be used for additional configuration"),
        TableColumn(name: "Hosts", description: "Hosts that incoming requests are matched against before the ingress rule"),
        TableColumn(name: "Address", description: "Address is a list containing ingress points for the load-balancer"),
        TableColumn(name: "Ports", description: "Ports of TLS configurations that open"),
        .age,
    ], cells: { object, now in
        let spec = object["spec"]
        let rules = spec["rules"].arrayValue ?? []
        var hosts: [String] = []
        for rule in rules where hosts.count < 3 {
            if let host = rule["host"].stringValue, !host.isEmpty { hosts.append(host) }
        }
        var hostText = hosts.isEmpty ? "*" : hosts.joined(separator: ",")
        if rules.count > 3 && !hosts.isEmpty { hostText += " + \(rules.count - 3) more..." }
        var addresses = Set<String>()
        for entry in object[path: ["status", "loadBalancer", "ingress"]].arrayValue ?? [] {
            if let ip = entry["ip"].stringValue, !ip.isEmpty { addresses.insert(ip) }
            else if let host = entry["hostname"].stringValue, !host.isEmpty { addresses.insert(host) }
        }
        let ports = (spec["tls"].arrayValue ?? []).isEmpty ? "80" : "80, 443"
        return [F.name(object), .string(F.string(spec["ingressClassName"], orElse: "<none>")), .string(hostText),
                .string(addresses.sorted().joined(separator: ",")), .string(ports), F.age(object, now: now)]
    })
}
