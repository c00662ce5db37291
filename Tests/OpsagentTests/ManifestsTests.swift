import Foundation
import KubeClient
import OpsAPI
import Testing

@testable import opsagent

/// manifests/ is what a platform team applies: it must render, carry the CRDs, survive node
/// drains, spread over nodes, protect /metrics, and fit the measured footprint.
@Suite("Manifests")
struct ManifestsTests {
    static func objects() async throws -> [JSONValue] { try await kustomize("manifests") }

    static func one(_ objects: [JSONValue], kind: String, name: String? = nil) throws -> JSONValue {
        try #require(objects.first { $0["kind"].stringValue == kind && (name == nil || $0["metadata"]["name"].stringValue == name) },
                     "no \(kind) \(name ?? "") in the rendered manifests")
    }

    @Test("the kustomization renders and installs the CRDs that OpsAPI generates")
    func crdsAreIncluded() async throws {
        let objects = try await Self.objects()
        let crds = Set(objects.filter { $0["kind"] == "CustomResourceDefinition" }.compactMap { $0["metadata"]["name"].stringValue })
        #expect(crds == Set(OpsAPI.customResourceDefinitions.map(\.name)))
        let kustomization = try String(contentsOfFile: repositoryFile("crds/Kustomization"), encoding: .utf8)
        #expect(kustomization == CRDs.kustomization(OpsAPI.customResourceDefinitions.map(OpsAPI.fileName(for:))),
                "crds/Kustomization is out of date: run `make crds`")
    }

    @Test("two replicas spread over nodes, a PodDisruptionBudget keeps one, the priority class is documented")
    func availability() async throws {
        let objects = try await Self.objects()
        let deployment = try Self.one(objects, kind: "Deployment", name: "opsagent")
        let labels = deployment["spec"]["template"]["metadata"]["labels"]
        #expect(deployment["spec"]["replicas"] == 2)
        let spread = try #require(deployment["spec"]["template"]["spec"]["topologySpreadConstraints"].arrayValue?.first)
        #expect(spread["topologyKey"] == "kubernetes.io/hostname")
        #expect(spread["labelSelector"]["matchLabels"] == labels)
        let budget = try Self.one(objects, kind: "PodDisruptionBudget", name: "opsagent")
        #expect(budget["spec"]["selector"]["matchLabels"] == labels)
        #expect(budget["spec"]["minAvailable"] == 1)
        let text = try String(contentsOfFile: repositoryFile("manifests/deployment.yaml"), encoding: .utf8)
        #expect(text.contains("priorityClassName"), "the Deployment documents priorityClassName")
    }

    @Test("/metrics is served behind TokenReview and SubjectAccessReview, and the ServiceMonitor component scrapes it")
    func metricsAreProtected() async throws {
        let objects = try await Self.objects()
        let deployment = try Self.one(objects, kind: "Deployment", name: "opsagent")
        let args = deployment["spec"]["template"]["spec"]["containers"][0]["args"].arrayValue?.compactMap(\.stringValue) ?? []
        #expect(args.contains("--metrics-auth=kubernetes"))
        #expect(args.contains("--metrics-secure"))
        let reader = try Self.one(objects, kind: "ClusterRole", name: "opsagent-metrics-reader")
        #expect(reader["rules"] == [["nonResourceURLs": ["/metrics"], "verbs": ["get"]]])
        let service = try Self.one(objects, kind: "Service", name: "opsagent-metrics")

        let withMonitor = try await kustomize("examples/kustomize/servicemonitor")
        let monitor = try Self.one(withMonitor, kind: "ServiceMonitor", name: "opsagent")
        #expect(monitor["spec"]["selector"]["matchLabels"] == service["metadata"]["labels"])
        #expect(monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"])
        #expect(monitor["spec"]["endpoints"][0]["scheme"] == "https")
        let binding = try Self.one(withMonitor, kind: "ClusterRoleBinding", name: "opsagent-metrics-reader")
        #expect(binding["roleRef"]["name"] == "opsagent-metrics-reader")
        #expect(!objects.contains { $0["kind"] == "ServiceMonitor" }, "the ServiceMonitor is optional")
    }

    @Test("the memory limit fits the footprint the benchmark measured at the documented scale (10,000 rollouts)")
    func memoryFitsTheFootprint() async throws {
        let objects = try await Self.objects()
        let deployment = try Self.one(objects, kind: "Deployment", name: "opsagent")
        let resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
        let limit = try Quantity(parsing: try #require(resources["limits"]["memory"].stringValue)).doubleValue
        let request = try Quantity(parsing: try #require(resources["requests"]["memory"].stringValue)).doubleValue
        let results = repositoryRoot.appendingPathComponent("bench/results")
        // The newest results that measured BlueGreen (`make bench --only …` files may hold
        // other scenarios only): the scenario layout, or the earlier single-scenario one.
        var measured: (file: String, summary: JSONValue)?
        for file in try FileManager.default.contentsOfDirectory(atPath: results.path)
            .filter({ $0.hasSuffix(".json") }).sorted().reversed() {
            let report = try JSONValue(parsing: Array(try Data(contentsOf: results.appendingPathComponent(file))))
            let summary = report["scenarios"]["bluegreen"]["summary"] == .null
                ? report["summary"] : report["scenarios"]["bluegreen"]["summary"]
            if summary["cached_rollouts"] != .null { measured = (file, summary); break }
        }
        let (latest, summary) = try #require(measured, "no BlueGreen benchmark results in bench/results")
        let cached = try #require(summary["cached_rollouts"]["max"].doubleValue)
        // The largest of the operator's RSS figures at that scale: a fresh process at /readyz,
        // the same once it re-reconciled everything, and the one that created the rollouts.
        let figures = ["rss_cached_mib", "rss_cached_settled_mib", "rss_cached_longrun_mib"].compactMap { summary[$0]["max"].doubleValue }
        let rss = try #require(figures.max()) * 1_048_576
        #expect(cached >= 10_000, "the documented scale is 10,000 rollouts; \(latest) measured \(cached)")
        #expect(limit >= rss * 1.25, "limit \(limit / 1_048_576) MiB leaves under 25 % headroom over \(rss / 1_048_576) MiB (\(latest))")
        #expect(request >= rss, "the request covers the measured footprint")
        let readme = try String(contentsOfFile: repositoryFile("README.md"), encoding: .utf8)
        #expect(readme.contains(resources["limits"]["memory"].stringValue ?? "?"), "the README's sizing table names the limit")
    }
}
