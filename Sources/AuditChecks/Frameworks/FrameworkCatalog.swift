/// The documented mapping from framework controls to checks (`docs/security-frameworks.md`
/// lists the same table). A control is evidenced by the checks listed with it; a check may
/// evidence controls of several frameworks. Controls that no in-cluster object can show
/// (node files, API server flags, processes) are not listed.
public enum FrameworkCatalog {
    public static let controls: [FrameworkControl] = cis + nsaCisa + pssBaseline + pssRestricted + nist + iso27001 + soc2

    /// The controls of one framework, in the framework's order.
    public static func controls(of framework: Framework) -> [FrameworkControl] {
        controlsByFramework[framework] ?? []
    }

    /// The controls a check evidences.
    public static func controls(mappedTo checkID: String) -> [ControlReference] {
        referencesByCheck[checkID] ?? []
    }

    private static let controlsByFramework: [Framework: [FrameworkControl]] = Dictionary(grouping: controls, by: \.framework)

    private static let referencesByCheck: [String: [ControlReference]] = {
        var result: [String: [ControlReference]] = [:]
        for control in controls {
            for check in control.checkIDs {
                result[check, default: []].append(ControlReference(framework: control.framework, controlID: control.id))
            }
        }
        return result
    }()

    private static func control(_ framework: Framework, _ id: String, _ title: String, _ checks: [String]) -> FrameworkControl {
        FrameworkControl(framework: framework, id: id, title: title, checkIDs: checks)
    }

    // MARK: - CIS Kubernetes Benchmark v1.9, section 5

    static let cis: [FrameworkControl] = [
        control(.cis, "5.1.1", "Ensure that the cluster-admin role is only used where required", ["OPS-RBAC-001", "OPS-RBAC-011"]),
        control(.cis, "5.1.2", "Minimize access to secrets", ["OPS-RBAC-003"]),
        control(.cis, "5.1.3", "Minimize wildcard use in Roles and ClusterRoles", ["OPS-RBAC-002"]),
        control(.cis, "5.1.5", "Ensure that default service accounts are not actively used", ["OPS-SEC-003"]),
        control(.cis, "5.1.6", "Ensure that Service Account Tokens are only mounted where necessary", ["OPS-SEC-002"]),
        control(.cis, "5.1.8", "Limit use of the Bind, Impersonate and Escalate permissions", ["OPS-RBAC-006", "OPS-RBAC-007"]),
        control(.cis, "5.2.1", "Ensure that the cluster has at least one active policy control mechanism in place", ["OPS-NS-001", "OPS-NS-002"]),
        control(.cis, "5.2.2", "Minimize the admission of privileged containers", ["OPS-POD-001"]),
        control(.cis, "5.2.3", "Minimize the admission of containers wishing to share the host process ID namespace", ["OPS-POD-011"]),
        control(.cis, "5.2.4", "Minimize the admission of containers wishing to share the host IPC namespace", ["OPS-POD-012"]),
        control(.cis, "5.2.5", "Minimize the admission of containers wishing to share the host network namespace", ["OPS-POD-010"]),
        control(.cis, "5.2.6", "Minimize the admission of containers with allowPrivilegeEscalation", ["OPS-POD-002"]),
        control(.cis, "5.2.7", "Minimize the admission of root containers", ["OPS-POD-003", "OPS-POD-004"]),
        control(.cis, "5.2.8", "Minimize the admission of containers with the NET_RAW capability", ["OPS-POD-009"]),
        control(.cis, "5.2.9", "Minimize the admission of containers with added capabilities", ["OPS-POD-007", "OPS-POD-008"]),
        control(.cis, "5.2.10", "Minimize the admission of containers with capabilities assigned", ["OPS-POD-006"]),
        control(.cis, "5.2.11", "Minimize the admission of Windows HostProcess containers", ["OPS-POD-022"]),
        control(.cis, "5.2.12", "Minimize the admission of HostPath volumes", ["OPS-POD-013", "OPS-POD-014"]),
        control(.cis, "5.2.13", "Minimize the admission of containers which use HostPorts", ["OPS-POD-015"]),
        control(.cis, "5.3.2", "Ensure that all Namespaces have NetworkPolicies defined", ["OPS-NET-001"]),
        control(.cis, "5.4.1", "Prefer using Secrets as files over Secrets as environment variables", ["OPS-SEC-001", "OPS-SEC-004"]),
        control(.cis, "5.7.2", "Ensure that the seccomp profile is set to docker/default in your Pod definitions", ["OPS-POD-016", "OPS-POD-017"]),
        control(.cis, "5.7.3", "Apply SecurityContext to your Pods and Containers", ["OPS-POD-005", "OPS-POD-018", "OPS-POD-021"]),
        control(.cis, "5.7.4", "The default namespace should not be used", ["OPS-WL-011"]),
    ]

