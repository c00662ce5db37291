import Foundation
import KubeClient
import KubeSim
import Testing

/// `stringData` is write-only: the API server merges it into `data`, its keys winning.
@Suite struct SecretStringDataTests {
    @Test func stringDataIsMergedIntoDataAndNeverStored() async throws {
        let sim = try await Simulator.start(.init(port: 0))
        defer { Task { await sim.stop() } }
        let client = try KubernetesClient(kubeconfigPath: sim.kubeconfigPath)
        _ = try await client.create(.secrets, [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "mixed"],
            "data": ["kept": .string(Data("old".utf8).base64EncodedString()), "both": .string(Data("from-data".utf8).base64EncodedString())],
            "stringData": ["both": "from-stringData", "plain": "p4ss"],
        ], namespace: "default")
        let secret = try await client.get(.secrets, name: "mixed", namespace: "default")
        #expect(secret["stringData"].isNull)
        func decoded(_ key: String) -> String? {
            secret["data"][key].stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(decoded("kept") == "old")
        #expect(decoded("both") == "from-stringData")
        #expect(decoded("plain") == "p4ss")
        #expect(secret["type"] == "Opaque")
    }
}
