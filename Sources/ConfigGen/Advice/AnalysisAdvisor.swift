import Analysis
import KubeClient

/// The analysis step of generation: an LLM (when one is configured) reviews the generated
/// manifests and recommends changes. Its recommendations become advisory comments only;
/// the objects are never changed, and a recommendation that would weaken the restricted
/// profile is marked as such.
public enum AnalysisAdvisor {
    /// Words of a recommendation that would undo hardening.
    static let weakening = ["privileged", "run as root", "runasuser: 0", "runasnonroot: false", "readonlyrootfilesystem: false",
                            "allowprivilegeescalation: true", "hostnetwork", "hostpath", "automountserviceaccounttoken: true",
                            "sys_admin", "disable seccomp", "unconfined"]

    /// `generated` with the analyzer's recommendations appended to its advice.
    public static func review(_ generated: GeneratedManifests, analyzer: any Analyzer) async -> GeneratedManifests {
        let r = generated.requirements
        let request = AnalysisRequest(
            subject: AnalysisSubject(kind: generated.manifests.contains { $0.kind == "BlueGreenDeployment" } ? "BlueGreenDeployment" : "Deployment",
                                     namespace: r.namespace ?? "", name: r.name),
            question: "Review the Kubernetes manifests generated for \(r.type.rawValue) workload \(r.name) (\(r.environment.rawValue)): "
                + "recommend sizing, probe, scaling and availability changes. The recommendations are advisory; "
                + "the Pod Security restricted settings are fixed.",
            facts: AnalysisFacts(checks: facts(generated)))
        let result = await analyzer.analyze(request)
        var reviewed = generated
        if let degraded = result.degraded {
            reviewed.advice.append(Advice(source: "analysis", text: "the configured analyzer was unavailable (\(degraded.reason)); built-in rules only"))
            return reviewed
        }
        guard result.provider != "builtin" else { return reviewed }
        for recommendation in result.recommendations {
            let lower = recommendation.lowercased()
            let conflicts = weakening.contains { lower.contains($0) }
            reviewed.advice.append(Advice(
                source: result.provider,
                text: conflicts ? "[conflicts with the restricted profile; not applied] " + recommendation : recommendation))
        }
        return reviewed
    }

    /// What the analyzer sees: the shape of the workload and the built-in advice; no
    /// configuration values (literal env values stay out of prompts).
    static func facts(_ generated: GeneratedManifests) -> [CheckResult] {
        let r = generated.requirements
        let w = ResolvedWorkload(r)
        var checks = [
            CheckResult(name: "workload", outcome: .passed, detail: "image \(r.image), type \(r.type.rawValue), \(w.replicas) replicas, "
                        + "ports \(r.ports.map { "\($0.name)=\($0.port)/\($0.protocol)" }.joined(separator: ",")), exposure \(w.exposure.rawValue)",
                        severity: .info),
            CheckResult(name: "resources", outcome: .passed,
                        detail: "requests \(w.requests.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")), "
                            + "limits \(w.limits.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
                        severity: .info),
            CheckResult(name: "restricted-profile", outcome: .passed,
                        detail: "non-root UID \(w.uid), read-only root filesystem, drop ALL, seccomp RuntimeDefault, no token", severity: .info),
            CheckResult(name: "probes", outcome: r.health.liveness == nil && r.health.command == nil ? .failed : .passed,
                        detail: "liveness \(r.health.liveness ?? "-"), readiness \(r.health.readiness ?? "-"), command \(r.health.command == nil ? "no" : "yes")",
                        severity: .warning),
            CheckResult(name: "env", outcome: .passed, detail: "variables \(r.env.keys.sorted().joined(separator: ","))", severity: .info),
        ]
        if let scaling = r.scaling {
            checks.append(CheckResult(name: "scaling", outcome: .passed,
                                      detail: "min \(scaling.min), max \(scaling.max), cpu \(scaling.cpuTarget)%", severity: .info))
        }
        for advice in generated.advice {
            checks.append(CheckResult(name: "builtin-advice", outcome: .failed, detail: advice.text, severity: .info))
        }
        return checks
    }
}
