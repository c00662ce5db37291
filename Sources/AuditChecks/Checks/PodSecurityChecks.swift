import KubeClient

/// Pod security: the Pod Security Standards' controls, container by container where the
/// setting is per container (the container's value wins over the pod's).
enum PodSecurityChecks {
    static let all: [AuditCheck] = [
        AuditCheck(
            id: "OPS-POD-001", category: .podSecurity, severity: .critical, title: "Privileged container",
            description: "A privileged container has every capability and full access to the host's devices; escaping to the node is trivial.",
            remediation: "Remove securityContext.privileged or set it to false.",
            trivy: ["KSV-0017"], kubescape: ["C-0057"],
            rule: eachContainer { c, _, _ in
                c.securityContext.privileged == true ? "securityContext.privileged is true" : nil
            }),
        AuditCheck(
            id: "OPS-POD-002", category: .podSecurity, severity: .medium, title: "Privilege escalation allowed",
            description: "Without allowPrivilegeEscalation: false a process can gain more privileges than its parent (setuid binaries, file capabilities).",
            remediation: "Set securityContext.allowPrivilegeEscalation to false in every container.",
            trivy: ["KSV-0001"], kubescape: ["C-0016"],
            rule: eachContainer { c, _, _ in
                c.securityContext.allowPrivilegeEscalation == false
                    ? nil : "securityContext.allowPrivilegeEscalation is not set to false"
            }),
        AuditCheck(
            id: "OPS-POD-003", category: .podSecurity, severity: .medium, title: "Container may run as root",
            description: "Without runAsNonRoot: true the kubelet starts the container as whatever user the image names, often root.",
            remediation: "Set runAsNonRoot: true in the pod or container securityContext, and run the image as a non-zero UID.",
            trivy: ["KSV-0012"], kubescape: ["C-0013"],
            rule: eachContainer { c, w, _ in
                c.effective("runAsNonRoot", in: w).boolValue == true
                    ? nil : "runAsNonRoot is not true in the container or pod securityContext"
            }),
        AuditCheck(
            id: "OPS-POD-004", category: .podSecurity, severity: .high, title: "Container runs as UID 0",
            description: "runAsUser: 0 runs the container's processes as root, whatever the image says.",
            remediation: "Set runAsUser to a non-zero UID (10000 or above avoids host users).",
            trivy: ["KSV-0105"], kubescape: ["C-0013"],
            rule: eachContainer { c, w, _ in
                c.effective("runAsUser", in: w).intValue == 0 ? "runAsUser is 0 (root)" : nil
            }),
        AuditCheck(
            id: "OPS-POD-005", category: .podSecurity, severity: .medium, title: "Root filesystem is writable",
            description: "A writable root filesystem lets an attacker drop tools and persist changes inside the container.",
            remediation: "Set securityContext.readOnlyRootFilesystem to true and mount emptyDir volumes where the app writes.",
            trivy: ["KSV-0014"], kubescape: ["C-0017"],
            rule: eachContainer { c, _, _ in
                c.securityContext.readOnlyRootFilesystem == true ? nil : "securityContext.readOnlyRootFilesystem is not true"
            }),
        AuditCheck(
            id: "OPS-POD-006", category: .podSecurity, severity: .medium, title: "Capabilities not dropped",
            description: "Containers keep the runtime's default capabilities (NET_RAW, SETUID, …) unless they drop ALL.",
            remediation: "Set securityContext.capabilities.drop to [\"ALL\"] and add back only what the app needs.",
            trivy: ["KSV-0003"],
            rule: eachContainer { c, _, _ in
                c.droppedCapabilities.contains("ALL") ? nil : "securityContext.capabilities.drop does not include ALL"
            }),
        AuditCheck(
            id: "OPS-POD-007", category: .podSecurity, severity: .medium, title: "Capabilities added beyond the baseline",
            description: "The Baseline profile forbids adding capabilities other than the runtime's default set.",
            remediation: "Remove the listed capabilities from securityContext.capabilities.add.",
            trivy: ["KSV-0022"],
            rule: eachContainer { c, _, _ in
                let extra = c.addedCapabilities.filter { !baselineCapabilities.contains($0) }
                return extra.isEmpty ? nil : "adds capabilities \(extra.joined(separator: ", "))"
            }),
        AuditCheck(
            id: "OPS-POD-008", category: .podSecurity, severity: .high, title: "Dangerous capability added",
            description: "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, BPF and ALL each give a container a path to the host kernel.",
            remediation: "Remove the capability; run the privileged part as a separate, reviewed component.",
            trivy: ["KSV-0005", "KSV-0120"], kubescape: ["C-0046"],
            rule: eachContainer { c, _, _ in
                let bad = c.addedCapabilities.filter { dangerousCapabilities.contains($0) }
                return bad.isEmpty ? nil : "adds \(bad.joined(separator: ", "))"
            }),
        AuditCheck(
            id: "OPS-POD-009", category: .podSecurity, severity: .medium, title: "NET_RAW capability added",
            description: "NET_RAW allows crafting raw packets: ARP and DNS spoofing inside the cluster network.",
            remediation: "Remove NET_RAW from capabilities.add (ping works without it on current kernels).",
            trivy: ["KSV-0119"],
            rule: eachContainer { c, _, _ in
                c.addedCapabilities.contains("NET_RAW") ? "adds NET_RAW" : nil
            }),
        AuditCheck(
            id: "OPS-POD-010", category: .podSecurity, severity: .high, title: "Host network namespace",
            description: "hostNetwork: true puts the pod on the node's network: it sees node traffic and bypasses NetworkPolicies.",
            remediation: "Remove spec.hostNetwork; expose the pod through a Service.",
            trivy: ["KSV-0009"], kubescape: ["C-0041"],
            rule: wholePod { w, _ in w.spec.hostNetwork == true ? "spec.hostNetwork is true" : nil }),
        AuditCheck(
            id: "OPS-POD-011", category: .podSecurity, severity: .high, title: "Host PID namespace",
            description: "hostPID: true lets the pod see and signal every process on the node.",
            remediation: "Remove spec.hostPID.",
            trivy: ["KSV-0010"], kubescape: ["C-0038"],
            rule: wholePod { w, _ in w.spec.hostPID == true ? "spec.hostPID is true" : nil }),
        AuditCheck(
            id: "OPS-POD-012", category: .podSecurity, severity: .high, title: "Host IPC namespace",
            description: "hostIPC: true shares the node's System V IPC and POSIX shared memory with the pod.",
            remediation: "Remove spec.hostIPC.",
            trivy: ["KSV-0008"], kubescape: ["C-0038"],
            rule: wholePod { w, _ in w.spec.hostIPC == true ? "spec.hostIPC is true" : nil }),
        AuditCheck(
            id: "OPS-POD-013", category: .podSecurity, severity: .medium, title: "hostPath volume",
            description: "A hostPath volume exposes the node's filesystem to the pod.",
            remediation: "Use emptyDir, a PersistentVolumeClaim, a ConfigMap or a CSI volume instead.",
            trivy: ["KSV-0023"], kubescape: ["C-0048"],
            rule: .workload { w, _ in
                hostPathVolumes(of: w).map { Violation("volume \($0.volume) mounts host path \($0.path)") }
            }),
        AuditCheck(
            id: "OPS-POD-014", category: .podSecurity, severity: .critical, title: "Container runtime socket mounted",
            description: "A pod with the Docker, containerd or CRI-O socket controls every container on the node.",
            remediation: "Remove the hostPath volume of the runtime socket.",
            trivy: ["KSV-0006"], kubescape: ["C-0074"],
            rule: .workload { w, _ in
                hostPathVolumes(of: w).filter { v in runtimeSockets.contains { v.path.hasSuffix($0) } }
                    .map { Violation("volume \($0.volume) mounts the container runtime socket \($0.path)") }
            }),
        AuditCheck(
            id: "OPS-POD-015", category: .podSecurity, severity: .medium, title: "Host port",
            description: "A hostPort binds the container to the node's address, bypassing Services and NetworkPolicies.",
            remediation: "Remove ports[].hostPort and expose the pod through a Service.",
            trivy: ["KSV-0024"], kubescape: ["C-0044"],
            rule: eachContainer { c, _, _ in
                let ports = (c.container.ports ?? []).compactMap(\.hostPort).filter { $0 != 0 }
                return ports.isEmpty ? nil : "uses host ports \(ports.map(String.init).joined(separator: ", "))"
            }),
        AuditCheck(
            id: "OPS-POD-016", category: .podSecurity, severity: .low, title: "Seccomp profile not set",
            description: "Without a RuntimeDefault or Localhost seccomp profile every system call is allowed.",
            remediation: "Set securityContext.seccompProfile.type to RuntimeDefault in the pod.",
            trivy: ["KSV-0030"], kubescape: ["C-0210"],
            rule: eachContainer { c, w, _ in
                let type = c.effective("seccompProfile", in: w)["type"].stringValue
                return type == "RuntimeDefault" || type == "Localhost"
                    ? nil : "seccompProfile.type is \(type ?? "not set"), not RuntimeDefault or Localhost"
            }),
        AuditCheck(
            id: "OPS-POD-017", category: .podSecurity, severity: .high, title: "Seccomp explicitly disabled",
            description: "seccompProfile type Unconfined turns off system call filtering, which the Baseline profile forbids.",
            remediation: "Set seccompProfile.type to RuntimeDefault (or a reviewed Localhost profile).",
            trivy: ["KSV-0104"],
            rule: eachContainer { c, w, _ in
                c.effective("seccompProfile", in: w)["type"].stringValue == "Unconfined"
                    ? "seccompProfile.type is Unconfined" : nil
            }),
        AuditCheck(
            id: "OPS-POD-018", category: .podSecurity, severity: .medium, title: "AppArmor disabled",
            description: "An AppArmor profile of unconfined (field or beta annotation) removes mandatory access control.",
            remediation: "Use the RuntimeDefault AppArmor profile or a Localhost profile.",
            trivy: ["KSV-0002"],
            rule: eachContainer { c, w, _ in
                let annotation = w.podAnnotations["container.apparmor.security.beta.kubernetes.io/\(c.name)"]
                if let annotation, annotation != "runtime/default", !annotation.hasPrefix("localhost/") {
                    return "AppArmor annotation is \(annotation)"
                }
                return c.effective("appArmorProfile", in: w)["type"].stringValue == "Unconfined"
                    ? "appArmorProfile.type is Unconfined" : nil
            }),
        AuditCheck(
            id: "OPS-POD-019", category: .podSecurity, severity: .high, title: "Unmasked /proc",
            description: "procMount: Unmasked exposes kernel interfaces that the runtime normally masks.",
            remediation: "Remove securityContext.procMount or set it to Default.",
            trivy: ["KSV-0027"],
            rule: eachContainer { c, _, _ in
                let mount = c.rawSecurityContext["procMount"].stringValue ?? "Default"
                return mount == "Default" ? nil : "securityContext.procMount is \(mount)"
            }),
        AuditCheck(
            id: "OPS-POD-020", category: .podSecurity, severity: .medium, title: "Unsafe sysctl",
            description: "Sysctls outside the safe set change kernel settings for the whole node.",
            remediation: "Remove the sysctls from spec.securityContext.sysctls, or set them on dedicated nodes.",
            trivy: ["KSV-0026"],
            rule: wholePod { w, _ in
                let unsafe = (w.podSecurityContext["sysctls"].arrayValue ?? []).compactMap { $0["name"].stringValue }
                    .filter { !safeSysctls.contains($0) }
                return unsafe.isEmpty ? nil : "sets unsafe sysctls \(unsafe.joined(separator: ", "))"
            }),
        AuditCheck(
            id: "OPS-POD-021", category: .podSecurity, severity: .medium, title: "Custom SELinux options",
            description: "Setting an SELinux user or role, or a type outside the container types, can lift the container's confinement.",
            remediation: "Remove seLinuxOptions.user and role; use container_t, container_init_t or container_kvm_t types only.",
            trivy: ["KSV-0025"],
            rule: eachContainer { c, w, _ in
                let options = c.effective("seLinuxOptions", in: w)
                if !options["user"].isNull || !options["role"].isNull { return "seLinuxOptions sets a user or role" }
                if let type = options["type"].stringValue, !allowedSELinuxTypes.contains(type) {
                    return "seLinuxOptions.type is \(type)"
                }
                return nil
            }),
        AuditCheck(
            id: "OPS-POD-022", category: .podSecurity, severity: .high, title: "Windows HostProcess container",
            description: "A HostProcess container runs directly on the Windows node with host privileges.",
            remediation: "Remove windowsOptions.hostProcess.",
            trivy: ["KSV-0103"], kubescape: ["C-0202"],
            rule: eachContainer { c, w, _ in
                c.effective("windowsOptions", in: w)["hostProcess"].boolValue == true ? "windowsOptions.hostProcess is true" : nil
            }),
        AuditCheck(
            id: "OPS-POD-023", category: .podSecurity, severity: .low, title: "Root group",
            description: "GID 0 (runAsGroup, fsGroup or a supplemental group) grants access to root-group files.",
            remediation: "Use non-zero runAsGroup, fsGroup and supplementalGroups.",
            trivy: ["KSV-0116"],
            rule: .workload { w, _ in
                var violations = w.containers.filter { $0.effective("runAsGroup", in: w).intValue == 0 }
                    .map { Violation(container: $0.name, "runAsGroup is 0") }
                let pod = w.podSecurityContext
                if pod["fsGroup"].intValue == 0 { violations.append(Violation("spec.securityContext.fsGroup is 0")) }
                if (pod["supplementalGroups"].arrayValue ?? []).contains(where: { $0.intValue == 0 }) {
                    violations.append(Violation("spec.securityContext.supplementalGroups includes 0"))
                }
                return violations
            }),
        AuditCheck(
            id: "OPS-POD-024", category: .podSecurity, severity: .low, title: "Capabilities beyond NET_BIND_SERVICE",
            description: "The Restricted profile allows adding only NET_BIND_SERVICE.",
            remediation: "Drop ALL and add back at most NET_BIND_SERVICE.",
            trivy: ["KSV-0106"],
            rule: eachContainer { c, _, _ in
                let extra = c.addedCapabilities.filter { $0 != "NET_BIND_SERVICE" }
                return extra.isEmpty ? nil : "adds \(extra.joined(separator: ", ")), not only NET_BIND_SERVICE"
            }),
    ]

    /// The capabilities the Baseline profile lets a container add.
    static let baselineCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
        "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ]
    static let dangerousCapabilities: Set<String> = ["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "NET_ADMIN", "BPF"]
    /// The sysctls Kubernetes namespaces per pod (the Baseline profile's allowed list).
    static let safeSysctls: Set<String> = [
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ]
    static let allowedSELinuxTypes: Set<String> = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]
    static let runtimeSockets = ["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock"]

    static func hostPathVolumes(of workload: AuditedWorkload) -> [(volume: String, path: String)] {
        (workload.spec.volumes ?? []).compactMap { volume in
            guard let hostPath = volume.hostPath, !hostPath.isNull else { return nil }
            return (volume.name, hostPath["path"].stringValue ?? "")
        }
    }
}
