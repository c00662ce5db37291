import Foundation
import KubeClient
import Testing
@testable import KubeSim

/// How answers are encoded: `Status` in Go's field order, and the 406 of asking for the wrong
/// one of PartialObjectMetadata and PartialObjectMetadataList.
@Suite("Response encoding")
struct ResponseEncodingTests {
    /// Plain HTTP, where a request without credentials acts as the admin: curl reads the bodies as sent.
    static let shared = SharedSimulator(.init(port: 0, tls: false, workloads: nil))
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    func client() async throws -> KubernetesClient {
        let sim = try await Self.shared.get()
        return KubernetesClient(configuration: try ClusterConfiguration.load(kubeconfigPath: sim.kubeconfigPath))
    }

    /// The status code and the body exactly as the server wrote them.
    func curl(_ method: String, _ path: String, accept: String = "application/json") async throws -> (status: Int, bodyText: String) {
        let sim = try await Self.shared.get()
        let result = try await CommandRunner.run("/usr/bin/curl", ["-s", "-X", method, "-H", "Accept: \(accept)",
                                                                   "-w", "\n%{http_code}", "\(sim.url)\(path)"])
        var lines = result.stdout.components(separatedBy: "\n")
        let code = Int(lines.removeLast()) ?? 0
        return (code, lines.joined(separator: "\n"))
    }

    @Test("a Status body reads exactly as kube-apiserver writes it (Go's encoder ends it with a newline)")
    func statusFieldOrder() async throws {
        let client = try await client()
        let missing = try await curl("GET", Self.configMaps.path(namespace: "default", name: "absent"))
        #expect(missing.status == 404)
        #expect(missing.bodyText == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"absent\" not found","reason":"NotFound","details":{"name":"absent","kind":"configmaps"},"code":404}"# + "\n",
                "\(missing.bodyText)")
        let created = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "gone"]],
                                              namespace: "default")
        let deleted = try await curl("DELETE", Self.configMaps.path(namespace: "default", name: "gone"))
        let uid = created["metadata"]["uid"].stringValue ?? ""
        #expect(deleted.bodyText == #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"gone","kind":"configmaps","uid":"\#(uid)"}}"# + "\n",
                "\(deleted.bodyText)")
    }

    @Test("PartialObjectMetadataList for one object, or PartialObjectMetadata for a list, is 406")
    func partialMetadataMismatch() async throws {
        let client = try await client()
        _ = try await client.create(Self.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "meta"]],
                                    namespace: "default")
        let one = try await curl("GET", Self.configMaps.path(namespace: "default", name: "meta"),
                                           accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
        #expect(one.status == 406)
        let status = try JSONValue(parsing: one.bodyText)
        #expect(status["reason"] == "NotAcceptable")
        #expect(status["message"] == "you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)")
        let list = try await curl("GET", Self.configMaps.path(namespace: "default"),
                                            accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        #expect(list.status == 406)
        #expect(try JSONValue(parsing: list.bodyText)["message"]
                == "you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)")
        // The matching forms work.
        let single = try await curl("GET", Self.configMaps.path(namespace: "default", name: "meta"),
                                              accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        #expect(try JSONValue(parsing: single.bodyText)["kind"] == "PartialObjectMetadata")
        let many = try await curl("GET", Self.configMaps.path(namespace: "default"),
                                            accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
        #expect(try JSONValue(parsing: many.bodyText)["kind"] == "PartialObjectMetadataList")
    }
}