    // MARK: - NSA/CISA Kubernetes Hardening Guidance v1.2

    static let nsaCisa: [FrameworkControl] = [
        control(.nsaCisa, "NSA-1.1", "Non-root containers and rootless container engines", ["OPS-POD-003", "OPS-POD-004", "OPS-POD-023"]),
        control(.nsaCisa, "NSA-1.2", "Immutable container file systems", ["OPS-POD-005"]),
        control(.nsaCisa, "NSA-1.3", "Building secure container images", ["OPS-WL-007", "OPS-WL-008", "OPS-WL-009", "OPS-WL-010", "OPS-VULN-001"]),
        control(.nsaCisa, "NSA-1.4", "Pod security enforcement", [
            "OPS-POD-001", "OPS-POD-002", "OPS-POD-006", "OPS-POD-007", "OPS-POD-008", "OPS-POD-009", "OPS-POD-010",
            "OPS-POD-011", "OPS-POD-012", "OPS-POD-013", "OPS-POD-014", "OPS-POD-015", "OPS-POD-016", "OPS-POD-017",
            "OPS-POD-018", "OPS-POD-019", "OPS-POD-020", "OPS-POD-021", "OPS-POD-022", "OPS-POD-024", "OPS-NS-001",
            "OPS-NS-002",
        ]),
        control(.nsaCisa, "NSA-1.5", "Protecting Pod service account tokens", ["OPS-SEC-002", "OPS-SEC-003"]),
        control(.nsaCisa, "NSA-2.1", "Namespaces", ["OPS-WL-011"]),
        control(.nsaCisa, "NSA-2.2", "Network policies", ["OPS-NET-001"]),
        control(.nsaCisa, "NSA-2.3", "Resource policies", ["OPS-WL-001", "OPS-WL-002", "OPS-WL-003", "OPS-WL-004"]),
        control(.nsaCisa, "NSA-2.4", "Control plane hardening: exposed services and TLS", ["OPS-NET-002", "OPS-NET-003", "OPS-NET-004", "OPS-NET-005"]),
        control(.nsaCisa, "NSA-2.5", "Secrets", ["OPS-SEC-001", "OPS-SEC-004", "OPS-SEC-006"]),
        control(.nsaCisa, "NSA-3.1", "Authentication", ["OPS-RBAC-008", "OPS-RBAC-009"]),
        control(.nsaCisa, "NSA-3.2", "Role-based access control", [
            "OPS-RBAC-001", "OPS-RBAC-002", "OPS-RBAC-003", "OPS-RBAC-004", "OPS-RBAC-005", "OPS-RBAC-006",
            "OPS-RBAC-007", "OPS-RBAC-010", "OPS-RBAC-011",
        ]),
        control(.nsaCisa, "NSA-5.1", "Upgrading and application security practices", ["OPS-VULN-001"]),
    ]

    // MARK: - Pod Security Standards

    static let baselineControls: [(String, String, [String])] = [
        ("HostProcess", "HostProcess", ["OPS-POD-022"]),
        ("HostNamespaces", "Host Namespaces", ["OPS-POD-010", "OPS-POD-011", "OPS-POD-012"]),
        ("PrivilegedContainers", "Privileged Containers", ["OPS-POD-001"]),
        ("Capabilities", "Capabilities", ["OPS-POD-007"]),
        ("HostPathVolumes", "HostPath Volumes", ["OPS-POD-013"]),
        ("HostPorts", "Host Ports", ["OPS-POD-015"]),
        ("AppArmor", "AppArmor", ["OPS-POD-018"]),
        ("SELinux", "SELinux", ["OPS-POD-021"]),
        ("ProcMountType", "/proc Mount Type", ["OPS-POD-019"]),
        ("Seccomp", "Seccomp", ["OPS-POD-017"]),
        ("Sysctls", "Sysctls", ["OPS-POD-020"]),
    ]

