import KubeClient

/// The endpoints of one Service: each selected pod with an IP, its readiness, and the
/// ports the Service's target ports resolve to on it.
struct EndpointSet {
    struct Port: Hashable, Comparable {
        var name: String
        var port: Int
        var proto: String

        static func < (a: Port, b: Port) -> Bool { (a.name, a.port, a.proto) < (b.name, b.port, b.proto) }

        var json: JSONValue {
            var value: JSONValue = ["port": .int(Int64(port)), "protocol": .string(proto)]
            if !name.isEmpty { value["name"] = .string(name) }
            return value
        }
    }

    struct Endpoint {
        var ip: String
        var ready: Bool
        var nodeName: String
        var hostname: String?
        var pod: (namespace: String, name: String, uid: String)
        var ports: [Port]

        var targetRef: JSONValue {
            ["kind": "Pod", "namespace": .string(pod.namespace), "name": .string(pod.name), "uid": .string(pod.uid)]
        }
    }

    var endpoints: [Endpoint] = []

    init(service: JSONValue, pods: [JSONValue]) {
        let spec = service["spec"]
        let publishNotReady = spec["publishNotReadyAddresses"].boolValue == true
        let servicePorts = spec["ports"].arrayValue ?? []
        for pod in pods {
            guard let ip = pod["status"]["podIP"].stringValue, !ip.isEmpty, PodState.isActive(pod) else { continue }
            var ports: [Port] = []
            for servicePort in servicePorts {
                guard let port = Self.resolve(servicePort, on: pod) else { continue }
                ports.append(Port(name: servicePort["name"].stringValue ?? "", port: port,
                                  proto: servicePort["protocol"].stringValue ?? "TCP"))
            }
            if !servicePorts.isEmpty && ports.isEmpty { continue }
            var hostname: String?
            if let name = pod["spec"]["hostname"].stringValue, pod["spec"]["subdomain"].stringValue == service.sim.name {
                hostname = name
            }
            endpoints.append(Endpoint(ip: ip, ready: publishNotReady || PodState.isReady(pod),
                                      nodeName: pod["spec"]["nodeName"].stringValue ?? "", hostname: hostname,
                                      pod: (pod.sim.namespace, pod.sim.name, pod.sim.uid), ports: ports.sorted()))
        }
        endpoints.sort { $0.ip == $1.ip ? $0.pod.name < $1.pod.name : $0.ip < $1.ip }
    }

    /// A Service port's target on a pod: a number, or a named container port (nil when the
    /// pod has no port of that name).
    static func resolve(_ servicePort: JSONValue, on pod: JSONValue) -> Int? {
        let target = servicePort["targetPort"]
        if let number = target.intValue { return number }
        if let name = target.stringValue, !name.isEmpty {
            if let number = Int(name) { return number }
            for container in pod["spec"]["containers"].arrayValue ?? [] {
                for port in container["ports"].arrayValue ?? [] where port["name"].stringValue == name {
                    return port["containerPort"].intValue
                }
            }
            return nil
        }
        return servicePort["port"].intValue
    }

    /// `subsets` of a core/v1 Endpoints object: endpoints grouped by port set.
    var subsets: JSONValue {
        var groups: [[Port]: [Endpoint]] = [:]
        for endpoint in endpoints { groups[endpoint.ports, default: []].append(endpoint) }
        let subsets: [JSONValue] = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ports in
            let members = groups[ports]!
            func address(_ e: Endpoint) -> JSONValue {
                var value: JSONValue = ["ip": .string(e.ip), "targetRef": e.targetRef]
                if !e.nodeName.isEmpty { value["nodeName"] = .string(e.nodeName) }
                if let hostname = e.hostname { value["hostname"] = .string(hostname) }
                return value
            }
            var subset: JSONValue = .emptyObject
            let ready = members.filter(\.ready).map(address)
            let notReady = members.filter { !$0.ready }.map(address)
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            if !ports.isEmpty { subset["ports"] = .array(ports.map(\.json)) }
            return subset
        }
        return subsets.isEmpty ? .null : .array(subsets)
    }

    /// Endpoints grouped by port set, for EndpointSlices.
    var byPorts: [(ports: [Port], endpoints: [Endpoint])] {
        var groups: [[Port]: [Endpoint]] = [:]
        for endpoint in endpoints { groups[endpoint.ports, default: []].append(endpoint) }
        return groups.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0, groups[$0]!) }
    }
}
