import KubeClient

/// Workload hygiene: resources, probes, image references and placement.
enum WorkloadHygieneChecks {
    static let all: [AuditCheck] = [
        resourceCheck(
            id: "OPS-WL-001", severity: .low, what: "CPU limit", resource: "cpu",
            trivy: ["KSV-0011"], kubescape: ["C-0270"]),
        resourceCheck(
            id: "OPS-WL-002", severity: .medium, what: "memory limit", resource: "memory",
            trivy: ["KSV-0018"], kubescape: ["C-0271"]),
        resourceCheck(
            id: "OPS-WL-003", severity: .low, what: "CPU request", resource: "cpu",
            trivy: ["KSV-0015"], kubescape: ["C-0268"]),
        resourceCheck(
            id: "OPS-WL-004", severity: .low, what: "memory request", resource: "memory",
            trivy: ["KSV-0016"], kubescape: ["C-0269"]),
        AuditCheck(
            id: "OPS-WL-005", category: .workloadHygiene, severity: .low, title: "No liveness probe",
            description: "Without a liveness probe a hung container keeps running and keeps receiving traffic.",
            remediation: "Add a livenessProbe (HTTP, TCP, gRPC or exec) to every long-running container.",
            kubescape: ["C-0056"],
            rule: eachContainer { c, w, _ in
                guard !c.isInit, !c.isEphemeral, !w.runsToCompletion else { return nil }
                return c.container.livenessProbe == nil ? "has no livenessProbe" : nil
            }),
        AuditCheck(
            id: "OPS-WL-006", category: .workloadHygiene, severity: .low, title: "No readiness probe",
            description: "Without a readiness probe a Service sends traffic to a container before it can serve it.",
            remediation: "Add a readinessProbe to every long-running container.",
            kubescape: ["C-0018"],
            rule: eachContainer { c, w, _ in
                guard !c.isInit, !c.isEphemeral, !w.runsToCompletion else { return nil }
                return c.container.readinessProbe == nil ? "has no readinessProbe" : nil
            }),
        AuditCheck(
            id: "OPS-WL-007", category: .workloadHygiene, severity: .medium, title: "Image uses the latest tag",
            description: "A :latest or untagged image changes under the workload: rollbacks and audits cannot tell what ran.",
            remediation: "Pin the image to a version tag, or better a digest.",
            trivy: ["KSV-0013"],
            applicable: { $0.imagePolicy.forbidLatest },
            rule: eachContainer { c, _, _ in
                guard let image = c.container.image else { return "has no image" }
                return ImageReference(image).usesLatest ? "image \(image) uses the latest tag" : nil
            }),
        AuditCheck(
            id: "OPS-WL-008", category: .workloadHygiene, severity: .medium, title: "Image not pinned by digest",
            description: "A tag can be re-pointed to another image; only a digest names exactly one image.",
            remediation: "Reference the image as name@sha256:<digest>.",
            kubescape: ["C-0306"],
            applicable: { $0.imagePolicy.requireDigest },
            rule: eachContainer { c, _, _ in
                guard let image = c.container.image else { return "has no image" }
                return ImageReference(image).isDigestPinned ? nil : "image \(image) is not pinned by digest"
            }),
        AuditCheck(
            id: "OPS-WL-009", category: .workloadHygiene, severity: .high, title: "Image registry not allowed",
            description: "The image comes from a registry outside the audit's allowed list.",
            remediation: "Pull the image from an allowed registry (mirror it there), or add the registry to imagePolicy.allowedRegistries.",
            trivy: ["KSV-0125"], kubescape: ["C-0078"],
            applicable: { !$0.imagePolicy.allowedRegistries.isEmpty },
            rule: eachContainer { c, _, context in
                guard let image = c.container.image else { return nil }
                let reference = ImageReference(image)
                return context.imagePolicy.allows(reference)
                    ? nil : "image \(image) comes from \(reference.registry), which is not an allowed registry"
            }),
        AuditCheck(
            id: "OPS-WL-010", category: .workloadHygiene, severity: .low, title: "Mutable image not pulled Always",
            description: "With a :latest or untagged image and imagePullPolicy IfNotPresent or Never, nodes run whatever copy they cached.",
            remediation: "Set imagePullPolicy: Always, or pin the image to a version or digest.",
            kubescape: ["C-0075"],
            rule: eachContainer { c, _, _ in
                guard let image = c.container.image, ImageReference(image).usesLatest,
                    let policy = c.container.imagePullPolicy, policy != "Always"
                else { return nil }
                return "image \(image) is mutable and imagePullPolicy is \(policy)"
            }),
        AuditCheck(
            id: "OPS-WL-011", category: .workloadHygiene, severity: .low, title: "Workload in the default namespace",
            description: "The default namespace gets no specific policies, quotas or RBAC; workloads there are hard to isolate.",
            remediation: "Move the workload to a namespace of its own.",
            trivy: ["KSV-0110"], kubescape: ["C-0061"],
            rule: wholePod { w, _ in w.object.namespace == "default" ? "runs in the default namespace" : nil }),
        AuditCheck(
            id: "OPS-WL-012", category: .workloadHygiene, severity: .low, title: "Bare pod",
            description: "A pod without a controller is not rescheduled when its node fails and drifts from any source of truth.",
            remediation: "Run the pod through a Deployment, StatefulSet, DaemonSet or Job.",
            kubescape: ["C-0073"],
            rule: wholePod { w, _ in
                w.object.kind == "Pod" && !w.hasController ? "is not managed by a controller" : nil
            }),
    ]

    static func resourceCheck(
        id: String, severity: Severity, what: String,
        resource: String,
        trivy: [String], kubescape: [String]
    ) -> AuditCheck {
        let isLimit = what.hasSuffix("limit")
        return AuditCheck(
            id: id, category: .workloadHygiene, severity: severity, title: "No \(what)",
            description: isLimit
                ? "Without a \(what) one container can starve its neighbours on the node."
                : "Without a \(what) the scheduler cannot place the pod where it fits, and it is evicted first under pressure.",
            remediation: "Set resources.\(isLimit ? "limits" : "requests").\(resource) on every container.",
            trivy: trivy, kubescape: kubescape,
            rule: eachContainer { c, _, _ in
                guard !c.isEphemeral else { return nil }
                let values = isLimit ? c.container.resources?.limits : c.container.resources?.requests
                return values?[resource] == nil ? "has no \(what)" : nil
            })
    }
}