    static let pssBaseline: [FrameworkControl] = baselineControls.map { control(.pssBaseline, $0.0, $0.1, $0.2) }

    /// Restricted includes every Baseline control, plus its own.
    static let pssRestricted: [FrameworkControl] = baselineControls.map { control(.pssRestricted, $0.0, $0.1, $0.2) } + [
        control(.pssRestricted, "PrivilegeEscalation", "Privilege Escalation", ["OPS-POD-002"]),
        control(.pssRestricted, "RunningAsNonRoot", "Running as Non-root", ["OPS-POD-003"]),
        control(.pssRestricted, "RunningAsNonRootUser", "Running as Non-root user", ["OPS-POD-004"]),
        control(.pssRestricted, "SeccompRestricted", "Seccomp (restricted)", ["OPS-POD-016"]),
        control(.pssRestricted, "CapabilitiesRestricted", "Capabilities (restricted)", ["OPS-POD-006", "OPS-POD-024"]),
    ]

    // MARK: - NIST SP 800-53 Rev. 5

    static let nist: [FrameworkControl] = [
        control(.nist80053, "AC-2", "Account Management", ["OPS-RBAC-010", "OPS-SEC-003", "OPS-SEC-005"]),
        control(.nist80053, "AC-3", "Access Enforcement", ["OPS-RBAC-008", "OPS-RBAC-009", "OPS-NS-001"]),
        control(.nist80053, "AC-6", "Least Privilege", [
            "OPS-POD-001", "OPS-POD-002", "OPS-POD-003", "OPS-POD-004", "OPS-POD-006", "OPS-POD-007", "OPS-POD-008",
            "OPS-RBAC-001", "OPS-RBAC-002", "OPS-RBAC-003", "OPS-RBAC-004", "OPS-RBAC-005", "OPS-RBAC-006",
            "OPS-RBAC-007", "OPS-RBAC-011", "OPS-SEC-002",
        ]),
        control(.nist80053, "CM-6", "Configuration Settings", [
            "OPS-POD-005", "OPS-POD-016", "OPS-POD-018", "OPS-POD-021", "OPS-POD-023", "OPS-WL-005", "OPS-WL-006",
            "OPS-NS-002", "OPS-NS-003",
        ]),
        control(.nist80053, "CM-7", "Least Functionality", [
            "OPS-POD-009", "OPS-POD-013", "OPS-POD-014", "OPS-POD-015", "OPS-POD-019", "OPS-POD-020", "OPS-POD-022",
            "OPS-POD-024",
        ]),
        control(.nist80053, "CM-14", "Signed Components", ["OPS-WL-007", "OPS-WL-008", "OPS-WL-009", "OPS-WL-010"]),
        control(.nist80053, "IA-5", "Authenticator Management", ["OPS-SEC-001", "OPS-SEC-004", "OPS-SEC-006"]),
        control(.nist80053, "RA-5", "Vulnerability Monitoring and Scanning", ["OPS-VULN-001"]),
        control(.nist80053, "SC-6", "Resource Availability", ["OPS-WL-001", "OPS-WL-002", "OPS-WL-003", "OPS-WL-004"]),
        control(.nist80053, "SC-7", "Boundary Protection", ["OPS-NET-001", "OPS-NET-002", "OPS-NET-003", "OPS-NET-005", "OPS-WL-011"]),
        control(.nist80053, "SC-8", "Transmission Confidentiality and Integrity", ["OPS-NET-004"]),
        control(.nist80053, "SC-39", "Process Isolation", ["OPS-POD-010", "OPS-POD-011", "OPS-POD-012", "OPS-POD-017"]),
        control(.nist80053, "SI-2", "Flaw Remediation", ["OPS-VULN-001", "OPS-WL-007"]),
    ]

    // MARK: - ISO/IEC 27001:2022 Annex A

