import KubeClient

/// The Service, the Ingress and the NetworkPolicy.
enum NetworkObjects {
    static func service(_ w: ResolvedWorkload) -> Manifest? {
        guard w.hasService, !w.isBlueGreen else { return nil }
        return Manifest(["apiVersion": "v1", "kind": "Service", "metadata": Labels.metadata(w, name: w.name), "spec": [
            "type": "ClusterIP", "selector": Labels.selector(w), "ports": WorkloadObjects.servicePorts(w),
        ]], explanations: ["spec.type": "ClusterIP: reachable in the cluster only; the Ingress (if any) is the way in"])
    }

    static func ingress(_ w: ResolvedWorkload) -> Manifest? {
        let exposure = w.requirements.exposure
        guard w.exposure == .ingress, let host = exposure.host, let tls = exposure.tlsSecret,
              let port = w.requirements.ports.first(where: { $0.protocol == "TCP" }) else { return nil }
        var spec: JSONValue = [
            "tls": [["hosts": [.string(host)], "secretName": .string(tls)]],
            "rules": [[
                "host": .string(host),
                "http": ["paths": [[
                    "path": .string(exposure.path), "pathType": "Prefix",
                    "backend": ["service": ["name": .string(w.name), "port": ["name": .string(port.name)]]],
                ]]],
            ]],
        ]
        if let ingressClass = exposure.ingressClass { spec["ingressClassName"] = .string(ingressClass) }
        return Manifest(["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": Labels.metadata(w, name: w.name),
                         "spec": spec],
                        explanations: ["spec.tls": "TLS only: the certificate comes from Secret \(tls), which is not generated"])
    }

    /// Denies all traffic to and from the workload's pods except the declared ports in,
    /// DNS out, and the declared egress.
    static func networkPolicy(_ w: ResolvedWorkload) -> Manifest {
        let r = w.requirements
        var spec: JSONValue = [
            "podSelector": ["matchLabels": Labels.selector(w)],
            "policyTypes": ["Ingress", "Egress"],
        ]
        var why: [String: String] = [
            "spec.policyTypes": "default deny both ways: only the rules below are allowed",
        ]
        if w.exposure != .none && !r.ports.isEmpty {
            let ports: JSONValue = .array(r.ports.map { ["port": .string($0.name), "protocol": .string($0.protocol)] })
            spec["ingress"] = [["ports": ports]]
            why["spec.ingress"] = w.exposure == .ingress
                ? "the declared ports from any source: the ingress controller may run anywhere"
                : "the declared ports only"
        } else {
            spec["ingress"] = []
            why["spec.ingress"] = "exposure none: no traffic in"
        }
        var egress: [JSONValue] = [[
            "to": [["namespaceSelector": [:], "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]]]],
            "ports": [["port": 53, "protocol": "UDP"], ["port": 53, "protocol": "TCP"]],
        ]]
        for rule in r.egress {
            var item: JSONValue = ["ports": [["port": .number(rule.port), "protocol": .string(rule.protocol)]]]
            if let cidr = rule.cidr { item["to"] = [["ipBlock": ["cidr": .string(cidr)]]] }
            egress.append(item)
        }
        spec["egress"] = .array(egress)
        why["spec.egress[0]"] = "DNS to the cluster's resolver; anything else must be declared under egress"
        return Manifest(["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                         "metadata": Labels.metadata(w, name: w.name), "spec": spec], explanations: why)
    }
}
