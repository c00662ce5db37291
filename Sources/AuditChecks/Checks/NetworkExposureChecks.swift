import KubeClient

/// Network exposure: namespaces open to all traffic, Services reachable from outside the
/// cluster, Ingresses serving plain HTTP.
enum NetworkExposureChecks {
    static let all: [AuditCheck] = [
        AuditCheck(
            id: "OPS-NET-001", category: .networkExposure, severity: .medium, title: "Namespace without a NetworkPolicy",
            description: "Without a NetworkPolicy every pod in the namespace accepts traffic from every pod in the cluster.",
            remediation: "Add a default-deny NetworkPolicy to the namespace and allow the flows the applications need.",
            kubescape: ["C-0206", "C-0260"],
            rule: .namespace { namespace, context in
                context.namespacesWithNetworkPolicy.contains(namespace.name)
                    ? [] : [Violation("namespace \(namespace.name) has no NetworkPolicy")]
            }),
        AuditCheck(
            id: "OPS-NET-002", category: .networkExposure, severity: .medium, title: "LoadBalancer Service open to all sources",
            description: "A LoadBalancer Service without loadBalancerSourceRanges is reachable from any address the load balancer faces, usually the internet.",
            remediation: "Set spec.loadBalancerSourceRanges, use an internal load balancer, or put the Service behind an Ingress with TLS and authentication.",
            kubescape: ["C-0256"],
            rule: .service { service in
                guard service.spec.type == "LoadBalancer", (service.spec.loadBalancerSourceRanges ?? []).isEmpty else {
                    return []
                }
                return [Violation("is of type LoadBalancer with no loadBalancerSourceRanges")]
            }),
        AuditCheck(
            id: "OPS-NET-003", category: .networkExposure, severity: .low, title: "NodePort Service",
            description: "A NodePort Service opens a port on every node, outside Ingress and often outside firewall review.",
            remediation: "Use a ClusterIP Service behind an Ingress, or a LoadBalancer with source ranges.",
            kubescape: ["C-0256"],
            rule: .service { service in
                guard service.spec.type == "NodePort" else { return [] }
                let ports = (service.spec.ports ?? []).compactMap(\.nodePort).map(String.init)
                return [Violation("is of type NodePort" + (ports.isEmpty ? "" : " on node ports \(ports.joined(separator: ", "))"))]
            }),
        AuditCheck(
            id: "OPS-NET-004", category: .networkExposure, severity: .medium, title: "Ingress without TLS",
            description: "Hosts served without TLS send credentials and session cookies in clear text.",
            remediation: "Add a spec.tls entry (with cert-manager or a Secret) covering every host.",
            kubescape: ["C-0263"],
            rule: .ingress { ingress in
                let tls = ingress.spec.tls ?? []
                if tls.isEmpty { return [Violation("has no spec.tls")] }
                let covered = Set(tls.flatMap { $0.hosts ?? [] })
                let uncovered = (ingress.spec.rules ?? []).compactMap(\.host).filter { !covered.contains($0) }
                return uncovered.isEmpty ? [] : [Violation("serves hosts without TLS: \(uncovered.joined(separator: ", "))")]
            }),
        AuditCheck(
            id: "OPS-NET-005", category: .networkExposure, severity: .medium, title: "Service with external IPs",
            description: "spec.externalIPs routes traffic for arbitrary addresses to the Service (CVE-2020-8554 lets it intercept traffic).",
            remediation: "Remove spec.externalIPs; use a LoadBalancer, and enable the DenyServiceExternalIPs admission plugin.",
            trivy: ["KSV-0108"],
            rule: .service { service in
                let ips = service.spec.externalIPs ?? []
                return ips.isEmpty ? [] : [Violation("sets externalIPs \(ips.joined(separator: ", "))")]
            }),
    ]
}