    static let iso27001: [FrameworkControl] = [
        control(.iso27001, "A.5.15", "Access control", ["OPS-RBAC-002", "OPS-RBAC-004", "OPS-RBAC-005", "OPS-RBAC-008", "OPS-RBAC-009"]),
        control(.iso27001, "A.5.17", "Authentication information", ["OPS-SEC-001", "OPS-SEC-004", "OPS-SEC-006"]),
        control(.iso27001, "A.5.18", "Access rights", ["OPS-RBAC-010", "OPS-SEC-003", "OPS-SEC-005"]),
        control(.iso27001, "A.8.2", "Privileged access rights", [
            "OPS-POD-001", "OPS-POD-008", "OPS-RBAC-001", "OPS-RBAC-003", "OPS-RBAC-006", "OPS-RBAC-007", "OPS-RBAC-011",
        ]),
        control(.iso27001, "A.8.5", "Secure authentication", ["OPS-RBAC-008", "OPS-SEC-002"]),
        control(.iso27001, "A.8.6", "Capacity management", ["OPS-WL-001", "OPS-WL-002", "OPS-WL-003", "OPS-WL-004"]),
        control(.iso27001, "A.8.8", "Management of technical vulnerabilities", ["OPS-VULN-001", "OPS-WL-007"]),
        control(.iso27001, "A.8.9", "Configuration management", [
            "OPS-POD-002", "OPS-POD-003", "OPS-POD-004", "OPS-POD-005", "OPS-POD-006", "OPS-POD-007", "OPS-POD-010",
            "OPS-POD-011", "OPS-POD-012", "OPS-POD-013", "OPS-POD-014", "OPS-POD-015", "OPS-POD-016", "OPS-POD-017",
            "OPS-POD-018", "OPS-POD-019", "OPS-POD-020", "OPS-POD-021", "OPS-POD-022", "OPS-POD-023", "OPS-POD-024",
            "OPS-WL-005", "OPS-WL-006", "OPS-WL-012", "OPS-NS-001", "OPS-NS-002", "OPS-NS-003",
        ]),
        control(.iso27001, "A.8.19", "Installation of software on operational systems", ["OPS-WL-008", "OPS-WL-009", "OPS-WL-010"]),
        control(.iso27001, "A.8.20", "Networks security", ["OPS-NET-001", "OPS-NET-005"]),
        control(.iso27001, "A.8.21", "Security of network services", ["OPS-NET-002", "OPS-NET-003"]),
        control(.iso27001, "A.8.22", "Segregation of networks", ["OPS-NET-001", "OPS-WL-011", "OPS-POD-010"]),
        control(.iso27001, "A.8.24", "Use of cryptography", ["OPS-NET-004"]),
    ]

    // MARK: - SOC 2 Trust Services Criteria

    static let soc2: [FrameworkControl] = [
        control(.soc2, "CC6.1", "Logical access security software, infrastructure and architectures", [
            "OPS-RBAC-002", "OPS-RBAC-008", "OPS-RBAC-009", "OPS-SEC-001", "OPS-SEC-002", "OPS-SEC-004", "OPS-SEC-006",
            "OPS-NS-001",
        ]),
        control(.soc2, "CC6.2", "Registration and authorization of users", ["OPS-RBAC-010", "OPS-SEC-003", "OPS-SEC-005"]),
        control(.soc2, "CC6.3", "Role-based access and least privilege", [
            "OPS-RBAC-001", "OPS-RBAC-003", "OPS-RBAC-004", "OPS-RBAC-005", "OPS-RBAC-006", "OPS-RBAC-007", "OPS-RBAC-011",
        ]),
        control(.soc2, "CC6.6", "Boundary protection against threats from outside", [
            "OPS-NET-001", "OPS-NET-002", "OPS-NET-003", "OPS-NET-005",
        ]),
        control(.soc2, "CC6.7", "Protection of data in transmission", ["OPS-NET-004"]),
        control(.soc2, "CC6.8", "Prevention of unauthorized or malicious software", [
            "OPS-POD-001", "OPS-POD-002", "OPS-POD-003", "OPS-POD-004", "OPS-POD-005", "OPS-POD-008", "OPS-POD-010",
            "OPS-POD-011", "OPS-POD-012", "OPS-POD-014", "OPS-WL-007", "OPS-WL-008", "OPS-WL-009",
        ]),
        control(.soc2, "CC7.1", "Detection of configuration changes and vulnerabilities", ["OPS-VULN-001", "OPS-NS-002"]),
        control(.soc2, "A1.1", "Capacity management", [
            "OPS-WL-001", "OPS-WL-002", "OPS-WL-003", "OPS-WL-004", "OPS-WL-005", "OPS-WL-006",
        ]),
    ]
}
