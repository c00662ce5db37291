import Cloud
import Foundation
import KubeClient
import ArgumentParser
import Logging

/// The clouds `opsagent run` talks to: flags over the cloud ConfigMap (`--cloud-configmap`,
/// `namespace/name`), with the Secret it names for keys. A ConfigMap or Secret that cannot
/// be read, or an invalid value, stops the operator with what to fix.
struct CloudSetup {
    var configMap: String?
    var flags: [String: String?]
    var environment: [String: String]
    var client: KubernetesClient
    var logger: Logger

    func makeClients() async throws -> CloudClients? {
        var data: [String: String] = [:]
        var secret: [String: [UInt8]] = [:]
        if let configMap {
            let parts = configMap.split(separator: "/", maxSplits: 1).map(String.init)
            let (namespace, name) = parts.count == 2 ? (parts[0], parts[1]) : (client.defaultNamespace, parts[0])
            do {
                let object = try await client.get(.configmaps, name: name, namespace: namespace)
                data = (object["data"].objectValue ?? [:]).compactMapValues(\.stringValue)
            } catch {
                throw ValidationError("cannot read the cloud ConfigMap \(namespace)/\(name): \(error)")
            }
            if let secretName = data["secretName"] {
                do {
                    let object = try await client.get(.secrets, name: secretName, namespace: namespace)
                    for (key, value) in object["data"].objectValue ?? [:] {
                        if let text = value.stringValue, let bytes = Data(base64Encoded: text) { secret[key] = Array(bytes) }
                    }
                } catch {
                    throw ValidationError("cannot read the cloud Secret \(namespace)/\(secretName) named by the ConfigMap: \(error)")
                }
            }
        }
        let configuration = CloudConfiguration(configMap: data, flags: flags, secret: secret, environment: environment)
        let clients: CloudClients?
        do { clients = try configuration.clients() } catch { throw ValidationError(error.description) }
        logger.info("clouds configured", metadata: [
            "aws": .string(clients?.awsSettings?.region ?? "off"),
            "gcp": .string(clients?.gcpSettings == nil ? "off" : (clients?.gcpSettings?.project ?? "project from credentials")),
        ])
        return clients
    }
}
