import Foundation
import KubeClient
import Testing

@testable import AuditChecks

/// One check, a change to the hardened pod spec that must fail it, and a near miss that
/// must pass it.
struct WorkloadCase: CustomTestStringConvertible, Sendable {
    let id: String
    let failing: @Sendable (inout JSONValue) -> Void
    let passing: @Sendable (inout JSONValue) -> Void
    var kind = "Deployment"
    var testDescription: String { id }

    static func container(_ id: String, fail: @escaping @Sendable (inout JSONValue) -> Void, pass: @escaping @Sendable (inout JSONValue) -> Void) -> WorkloadCase {
        WorkloadCase(id: id, failing: { $0.editContainer(0, fail) }, passing: { $0.editContainer(0, pass) })
    }
}

let workloadCases: [WorkloadCase] = [
    .container("OPS-POD-001", fail: { $0["securityContext"]["privileged"] = true }, pass: { $0["securityContext"]["privileged"] = false }),
    .container("OPS-POD-002", fail: { $0["securityContext"]["allowPrivilegeEscalation"] = nil }, pass: { $0["securityContext"]["allowPrivilegeEscalation"] = false }),
    WorkloadCase(
        id: "OPS-POD-003",
        failing: { spec in
            spec["securityContext"]["runAsNonRoot"] = nil
            spec.editContainer { $0["securityContext"]["runAsNonRoot"] = nil }
        },
        passing: { spec in spec.editContainer { $0["securityContext"]["runAsNonRoot"] = nil } }),  // the pod's value counts
    .container("OPS-POD-004", fail: { $0["securityContext"]["runAsUser"] = 0 }, pass: { $0["securityContext"]["runAsUser"] = 1000 }),
    .container("OPS-POD-005", fail: { $0["securityContext"]["readOnlyRootFilesystem"] = false }, pass: { $0["securityContext"]["readOnlyRootFilesystem"] = true }),
    .container("OPS-POD-006", fail: { $0["securityContext"]["capabilities"] = ["drop": ["NET_RAW"]] }, pass: { $0["securityContext"]["capabilities"] = ["drop": ["all"]] }),
    .container("OPS-POD-007", fail: { $0["securityContext"]["capabilities"]["add"] = ["SYS_TIME"] }, pass: { $0["securityContext"]["capabilities"]["add"] = ["CHOWN"] }),
    .container("OPS-POD-008", fail: { $0["securityContext"]["capabilities"]["add"] = ["CAP_SYS_ADMIN"] }, pass: { $0["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE"] }),
    .container("OPS-POD-009", fail: { $0["securityContext"]["capabilities"]["add"] = ["NET_RAW"] }, pass: { $0["securityContext"]["capabilities"]["drop"] = ["ALL", "NET_RAW"] }),
    WorkloadCase(id: "OPS-POD-010", failing: { $0["hostNetwork"] = true }, passing: { $0["hostNetwork"] = false }),
    WorkloadCase(id: "OPS-POD-011", failing: { $0["hostPID"] = true }, passing: { $0["hostPID"] = false }),
    WorkloadCase(id: "OPS-POD-012", failing: { $0["hostIPC"] = true }, passing: { $0["hostIPC"] = false }),
    WorkloadCase(
        id: "OPS-POD-013", failing: { $0["volumes"] = [["name": "logs", "hostPath": ["path": "/var/log"]]] },
        passing: { $0["volumes"] = [["name": "tmp", "emptyDir": [:]]] }),
    WorkloadCase(
        id: "OPS-POD-014", failing: { $0["volumes"] = [["name": "docker", "hostPath": ["path": "/var/run/docker.sock"]]] },
        passing: { $0["volumes"] = [["name": "tmp", "emptyDir": [:]]] }),
    .container("OPS-POD-015", fail: { $0["ports"] = [["containerPort": 8080, "hostPort": 80]] }, pass: { $0["ports"] = [["containerPort": 8080, "hostPort": 0]] }),
    WorkloadCase(
        id: "OPS-POD-016", failing: { $0["securityContext"]["seccompProfile"] = nil },
        passing: { spec in
            spec["securityContext"]["seccompProfile"] = nil
            spec.editContainer { $0["securityContext"]["seccompProfile"] = ["type": "Localhost", "localhostProfile": "app.json"] }
        }),
    .container("OPS-POD-017", fail: { $0["securityContext"]["seccompProfile"] = ["type": "Unconfined"] }, pass: { $0["securityContext"]["seccompProfile"] = ["type": "RuntimeDefault"] }),
    WorkloadCase(
        id: "OPS-POD-018", failing: { $0.editContainer { $0["securityContext"]["appArmorProfile"] = ["type": "Unconfined"] } },
        passing: { $0.editContainer { $0["securityContext"]["appArmorProfile"] = ["type": "RuntimeDefault"] } }),
    .container("OPS-POD-019", fail: { $0["securityContext"]["procMount"] = "Unmasked" }, pass: { $0["securityContext"]["procMount"] = "Default" }),
    WorkloadCase(
        id: "OPS-POD-020", failing: { $0["securityContext"]["sysctls"] = [["name": "kernel.msgmax", "value": "65536"]] },
        passing: { $0["securityContext"]["sysctls"] = [["name": "net.ipv4.tcp_syncookies", "value": "1"]] }),
    .container("OPS-POD-021", fail: { $0["securityContext"]["seLinuxOptions"] = ["type": "spc_t"] }, pass: { $0["securityContext"]["seLinuxOptions"] = ["type": "container_t", "level": "s0:c1,c2"] }),
    .container("OPS-POD-022", fail: { $0["securityContext"]["windowsOptions"] = ["hostProcess": true] }, pass: { $0["securityContext"]["windowsOptions"] = ["hostProcess": false] }),
    WorkloadCase(id: "OPS-POD-023", failing: { $0["securityContext"]["fsGroup"] = 0 }, passing: { $0["securityContext"]["supplementalGroups"] = [10001] }),
    .container("OPS-POD-024", fail: { $0["securityContext"]["capabilities"]["add"] = ["CHOWN"] }, pass: { $0["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE"] }),
    .container("OPS-WL-001", fail: { $0["resources"]["limits"]["cpu"] = nil }, pass: { $0["resources"]["limits"]["cpu"] = "2" }),
    .container("OPS-WL-002", fail: { $0["resources"]["limits"]["memory"] = nil }, pass: { $0["resources"]["limits"]["memory"] = "1Gi" }),
    .container("OPS-WL-003", fail: { $0["resources"]["requests"]["cpu"] = nil }, pass: { $0["resources"]["requests"]["cpu"] = "1" }),
    .container("OPS-WL-004", fail: { $0["resources"]["requests"]["memory"] = nil }, pass: { $0["resources"]["requests"]["memory"] = "64Mi" }),
    .container("OPS-WL-005", fail: { $0["livenessProbe"] = nil }, pass: { $0["livenessProbe"] = ["tcpSocket": ["port": 8080]] }),
    WorkloadCase(
        id: "OPS-WL-006", failing: { $0.editContainer { $0["readinessProbe"] = nil } },
        passing: { spec in  // a Job's pods run to completion: no readiness probe needed
            spec["restartPolicy"] = "Never"
            spec.editContainer { $0["readinessProbe"] = nil }
        }),
    .container("OPS-WL-007", fail: { $0["image"] = "ghcr.io/acme/app:latest" }, pass: { $0["image"] = .string("ghcr.io/acme/app:latest@" + Fixtures.digest) }),
    .container("OPS-WL-008", fail: { $0["image"] = "ghcr.io/acme/app:1.2.3" }, pass: { $0["image"] = .string("ghcr.io/acme/app@" + Fixtures.digest) }),
    .container("OPS-WL-009", fail: { $0["image"] = .string("docker.io/acme/app@" + Fixtures.digest) }, pass: { $0["image"] = .string("ghcr.io/acme/tools/app@" + Fixtures.digest) }),
    .container(
        "OPS-WL-010", fail: { $0["image"] = "ghcr.io/acme/app" },
        pass: { c in
            c["image"] = "ghcr.io/acme/app"
            c["imagePullPolicy"] = "Always"
        }),
    WorkloadCase(id: "OPS-WL-011", failing: { _ in }, passing: { _ in }, kind: "default-namespace"),
    WorkloadCase(id: "OPS-WL-012", failing: { _ in }, passing: { _ in }, kind: "Pod"),
    .container("OPS-SEC-001", fail: { $0["env"] = [["name": "DB_PASSWORD", "value": "hunter22"]] }, pass: { $0["env"] = [["name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"]] }),
    WorkloadCase(id: "OPS-SEC-002", failing: { $0["automountServiceAccountToken"] = nil }, passing: { $0["automountServiceAccountToken"] = false }, kind: "Deployment/automount"),
    WorkloadCase(id: "OPS-SEC-003", failing: { $0["serviceAccountName"] = nil }, passing: { $0["serviceAccountName"] = "app" }),
    .container(
        "OPS-SEC-004", fail: { $0["env"] = [["name": "DB_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]]] },
        pass: { $0["env"] = [["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]] }),
    .container(
        "OPS-SEC-006", fail: { $0["args"] = ["--listen=:8080", "--db-password=hunter22"] },
        pass: { $0["args"] = ["--listen=:8080", "--db-password-file=/run/secrets/db", "--token-ttl=3600"] }),
    WorkloadCase(id: "OPS-SEC-005", failing: { $0["serviceAccountName"] = "ghost" }, passing: { $0["serviceAccountName"] = "app" }),
]

@Suite("Workload checks")
struct WorkloadCheckTests {
    @Test("The hardened fixture passes every check")
    func hardenedWorkloadIsClean() throws {
        let report = try Fixtures.audit([Fixtures.deployment()])
        #expect(report.findings == [])
        #expect(report.objectsAudited == 2)  // the namespace and the deployment
    }

    @Test("Each workload check fails its failing fixture and passes its near miss", arguments: workloadCases)
    func workloadCheck(_ testCase: WorkloadCase) throws {
        var failingSpec = Fixtures.podSpec()
        testCase.failing(&failingSpec)
        var passingSpec = Fixtures.podSpec()
        testCase.passing(&passingSpec)
        let (failing, passing) = objects(for: testCase, failingSpec, passingSpec)
        var objects = [failing]
        if testCase.kind == "Deployment/automount" {  // the ServiceAccount no longer opts out either
            objects.append(Fixtures.serviceAccount("app", automount: nil))
        }
        let failed = try Fixtures.audit(objects)
        let found = failed.findings(of: testCase.id)
        #expect(!found.isEmpty, "expected \(testCase.id) on the failing fixture")
        #expect(found.allSatisfy { $0.object.name == "web" || $0.object.name == "solo" })
        #expect(failed.checkIDs.subtracting([testCase.id]).allSatisfy { incidental.contains($0) },
                "only \(testCase.id) (and its known companions) should fail: \(failed.checkIDs.sorted())")
        let passed = try Fixtures.audit([passing])
        #expect(passed.findings(of: testCase.id).isEmpty, "\(testCase.id) on the passing fixture: \(passed.findings(of: testCase.id).map(\.message))")
    }

    /// Checks that fail together with another by design (an added capability is also
    /// "beyond NET_BIND_SERVICE"; a bare pod also has no owner…).
    let incidental: Set<String> = ["OPS-POD-013", "OPS-POD-016", "OPS-POD-007", "OPS-POD-024", "OPS-WL-007", "OPS-WL-008", "OPS-WL-010", "OPS-SEC-005"]

    func objects(for testCase: WorkloadCase, _ failing: JSONValue, _ passing: JSONValue) -> (JSONValue, JSONValue) {
        switch testCase.kind {
        case "Pod":
            return (Fixtures.pod(spec: failing), Fixtures.deployment(spec: passing))
        case "default-namespace":
            return (Fixtures.deployment(namespace: "default", spec: failing), Fixtures.deployment(spec: passing))
        default:
            if testCase.id == "OPS-WL-006" {
                let job: JSONValue = [
                    "apiVersion": "batch/v1", "kind": "Job", "metadata": Fixtures.meta("web"),
                    "spec": ["template": ["spec": passing]],
                ]
                return (Fixtures.deployment(spec: failing), job)
            }
            return (Fixtures.deployment(spec: failing), Fixtures.deployment(spec: passing))
        }
    }

    @Test("Every workload-level check of the catalog has a fixture case")
    func everyWorkloadCheckHasACase() {
        let workloadChecks = CheckCatalog.standard.checks.filter {
            if case .workload = $0.rule { return true } else { return false }
        }.map(\.id)
        #expect(Set(workloadChecks) == Set(workloadCases.map(\.id)))
    }
}

@Suite("AppArmor and container-level overrides")
struct OverrideTests {
    @Test("The beta AppArmor annotation counts per container")
    func appArmorAnnotation() throws {
        var deployment = Fixtures.deployment()
        deployment["spec"]["template"]["metadata"]["annotations"] = [
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
        ]
        let report = try Fixtures.audit([deployment])
        #expect(report.findings(of: "OPS-POD-018").map(\.container) == ["app"])
        deployment["spec"]["template"]["metadata"]["annotations"] = [
            "container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-apparmor-example",
        ]
        #expect(try Fixtures.audit([deployment]).findings(of: "OPS-POD-018").isEmpty)
    }

    @Test("A container's setting overrides the pod's, and init containers are checked too")
    func containerOverridesPod() throws {
        var spec = Fixtures.podSpec()
        var initContainer = Fixtures.container("migrate")
        initContainer["securityContext"]["runAsNonRoot"] = false
        spec["initContainers"] = [initContainer]
        let report = try Fixtures.audit([Fixtures.deployment(spec: spec)])
        #expect(report.findings(of: "OPS-POD-003").map(\.container) == ["migrate"])
        #expect(report.findings(of: "OPS-WL-005").isEmpty)  // init containers need no probes
    }
}
