import Analysis
import Foundation
import KubeClient
import Logging
import OperatorKit

/// The values of the Secrets in the namespaces a tool answers about, so that the redactor
/// can hide them wherever they were copied (an env var, an annotation, a log line, an Event).
///
/// Read with the server's own identity (the caller may not be allowed to read Secrets, yet
/// what it reads may still contain one), never rendered, and cached for `ttl` per
/// namespace (one cluster-wide list for cluster-wide answers).
public final class SecretValues: Sendable {
    private let client: KubernetesClient
    private let logger: Logger
    private let cache: ExpiringCache<Set<String>>
    /// Cache key for the whole cluster.
    private static let everywhere = "\u{0}*"

    public init(client: KubernetesClient, ttl: Duration = .seconds(5), logger: Logger) {
        self.client = client
        self.cache = ExpiringCache(ttl: ttl)
        self.logger = logger
    }

    /// The sensitive forms (``FactsGatherer/sensitiveForms(of:)``) of every Secret value in
    /// `namespaces`; nil means every namespace.
    public func forms(in namespaces: Set<String>?) async -> Set<String> {
        guard let namespaces else { return await forms(key: Self.everywhere, namespace: nil) }
        var all = Set<String>()
        for namespace in namespaces { all.formUnion(await forms(key: namespace, namespace: namespace)) }
        return all
    }

    private func forms(key: String, namespace: String?) async -> Set<String> {
        // Reading never throws: a failed read is an empty set, kept for the ttl like an answer,
        // so a cluster that refuses the read is not asked again on every call.
        (try? await cache.value(for: key) { await self.read(namespace) }) ?? []
    }

    private func read(_ namespace: String?) async -> Set<String> {
        var values: [String] = []
        do {
            let secrets = try await client.listAll(.secrets, namespace: namespace)
            for secret in secrets.items {
                for (_, encoded) in secret["data"].objectValue ?? [:] {
                    guard let text = encoded.stringValue, let data = Data(base64Encoded: text) else { continue }
                    values.append(String(decoding: data, as: UTF8.self))
                }
                for (_, plain) in secret["stringData"].objectValue ?? [:] {
                    if let text = plain.stringValue { values.append(text) }
                }
            }
        } catch {
            // Without the values, the pattern detectors and the masking of Secret objects
            // still apply; say so, once per expiry, without failing the call.
            logger.warning("cannot read Secrets to redact their values; only pattern-based redaction applies",
                           metadata: ["namespace": "\(namespace ?? "*")", "error": "\(error)"])
        }
        return FactsGatherer.sensitiveForms(of: values)
    }
}
