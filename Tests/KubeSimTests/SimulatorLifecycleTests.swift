import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Starting, stopping and restarting the simulator: persistence, the CLI, discovery changes.
@Suite("Simulator lifecycle")
struct SimulatorLifecycleTests {
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    @Test("with a data directory, objects, custom types, resourceVersions and credentials survive a restart")
    func persistence() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-data-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        var sim = try await Simulator.start(.init(port: 0, tls: true, dataDirectory: dir.path))
        var kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.crd).succeeded)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.widget("kept", size: 6)).succeeded)
        #expect(try await kubectl.run("create", "configmap", "kept", "--from-literal=answer=42").succeeded)
        #expect(try await kubectl.run("create", "configmap", "dropped", "--from-literal=a=b").succeeded)
        #expect(try await kubectl.run("delete", "configmap", "dropped").succeeded)
        let before = try await kubectl.run("get", "configmap", "kept", "-o", "jsonpath={.metadata.resourceVersion}")
        let revision = sim.store.revision
        let token = sim.adminToken
        await sim.stop()

        sim = try await Simulator.start(.init(port: 0, tls: true, dataDirectory: dir.path))
        kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(sim.adminToken == token)
        #expect(sim.store.revision >= revision)
        var result = try await kubectl.run("get", "configmap", "kept", "-o", "jsonpath={.data.answer} {.metadata.resourceVersion}")
        #expect(result.stdout == "42 \(before.stdout)", "\(result)")
        result = try await kubectl.run("get", "configmap", "dropped")
        #expect(result.stderr.contains("not found"), "\(result)")
        result = try await kubectl.run("get", "widget", "kept", "-o", "jsonpath={.spec.size}")
        #expect(result.stdout == "6", "\(result)")
        // New writes continue the old resourceVersion sequence.
        #expect(try await kubectl.run("create", "configmap", "after-restart").succeeded)
        result = try await kubectl.run("get", "configmap", "after-restart", "-o", "jsonpath={.metadata.resourceVersion}")
        #expect((UInt64(result.stdout) ?? 0) > revision, "\(result)")
        await sim.stop()
    }

    @Test("opsagent sim prints where the kubeconfig is once it serves, and stops on SIGTERM")
    func commandLine() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let binary = root.appendingPathComponent(".build/debug/opsagent").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build opsagent first (swift build)")
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("sim-cli-\(UUID().uuidString.prefix(8))").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["sim", "--port", "0", "--kubeconfig-out", kubeconfig]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let line = try await Task.detached {
            var bytes: [UInt8] = []
            while let chunk = try output.fileHandleForReading.read(upToCount: 1), let byte = chunk.first, byte != 10 {
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        #expect(line.hasPrefix("opsagent sim: serving https://127.0.0.1:"), "\(line)")
        #expect(line.hasSuffix("kubeconfig written to \(kubeconfig)"), "\(line)")
        let result = try await Kubectl(kubeconfig: kubeconfig).run("get", "namespace", "kube-system", "-o", "name")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "namespace/kube-system", "\(result)")
        process.terminate()
        let exited = await eventually(timeout: .seconds(15)) { !process.isRunning }
        #expect(exited)
    }

    @Test("deleting a CRD deletes its custom resources and removes it from discovery")
    func crdRemoval() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.crd).succeeded)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.widget("doomed")).succeeded)
        var result = try await kubectl.run("api-resources", "--api-group=example.com", "-o", "name")
        #expect(result.stdout.contains("widgets.example.com"), "\(result)")
        result = try await kubectl.run("delete", "crd", "widgets.example.com", "--timeout=20s")
        #expect(result.succeeded, "\(result)")
        #expect(sim.store.count(SimulatorKubectlCRDTests.widgets) == 0)
        // As with kube-apiserver, discovery drops the type just after the CRD is gone (kubectl's
        // wait can see the deletion first): a client with a fresh cache soon no longer knows it.
        var last = result
        let gone = try await eventually(timeout: .seconds(10), interval: .milliseconds(100)) {
            last = try await Kubectl(kubeconfig: sim.kubeconfigPath).run("get", "widgets")
            return last.stderr.contains(#"the server doesn't have a resource type "widgets""#)
        }
        #expect(gone, "\(last)")
        await sim.stop()
    }

    @Test("a default added to a CRD's schema shows on custom resources written before it")
    func defaultingOnRead() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.crd).succeeded)
        #expect(try await kubectl.run("apply", "-f", "-", input: SimulatorKubectlCRDTests.widget("older")).succeeded)
        // Add `shape` (with a default) next to `replicas`, at the same indentation.
        let withShape = SimulatorKubectlCRDTests.crd.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasSuffix("replicas: {type: integer}") else { return String(line) }
            let indent = line.prefix { $0 == " " }
            return "\(line)\n\(indent)shape: {type: string, default: round}"
        }.joined(separator: "\n")
        #expect(try await kubectl.run("apply", "-f", "-", input: withShape).succeeded)
        let result = try await kubectl.run("get", "widget", "older", "-o", "jsonpath={.spec.shape} {.spec.color}")
        #expect(result.stdout == "round red", "\(result)")
        await sim.stop()
    }

    @Test("aggregated discovery answers in apidiscovery.k8s.io/v2 when asked, legacy JSON otherwise")
    func discovery() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let aggregated = try await client.request(
            "GET", "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
        #expect(aggregated.headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        let document = try JSONValue(parsing: aggregated.body)
        #expect(document["kind"] == "APIGroupDiscoveryList")
        let apps = (document["items"].arrayValue ?? []).first { $0["metadata"]["name"] == "apps" }
        let deployments = (apps?["versions"][0]["resources"].arrayValue ?? []).first { $0["resource"] == "deployments" }
        #expect(deployments?["scope"] == "Namespaced")
        #expect(deployments?["shortNames"] == ["deploy"])
        #expect((deployments?["subresources"].arrayValue ?? []).map { $0["subresource"] } == ["scale", "status"])

        let legacy = try JSONValue(parsing: try await client.request("GET", "/apis").body)
        #expect(legacy["kind"] == "APIGroupList")
        let resources = try JSONValue(parsing: try await client.request("GET", "/api/v1").body)
        let pods = (resources["resources"].arrayValue ?? []).first { $0["name"] == "pods" }
        #expect(pods?["shortNames"] == ["po"])
        #expect(pods?["categories"] == ["all"])
        await sim.stop()
    }

    @Test("sendInitialEvents streams the current objects, then a bookmark marking their end")
    func initialEvents() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true))
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        for name in ["one", "two"] {
            _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": ["name": .string(name)]], namespace: "default")
        }
        let stream = try await client.watch(Self.configMaps, namespace: "default",
                                            options: WatchOptions(timeoutSeconds: 10, allowBookmarks: true,
                                                                  sendInitialEvents: true))
        var added: [String] = []
        var ended = false
        for try await event in stream {
            if case .added(let object) = event { added.append(object["metadata"]["name"].stringValue ?? "") }
            if case .bookmark(_, let initialEventsEnd) = event, initialEventsEnd {
                ended = true
                stream.cancel()
                break
            }
        }
        #expect(added == ["one", "two"])
        #expect(ended)
        await sim.stop()
    }
}

@Suite("Simulator watch bookmarks")
struct SimulatorBookmarkTests {
    @Test("a watch that allows bookmarks receives them with the current resourceVersion")
    func bookmarks() async throws {
        let sim = try await Simulator.start(.init(port: 0, tls: true, watch: WatchSettings(bookmarkInterval: .milliseconds(200))))
        let client = KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
        let stream = try await client.watch(SimulatorLifecycleTests.configMaps, namespace: "default",
                                            options: WatchOptions(resourceVersion: String(sim.store.revision),
                                                                  timeoutSeconds: 10, allowBookmarks: true))
        var bookmark: String?
        for try await event in stream {
            if case .bookmark(let rv, false) = event { bookmark = rv; stream.cancel(); break }
        }
        #expect(bookmark == String(sim.store.revision))
        await sim.stop()
    }
}
