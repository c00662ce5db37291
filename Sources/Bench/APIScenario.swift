import Foundation
import HummingbirdWSClient
import KubeClient
import Logging
import NIOConcurrencyHelpers
import OpsAPI
#if canImport(Glibc)
import Glibc
#endif

/// The GraphQL API's figures (issue 25): a query listing 1,000 rollouts with status, p99
/// ≤ 20 ms; a status change reaching 100 subscribers, p99 ≤ 100 ms; memory the API server
/// adds for 100 subscribers ≤ 30 MB.
///
/// The API server runs in a child process of its own (this binary with `--api`), so its
/// RSS is its alone; the queries and the 100 WebSocket subscribers run in the scenario's
/// process, the embedded cluster in another child.
struct APIScenario: BenchScenario {
    let name = "api"

    func describe(_ options: BenchOptions) -> String {
        "\(options.int("api-rollouts", 1000)) BlueGreenDeployments with status in 10 namespaces; opsagent api (child process) "
            + "serves them from its caches. \(options.int("api-queries", 300)) sequential POST /graphql queries list them all with status; "
            + "then \(options.int("api-subscribers", 100)) WebSocket subscribers (graphql-transport-ws) receive \(options.int("api-changes", 100)) "
            + "status changes, timed from just before each status write to each subscriber's message."
    }

    func rows(_ options: BenchOptions) -> [BenchRow] {
        [
            BenchRow(key: "api_query_p99_ms", label: "query listing 1,000 rollouts with status, p99", unit: "ms", target: "≤ 20"),
            BenchRow(key: "api_query_p50_ms", label: "  the same query, median", unit: "ms"),
            BenchRow(key: "api_subscription_p99_ms", label: "status change → subscription message, p99 (100 subscribers)", unit: "ms", target: "≤ 100"),
            BenchRow(key: "api_subscription_p50_ms", label: "  the same, median", unit: "ms"),
            BenchRow(key: "api_rss_subscribers_added_mib", label: "API server RSS added by 100 subscribers", unit: "MiB", target: "≤ 30", decimals: 1),
            BenchRow(key: "api_rss_synced_mib", label: "  API server RSS, caches synced (1,000 rollouts)", unit: "MiB", decimals: 1),
        ]
    }

