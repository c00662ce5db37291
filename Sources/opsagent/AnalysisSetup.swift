import Analysis
import ArgumentParser
import KubeClient
import Logging

/// Builds the analyzer `opsagent run` uses from a ConfigMap, the environment and flags,
/// reading the API key from the referenced Secret when there is one.
struct AnalysisSetup {
    var configMap: String?
    var overrides: [String: String]
    var environment: [String: String]
    var client: KubernetesClient
    var logger: Logger

    func makeAnalyzer() async throws -> any Analyzer {
        var data: [String: String] = [:]
        var namespace = client.defaultNamespace
        if let configMap {
            let parts = configMap.split(separator: "/", maxSplits: 1).map(String.init)
            let name = parts.count == 2 ? parts[1] : parts[0]
            if parts.count == 2 { namespace = parts[0] }
            do {
                let object = try await client.get(.configmaps, name: name, namespace: namespace)
                for (k, v) in object["data"].objectValue ?? [:] { data[k] = v.stringValue }
            } catch {
                throw ValidationError("cannot read the analysis ConfigMap \(namespace)/\(name): \(error)")
            }
        }
        let configuration: AnalysisConfiguration
        do {
            configuration = try AnalysisConfiguration.load(configMapData: data, environment: environment, overrides: overrides)
        } catch {
            throw ValidationError("analysis configuration: \(error)")
        }
        var secretData: [String: String]?
        if let reference = configuration.apiKeySecret {
            let secret = try? await client.get(.secrets, name: reference.name, namespace: namespace)
            secretData = secret?["data"].objectValue?.compactMapValues(\.stringValue)
            if secretData == nil { logger.warning("the analysis API key Secret \(namespace)/\(reference.name) cannot be read") }
        }
        logger.info("analysis provider: \(configuration.provider)")
        return AnalyzerFactory.makeAnalyzer(configuration, apiKey: configuration.apiKey(environment: environment, secretData: secretData),
                                            logger: logger)
    }
}
