import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// Each fault is observable by a client; rules come and go at run time through the admin
/// endpoint. The suite runs serially on its own simulator, so one test's faults never
/// reach another's requests.
@Suite("Fault injection", .serialized)
struct FaultInjectionTests {
    static let shared = SharedSimulator(Simulator.Configuration(port: 0, tls: true, workloads: nil))

    static func setUp() async throws -> (sim: Simulator, client: KubernetesClient, ns: String) {
        let sim = try await shared.get()
        _ = try? sim.faults.replace(with: [])
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        let ns = "faults-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        _ = try await client.create(.configmaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": ["name": "settings", "namespace": .string(ns)],
                                                  "data": ["mode": "blue"]], namespace: ns)
        return (sim, client, ns)
    }

    /// A raw request with the admin token, to see status codes and headers as they are sent.
    static func raw(_ sim: Simulator, _ client: KubernetesClient, _ method: String, _ path: String,
                    body: JSONValue? = nil) async throws -> HTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(sim.adminToken)", "Accept": "application/json"]
        if body != nil { headers.add("Content-Type", "application/json") }
        return try await CurlTransport.shared.send(HTTPRequest(method: method, url: sim.url + path, headers: headers,
                                                               body: body?.serializedBytes(), tls: client.configuration.tls))
    }

    @Test("an error fault answers 503 with Retry-After, only for the verb, resource and namespace it names")
    func serverError() async throws {
        let (sim, client, ns) = try await Self.setUp()
        try sim.faults.add(FaultRule(kind: .error, verbs: ["list"], resources: ["configmaps"], namespaces: [ns],
                                     code: 503, retryAfterSeconds: 2))
        let response = try await Self.raw(sim, client, "GET", "/api/v1/namespaces/\(ns)/configmaps")
        #expect(response.status == 503)
        #expect(response.headers["Retry-After"] == "2")
        let status = try JSONValue(parsing: response.body)
        #expect(status["kind"].stringValue == "Status" && status["reason"].stringValue == "ServiceUnavailable")
        do {
            _ = try await client.list(.configmaps, namespace: ns)
            Issue.record("the list should have failed")
        } catch let error as KubeError {
            #expect(error.httpCode == 503 && error.isRetryable && error.retryAfter == .seconds(2), "\(error)")
        }
        // Other verbs, resources and namespaces are untouched.
        #expect(try await client.get(.configmaps, name: "settings", namespace: ns)["data"]["mode"].stringValue == "blue")
        #expect(try await client.list(.secrets, namespace: ns).items.isEmpty)
        _ = try await client.list(.configmaps, namespace: "default")
    }

    @Test("a 429 fault with times=2 fails twice, then lets requests through")
    func tooManyRequests() async throws {
        let (sim, client, ns) = try await Self.setUp()
        try sim.faults.add(FaultRule(kind: .error, verbs: ["get"], namespaces: [ns], code: 429, retryAfterSeconds: 1, times: 2))
        for _ in 0..<2 {
            let response = try await Self.raw(sim, client, "GET", "/api/v1/namespaces/\(ns)/configmaps/settings")
            #expect(response.status == 429 && response.headers["Retry-After"] == "1")
            #expect(try JSONValue(parsing: response.body)["reason"].stringValue == "TooManyRequests")
        }
        let response = try await Self.raw(sim, client, "GET", "/api/v1/namespaces/\(ns)/configmaps/settings")
        #expect(response.status == 200)
        #expect(sim.faults.rules.isEmpty, "the rule retires after its uses")
    }

    @Test("a latency fault delays matching requests")
    func latency() async throws {
        let (sim, client, ns) = try await Self.setUp()
        // A whole second, so that a list slowed by a busy host (a parallel test run) is still
        // told apart from one the fault held.
        try sim.faults.add(FaultRule(kind: .latency, verbs: ["get"], namespaces: [ns], latencyMilliseconds: 1000))
        let start = ContinuousClock.now
        _ = try await client.get(.configmaps, name: "settings", namespace: ns)
        #expect(ContinuousClock.now - start >= .milliseconds(1000))
        let unaffected = ContinuousClock.now
        _ = try await client.list(.configmaps, namespace: ns)
        #expect(ContinuousClock.now - unaffected < .milliseconds(1000))
    }

    @Test("a conflict fault answers updates and patches with 409 while reads succeed")
    func conflict() async throws {
        let (sim, client, ns) = try await Self.setUp()
        try sim.faults.add(FaultRule(kind: .conflict, resources: ["configmaps"], namespaces: [ns]))
        var object = try await client.get(.configmaps, name: "settings", namespace: ns)
        object[path: ["data", "mode"]] = "green"
        do {
            _ = try await client.update(.configmaps, object, namespace: ns)
            Issue.record("the update should have conflicted")
        } catch let error as KubeError {
            #expect(error.isConflict && error.httpCode == 409, "\(error)")
            #expect(error.status?.message?.contains("the object has been modified") == true)
        }
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        let result = try await kubectl.run("patch", "configmap", "settings", "-n", ns, "--type=merge", "-p", "{\"data\":{\"mode\":\"red\"}}")
        #expect(!result.succeeded && (result.stderr.contains("Conflict") || result.stderr.contains("modified")), "\(result)")
        #expect(try await client.get(.configmaps, name: "settings", namespace: ns)["data"]["mode"].stringValue == "blue")
        try #require(sim.faults.rules.first.map { sim.faults.remove(id: $0.id) } == true)
        _ = try await client.update(.configmaps, object, namespace: ns)
    }

    @Test("a close-watches fault ends running watches on its timer")
    func closeWatches() async throws {
        let (sim, client, ns) = try await Self.setUp()
        let list = try await client.list(.configmaps, namespace: ns)
        try sim.faults.add(FaultRule(kind: .closeWatches, resources: ["configmaps"], everySeconds: 0.5))
        let watch = try await client.watch(.configmaps, namespace: ns,
                                           options: WatchOptions(resourceVersion: list.resourceVersion, timeoutSeconds: 60))
        let start = ContinuousClock.now
        let ended = Task { () -> Duration in
            do { for try await _ in watch {} } catch {}
            return ContinuousClock.now - start
        }
        let elapsed = try await waitFor("the watch closed", timeout: .seconds(10)) { () -> Duration? in
            await Task.yield()
            return sim.faults.runningWatches == 0 ? await ended.value : nil
        }
        #expect(elapsed < .seconds(5), "the watch ran \(elapsed) although watches close every 0.5 s")
    }

    @Test("compaction makes a watch from an older resourceVersion end with 410 Expired")
    func compaction() async throws {
        let (sim, client, ns) = try await Self.setUp()
        let old = try await client.list(.configmaps, namespace: ns).resourceVersion
        var object = try await client.get(.configmaps, name: "settings", namespace: ns)
        object[path: ["data", "mode"]] = "green"
        _ = try await client.update(.configmaps, object, namespace: ns)
        let response = try await Self.raw(sim, client, "POST", "/admin/faults/compact")
        #expect(response.status == 200, "\(response.bodyText)")
        let watch = try await client.watch(.configmaps, namespace: ns, options: WatchOptions(resourceVersion: old))
        var first: WatchEvent?
        for try await event in watch {
            first = event
            break
        }
        guard case .expired(let status)? = first else {
            Issue.record("expected an expired event, got \(String(describing: first))")
            return
        }
        #expect(status.code == 410)
    }

    @Test("a pause fault holds every request until it ends")
    func pause() async throws {
        let (sim, client, ns) = try await Self.setUp()
        try sim.faults.add(FaultRule(kind: .pause, seconds: 1))
        let start = ContinuousClock.now
        let value = try await client.get(.configmaps, name: "settings", namespace: ns)
        #expect(ContinuousClock.now - start >= .milliseconds(900))
        #expect(value["data"]["mode"].stringValue == "blue")
        #expect(sim.faults.rules.isEmpty, "the pause retires when it ends")
    }

    @Test("a probability of 0.5 fails about half of the requests")
    func probability() async throws {
        let (sim, client, ns) = try await Self.setUp()
        try sim.faults.add(FaultRule(kind: .error, verbs: ["get"], namespaces: [ns], probability: 0.5, code: 500))
        var failures = 0
        for _ in 0..<200 {
            let response = try await Self.raw(sim, client, "GET", "/api/v1/namespaces/\(ns)/configmaps/settings")
            if response.status == 500 { failures += 1 } else { #expect(response.status == 200) }
        }
        #expect((60...140).contains(failures), "\(failures) of 200 failed")
    }

    @Test("the admin endpoint adds, lists and removes faults; kubectl can drive it")
    func adminEndpoint() async throws {
        let (sim, client, ns) = try await Self.setUp()
        let kubectl = Kubectl(kubeconfig: sim.kubeconfigPath)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString).json")
        let rule: JSONValue = ["kind": "error", "code": 500, "verbs": ["get"], "namespaces": [.string(ns)], "id": "boom"]
        try rule.serialized().write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var result = try await kubectl.run("create", "--raw", "/admin/faults", "-f", file.path)
        #expect(result.succeeded && result.stdout.contains("\"id\":\"boom\""), "\(result)")
        result = try await kubectl.run("get", "--raw", "/admin/faults")
        #expect(result.stdout.contains("\"boom\""), "\(result)")
        result = try await kubectl.run("get", "configmap", "settings", "-n", ns)
        #expect(!result.succeeded && result.stderr.contains("injected fault boom"), "\(result)")
        result = try await kubectl.run("delete", "--raw", "/admin/faults/boom")
        #expect(result.succeeded, "\(result)")
        result = try await kubectl.run("get", "configmap", "settings", "-n", ns)
        #expect(result.succeeded, "\(result)")

        let bad = try await Self.raw(sim, client, "POST", "/admin/faults", body: ["kind": "error", "code": 200])
        #expect(bad.status == 400 && bad.bodyText.contains("code must be 429 or 5xx"), "\(bad.bodyText)")
        let replaced = try await Self.raw(sim, client, "PUT", "/admin/faults",
                                         body: ["rules": [["kind": "latency", "latencyMilliseconds": 5, "namespaces": [.string(ns)]]]])
        #expect(replaced.status == 200 && sim.faults.rules.map(\.kind) == [.latency])
        let cleared = try await Self.raw(sim, client, "DELETE", "/admin/faults")
        #expect(cleared.status == 200 && sim.faults.rules.isEmpty)
        // A user without rights cannot touch faults.
        let outsider = try sim.kubeconfig(user: "outsider")
        let denied = try await Kubectl(kubeconfig: outsider).run("get", "--raw", "/admin/faults")
        #expect(!denied.succeeded && denied.stderr.contains("forbidden"), "\(denied)")
    }

    @Test("--fault flags parse into rules, and bad ones say what is wrong")
    func flags() throws {
        let rule = try FaultRule(flag: "error:code=503,verbs=list|watch,resources=pods|deployments.apps,probability=0.5,retry-after=2,times=3")
        #expect(rule.kind == .error && rule.code == 503 && rule.verbs == ["list", "watch"])
        #expect(rule.resources == ["pods", "deployments.apps"] && rule.probability == 0.5)
        #expect(rule.retryAfterSeconds == 2 && rule.times == 3)
        #expect(try FaultRule(flag: "close-watches:every=5").everySeconds == 5)
        #expect(try FaultRule(flag: "pause:seconds=10").seconds == 10)
        #expect(try FaultRule(flag: "latency:ms=300,verbs=get").latencyMilliseconds == 300)
        #expect(try FaultRule(flag: "compact").kind == .compact)
        #expect(try FaultRule(flag: "conflict:resources=deployments").covers(
            FaultRequest(verb: "update", resource: GroupResource(group: "apps", resource: "deployments"), namespace: "x")))
        #expect(throws: FaultRuleError.self) { try FaultRule(flag: "explode") }
        #expect(throws: FaultRuleError.self) { try FaultRule(flag: "error") }
        #expect(throws: FaultRuleError.self) { try FaultRule(flag: "error:code=503,verbs=fly") }
        #expect(throws: FaultRuleError.self) { try FaultRule(flag: "latency:ms=abc") }
        #expect(throws: FaultRuleError.self) { try FaultRule(flag: "error:code=503,probability=2") }
    }
}