    func settings(_ options: BenchOptions) -> [String: Any] {
        ["rollouts": options.int("api-rollouts", 1000), "queries": options.int("api-queries", 300),
         "subscribers": options.int("api-subscribers", 100), "changes": options.int("api-changes", 100)]
    }

    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun {
        let rollouts = options.int("api-rollouts", 1000), subscribers = options.int("api-subscribers", 100)
        let child = try await SimProcess.start(timeScale: options.timeScale)
        defer { child.stop() }
        let configuration = try ClusterConfiguration.load(kubeconfigPath: child.kubeconfig)
        guard let token = try? String(contentsOfFile: child.kubeconfig + ".token", encoding: .utf8) else {
            throw BenchError("the simulator wrote no admin token beside its kubeconfig")
        }
        let client = KubernetesClient(configuration: configuration, transport: CurlTransport(maxConnectionsPerHost: 64))
        for crd in OpsAPI.customResourceDefinitions { _ = try await client.create(.customResourceDefinitions, crd.json) }
        try await until("bluegreendeployments are served", seconds: 30) {
            (try? await client.list(BlueGreenDeployment.groupVersionResource, namespace: nil)) != nil
        }
        out("api bench: creating \(rollouts) rollouts with status…")
        for n in 0..<10 {
            _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("api-\(n)")]])
        }
        try await forEach((0..<rollouts).map { "\($0)" }, concurrency: 32) { item in
            let n = Int(item)!, namespace = "api-\(n % 10)", name = "web-\(n)"
            _ = try await client.create(BlueGreenDeployment.groupVersionResource, Self.rollout(name), namespace: namespace)
            _ = try await client.patch(BlueGreenDeployment.groupVersionResource, name: name, namespace: namespace, type: .merge,
                                       body: ["status": Self.status(n)], subresource: "status")
        }
        let api = try await APIProcess.start(kubeconfig: child.kubeconfig)
        defer { api.stop() }
        let url = "http://127.0.0.1:\(api.port)/graphql"

        out("api bench: \(options.int("api-queries", 300)) queries…")
        let query = "{ deployments { id name namespace phase activeColor previewColor activeRevision previewRevision replicas readyReplicas "
            + "analysis { phase verdict summary } } }"
        let body = Array((["query": .string(query)] as JSONValue).serialized().utf8)
        let headers: HTTPHeaders = ["Content-Type": "application/json", "Authorization": "Bearer \(token)"]
        let transport = CurlTransport()
        var latencies: [Double] = []
        for i in 0..<(options.int("api-queries", 300) + 20) {
            let started = ContinuousClock.now
            let response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body))
            let elapsed = seconds(ContinuousClock.now - started) * 1000
            guard response.status == 200, let answer = try? JSONValue(parsing: response.body),
                  answer["data"]["deployments"].arrayValue?.count == rollouts else {
                throw BenchError("the query failed: HTTP \(response.status) \(response.bodyText.prefix(300))")
            }
            if i >= 20 { latencies.append(elapsed) }  // the first ones warm the connection and the access-review cache
        }
        var figures: Figures = ["api_query_p99_ms": percentile(latencies, 0.99), "api_query_p50_ms": percentile(latencies, 0.5)]

        try await Task.sleep(for: .seconds(1))
        let synced = ProcStats.rssMiB(api.pid)
        figures["api_rss_synced_mib"] = synced
        out("api bench: \(subscribers) subscribers…")
        let board = SubscriberBoard()
        let wsURL = "ws://127.0.0.1:\(api.port)/graphql"
        let clients = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<subscribers {
                    group.addTask { try await Self.subscriber(url: wsURL, token: token, board: board) }
                }
                try await group.waitForAll()
            }
        }
        try await until("\(subscribers) subscriptions are acknowledged", seconds: 60) { board.subscribed >= subscribers }
        try await Task.sleep(for: .seconds(2))
        figures["api_rss_subscribers_added_mib"] = ProcStats.rssMiB(api.pid) - synced

        let changes = options.int("api-changes", 100)
        for c in 0..<changes {
            let n = c % rollouts, marker = "change-\(c)"
            board.sent(marker)
            _ = try await client.patch(BlueGreenDeployment.groupVersionResource, name: "web-\(n)", namespace: "api-\(n % 10)", type: .merge,
                                       body: ["status": ["message": .string(marker)]], subresource: "status")
            try await Task.sleep(for: .milliseconds(50))
        }
        try await until("every subscriber has every change", seconds: 30) { board.received >= changes * subscribers }
        clients.cancel()
        let delays = board.latencies()
        figures["api_subscription_p99_ms"] = percentile(delays, 0.99)
        figures["api_subscription_p50_ms"] = percentile(delays, 0.5)
        return ScenarioRun(figures: figures, notes: ["\(delays.count) subscription messages timed"])
    }

    static func rollout(_ name: String) -> JSONValue {
        ["apiVersion": .string(BlueGreenDeployment.apiVersion), "kind": .string(BlueGreenDeployment.kind), "metadata": ["name": .string(name)],
         "spec": ["replicas": 3, "template": ["metadata": ["labels": ["app": .string(name)]],
                                              "spec": ["containers": [["name": "app", "image": "shop:1.0"]]]],
                  "activeService": ["name": .string(name)]]]
    }

    static func status(_ n: Int) -> JSONValue {
        ["phase": n % 7 == 0 ? "Analyzing" : "Healthy", "activeColor": n % 2 == 0 ? "blue" : "green", "activeRevision": "5d8f9c7b4",
         "previewRevision": n % 7 == 0 ? "7c6b5a4f3" : .null, "replicas": 3, "readyReplicas": 3, "observedGeneration": 1,
         "analysis": ["stage": "pre", "phase": "Successful", "checks": [["name": "error-rate", "phase": "Successful"]],
                      "analyzer": ["verdict": "pass", "summary": "error rate 0.2% under 1%", "provider": "builtin"]]]
    }

    /// One graphql-transport-ws client subscribed to `deploymentStatusChanged`.
    static func subscriber(url: String, token: String, board: SubscriberBoard) async throws {
        try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.secWebSocketProtocol: "graphql-transport-ws"]),
                                          logger: Logger(label: "bench.ws")) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"connection_init","payload":{"Authorization":"Bearer \#(token)"}}"#))
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else { continue }
                if text.contains("connection_ack") {
                    try await outbound.write(.text(#"{"id":"1","type":"subscribe","payload":{"query":"subscription { deploymentStatusChanged { id message } }"}}"#))
                    board.subscribe()
                    continue
                }
                if let range = text.range(of: #""message":"change-"#) {
                    let rest = text[range.upperBound...]
                    board.receive("change-" + rest.prefix { $0.isNumber })
                }
            }
        }
    }
}

/// What the subscribers saw: when each change was sent, and when each message arrived.
final class SubscriberBoard: Sendable {
    private let state = NIOLockedValueBox<(subscribed: Int, sent: [String: ContinuousClock.Instant], delays: [Double])>((0, [:], []))

    var subscribed: Int { state.withLockedValue { $0.subscribed } }
    var received: Int { state.withLockedValue { $0.delays.count } }
    func subscribe() { state.withLockedValue { $0.subscribed += 1 } }
    func sent(_ marker: String) { state.withLockedValue { $0.sent[marker] = .now } }
    func receive(_ marker: String) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            if let sent = state.sent[marker] { state.delays.append(seconds(now - sent) * 1000) }
        }
    }
    func latencies() -> [Double] { state.withLockedValue { $0.delays } }
}
