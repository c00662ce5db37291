import KubeClient

/// A recommendation about generated manifests. Advice is printed as a comment and never
/// changes an object: applying it is the user's decision.
public struct Advice: Sendable, Hashable {
    /// `builtin`, or the analysis provider that made it.
    public var source: String
    public var text: String

    public init(source: String, text: String) {
        self.source = source
        self.text = text
    }

    /// The comment line: `advisory (builtin): …`, on one line.
    public var comment: String {
        "advisory (\(source)): " + text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// The built-in rules: sizing from the image kind, probes, pinning, availability.
enum BuiltinAdvisor {
    /// Image names that suggest a runtime needing more memory than the small class.
    static let memoryHungry = ["java", "jvm", "jdk", "jre", "spring", "tomcat", "kafka", "elasticsearch", "opensearch", "keycloak"]

    static func advise(_ w: ResolvedWorkload) -> [Advice] {
        let r = w.requirements
        var advice: [String] = []
        let image = ImageName(r.image)
        if !image.isDigestPinned {
            advice.append("image \(r.image) is pinned by tag only; pin it by digest (…@sha256:…) so a re-pushed tag cannot change what runs")
        }
        let repository = image.repository.lowercased()
        if let word = memoryHungry.first(where: { repository.contains($0) }),
           let memory = w.limits["memory"].flatMap({ try? Quantity(parsing: $0) }), memory < (try! Quantity(parsing: "1Gi")) {
            advice.append("the image looks like a \(word) workload; its memory limit \(w.limits["memory"]!) is likely too small (size medium or large)")
        }
        if r.health.liveness == nil && r.health.readiness == nil && r.health.command == nil && w.probePort != nil {
            advice.append("no health endpoint given: the probes only check that port \(w.probePort!.name) accepts connections; add health.liveness and health.readiness")
        } else if let liveness = r.health.liveness, liveness == r.health.readiness {
            advice.append("liveness and readiness use the same path \(liveness); a readiness check of dependencies on it would restart pods during an outage")
        }
        if r.environment == .prod && r.scaling == nil {
            advice.append("prod without scaling: consider scaling {min: \(w.replicas), max: \(w.replicas * 3), cpuTarget: 70}")
        }
        if r.environment == .prod && w.replicas < 2 {
            advice.append("prod with one pod: a node drain or crash takes the workload down")
        }
        if let storage = r.storage, !storage.isSingleWriter {
            advice.append("\(storage.accessMode) needs a StorageClass that supports it (NFS, CephFS, EFS…); most block storage does not")
        }
        if r.egress.contains(where: { $0.cidr == nil }) {
            advice.append("an egress rule without cidr allows that port to any address; name the destination network")
        }
        return advice.map { Advice(source: "builtin", text: $0) }
    }
}
