import Foundation
import Hummingbird
import NIOCore
import Testing
import TestSupport
@testable import KubeClient

/// `opsagent get` run as a user would: the real binary, a kubeconfig on disk, TLS with a client certificate.
@Suite struct GetCommandTests {
    @Sendable static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable static func discoveryRoutes(_ router: Router<ConnectionContext>) {
        let json = Self.json
        router.get("api") { _, _ in json(#"{"kind":"APIVersions","versions":["v1"]}"#) }
        router.get("apis") { _, _ in json(#"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#) }
        router.get("api/v1") { _, _ in
            json(#"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"],"shortNames":["po"]},{"name":"pods/log","singularName":"","namespaced":true,"kind":"Pod","verbs":["get"]}]}"#)
        }
        router.get("api/v1/namespaces/team-a/pods") { request, _ in
            let selector = request.uri.queryParameters["labelSelector"].map(String.init) ?? ""
            let pods = [("web-1", "app=web"), ("web-2", "app=web"), ("db-0", "app=db")]
                .filter { selector.isEmpty || $0.1 == selector }
                .map { #"{"metadata":{"name":"\#($0.0)","namespace":"team-a","creationTimestamp":"2026-01-01T00:00:00Z","labels":{"app":"\#($0.1.dropFirst(4))"}}}"# }
            return json(#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[\#(pods.joined(separator: ","))]}"#)
        }
    }

    func writeKubeconfig(_ server: TestAPIServer, in dir: URL) throws -> String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: \(server.url)
            certificate-authority-data: \(b64(server.caPEM))
        users:
        - name: admin
          user:
            client-certificate-data: \(b64(server.admin.certificatePEM))
            client-key-data: \(b64(server.admin.privateKeyPEM))
        contexts:
        - name: test
          context: {cluster: test, user: admin, namespace: team-a}
        current-context: test
        """
        let path = dir.appendingPathComponent("kubeconfig").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func listsPodsOverTLSWithAClientCertificate() async throws {
        let server = try await TestAPIServer.start(configure: Self.discoveryRoutes)
        defer { Task { await server.stop() } }
        let dir = try TemporaryDirectory()
        let kubeconfig = try writeKubeconfig(server, in: dir.url)

        let table = try await runOpsagent(["get", "pods", "--kubeconfig", kubeconfig])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["NAME", "AGE"])
        #expect(lines.dropFirst().map { $0.first } == ["web-1", "web-2", "db-0"])

        let json = try await runOpsagent(["get", "po", "-l", "app=web", "-o", "json", "--kubeconfig", kubeconfig])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let list = try JSONValue(parsing: json.stdout)
        #expect(list["kind"] == "List")
        #expect(list["items"].arrayValue?.compactMap { $0["metadata"]["name"].stringValue } == ["web-1", "web-2"])
        #expect(list["items"][0]["kind"] == "Pod")

        let names = try await runOpsagent(["get", "pods", "-o", "name", "--kubeconfig", kubeconfig])
        #expect(names.stdout == "pod/web-1\npod/web-2\npod/db-0\n")
    }

    @Test func explainsAnUnknownResourceType() async throws {
        let server = try await TestAPIServer.start(configure: Self.discoveryRoutes)
        defer { Task { await server.stop() } }
        let dir = try TemporaryDirectory()
        let kubeconfig = try writeKubeconfig(server, in: dir.url)
        let result = try await runOpsagent(["get", "widgets", "--kubeconfig", kubeconfig])
        #expect(result.status != 0)
        #expect(result.stderr.contains("doesn't have a resource type \"widgets\""))
    }
}

struct TemporaryDirectory: ~Copyable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("opsagent-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The `opsagent` binary built beside the test bundle.
func opsagentExecutable() throws -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("opsagent")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/opsagent")
    guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
        throw KubeError.configuration("the opsagent binary was not found beside the tests; run `swift build` first")
    }
    return fallback
}

func runOpsagent(_ arguments: [String]) async throws -> ProcessRunner.Result {
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "KUBECONFIG")
    return try await ProcessRunner.run(try opsagentExecutable(), arguments, environment: environment)
}
