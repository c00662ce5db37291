import Foundation
import HummingbirdWSClient
import KubeClient
import Logging
import NIOWebSocket
import NIOConcurrencyHelpers
import Testing

/// Subscriptions over a real WebSocket, with the graphql-transport-ws protocol as
/// graphql-ws clients speak it.
@Suite(.serialized) struct GraphQLSubscriptionTests {
    static let cluster = ClusterBox()

    /// Opens a socket, initialises with `token`, subscribes with `query`, runs `act` once
    /// the subscription is acknowledged, and collects messages until `until` says enough.
    /// Returns the messages and how the server closed the socket.
    static func subscribe(_ cluster: APICluster, token: String, query: String, act: @escaping @Sendable () async throws -> Void,
                          until: @escaping @Sendable ([JSONValue]) -> Bool) async throws -> (messages: [JSONValue], close: UInt16?) {
        let received = NIOLockedValueBox<[JSONValue]>([])
        let url = cluster.url.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
        let close = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(additionalHeaders: [.secWebSocketProtocol: "graphql-transport-ws"]),
                    logger: Logger(label: "test.ws")) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"connection_init","payload":{"Authorization":"Bearer \#(token)"}}"#))
                    var acted = false
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let json = try? JSONValue(parsing: Array(text.utf8)) else { continue }
                        if json["type"].stringValue == "connection_ack" {
                            let payload: JSONValue = ["query": .string(query)]
                            try await outbound.write(.text(#"{"id":"1","type":"subscribe","payload":\#(payload.serialized())}"#))
                            try await Task.sleep(for: .milliseconds(300))
                            if !acted { acted = true; try await act() }
                            continue
                        }
                        let all = received.withLockedValue { $0.append(json); return $0 }
                        if until(all) {
                            try await outbound.write(.text(#"{"id":"1","type":"complete"}"#))
                            try await outbound.close(.normalClosure, reason: nil)
                            return
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(15))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return (received.withLockedValue { $0 }, close.map { UInt16(webSocketErrorCode: $0.closeCode) })
    }

    @Test func statusChangesReachSubscribersOfNamespacesTheyMayWatch() async throws {
        let cluster = try await Self.cluster.get()
        let (messages, _) = try await Self.subscribe(
            cluster, token: cluster.viewerToken, query: "subscription { deploymentStatusChanged { id phase previewColor } }",
            act: {
                // team-b first: the viewer may not watch it, so its change must not arrive.
                try await cluster.setStatus("team-b", "web", ["phase": "Degraded"])
                try await cluster.setStatus("team-a", "web", ["phase": "Analyzing", "activeColor": "blue", "activeRevision": "r1",
                                                              "previewRevision": "r2"])
            },
            until: { $0.contains { $0["payload"]["data"]["deploymentStatusChanged"]["id"].stringValue == "team-a/web" } })
        let changes = messages.filter { $0["type"].stringValue == "next" }.map { $0["payload"]["data"]["deploymentStatusChanged"] }
        #expect(changes.map { $0["id"].stringValue } == ["team-a/web"], "only team-a's change: \(messages)")
        #expect(changes.first?["phase"].stringValue == "Analyzing")
        #expect(changes.first?["previewColor"].stringValue == "green")
    }

    @Test func aFiringAlertIsSentToAlertCreatedSubscribers() async throws {
        let cluster = try await Self.cluster.get()
        _ = try await cluster.admin.create(.init(group: "opsagent.dev", version: "v1alpha1", resource: "alertrules"), [
            "apiVersion": "opsagent.dev/v1alpha1", "kind": "AlertRule", "metadata": ["name": "errors"], "spec": ["expr": "vector(1) > 0"],
        ], namespace: "team-a")
        let (messages, _) = try await Self.subscribe(
            cluster, token: cluster.adminToken, query: "subscription { alertCreated { id status value } }",
            act: {
                _ = try await cluster.admin.patch(.init(group: "opsagent.dev", version: "v1alpha1", resource: "alertrules"), name: "errors",
                                                  namespace: "team-a", type: .merge,
                                                  body: ["status": ["state": "Firing", "value": "1", "firingSince": "2026-12-07T11:00:00Z"]],
                                                  subresource: "status")
            },
            until: { $0.contains { $0["type"].stringValue == "next" } })
        let alert = messages.first { $0["type"].stringValue == "next" }?["payload"]["data"]["alertCreated"]
        #expect(alert?["id"].stringValue == "team-a/errors")
        #expect(alert?["status"].stringValue == "FIRING")
    }

    @Test func aBadTokenClosesTheSocketWithForbidden() async throws {
        let cluster = try await Self.cluster.get()
        let (messages, close) = try await Self.subscribe(cluster, token: "forged", query: "subscription { alertCreated { id } }",
                                                         act: {}, until: { _ in true })
        #expect(messages.isEmpty)
        #expect(close == 4403, "graphql-transport-ws closes an unauthorised socket with 4403")
    }

    @Test func aSubscriptionThatFailsValidationGetsAnErrorMessage() async throws {
        let cluster = try await Self.cluster.get()
        let (messages, _) = try await Self.subscribe(cluster, token: cluster.adminToken, query: "subscription { deploymentStatusChanged { nope } }",
                                                     act: {}, until: { $0.contains { $0["type"].stringValue == "error" } })
        let error = messages.first { $0["type"].stringValue == "error" }
        #expect(error?["payload"][0]["message"].stringValue?.contains("nope") == true, "\(messages)")
    }
}

extension UInt16 {
    init(webSocketErrorCode code: WebSocketErrorCode) {
        // The protocol's own codes (44xx) are the "unknown" ones to NIO; the standard ones are not asserted here.
        if case .unknown(let number) = code { self = number } else { self = 1000 }
    }
}
