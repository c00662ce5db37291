import Foundation
import KubeClient

extension AnalysisConfiguration {
    /// Reads the configuration from a ConfigMap's data, the environment and flag overrides.
    ///
    /// **ConfigMap.** Either flat keys, each value a string (`provider: openai`,
    /// `budget.callsPerMinute: "20"`), or one key named `analysis.yaml`, `analysis.yml` or
    /// `analysis.json` holding a nested document (`budget: {callsPerMinute: 20}`); both may
    /// be combined, flat keys winning.
    ///
    /// **Environment.** `OPSAGENT_ANALYSIS_` followed by the key in upper snake case:
    /// `OPSAGENT_ANALYSIS_PROVIDER`, `OPSAGENT_ANALYSIS_BUDGET_CALLS_PER_MINUTE`.
    ///
    /// **Flags.** `overrides` holds flag values by key (`--analysis-provider` becomes
    /// `provider`), applied last.
    ///
    /// | key | value | default |
    /// |---|---|---|
    /// | `provider` | `builtin`, `openai`, `azure-openai`, `vllm`, `ollama`, `lmstudio`, `anthropic` | `builtin` |
    /// | `model` | model name (Azure: defaults to the deployment) | required for LLM providers |
    /// | `baseURL` | API root: `https://api.openai.com/v1`, `http://vllm:8000/v1`, `https://res.openai.azure.com`, `https://api.anthropic.com` | the provider's |
    /// | `azure.deployment` | Azure OpenAI deployment name | required for `azure-openai` |
    /// | `azure.apiVersion` | Azure `api-version` query value | `2024-10-21` |
    /// | `apiKeySecret` | `secret-name` or `secret-name/key` in the operator's namespace | none; env `OPSAGENT_LLM_API_KEY` (or `OPENAI_API_KEY`, `AZURE_OPENAI_API_KEY`, `ANTHROPIC_API_KEY`) also works |
    /// | `temperature` | 0–2 | omitted (the model's default) |
    /// | `outputMode` | `json_schema` or `json_object` (OpenAI-compatible servers) | `json_schema`, downgraded automatically when refused |
    /// | `timeout` | duration (`30s`, `2m`, `500ms`) for one analysis, retries included | `30s` |
    /// | `maxRetries` | retries of 429/5xx/connection failures | `2` |
    /// | `maxOutputTokens` | tokens a model may write per call | `1024` |
    /// | `guardrails` | `true`: the model cannot pass what the built-in rules fail | `true` |
    /// | `cache.ttl` | how long an answer is reused for the same incident | `10m` |
    /// | `cache.failureTTL` | how long a provider-failure fallback is reused | `1m` |
    /// | `cache.capacity` | answers kept | `1024` |
    /// | `budget.callsPerMinute` | LLM calls a minute for the whole operator; `0` for no limit | `30` |
    /// | `budget.tokensPerHour` | LLM tokens an hour for the whole operator; `0` for no limit | `200000` |
    /// | `thresholds.errorRate` | highest error rate, 0–1 | `0.05` |
    /// | `thresholds.cpuOfLimit` | highest CPU use as a fraction of the limit | `0.8` |
    /// | `thresholds.memoryOfLimit` | highest memory use as a fraction of the limit | `0.9` |
    /// | `thresholds.restartWarning` | restarts of a container that warn | `1` |
    /// | `thresholds.restartFailure` | restarts of a container that fail | `3` |
    /// | `thresholds.minReadyFraction` | fraction of running pods that must be ready | `1.0` |
    /// | `redaction.patterns` | list of `{name, pattern, restore}` (YAML or JSON); `restore` maps matches back into results | none |
    ///
    /// - Throws: ``AnalysisConfigurationError`` naming the key to fix.
    public static func load(configMapData: [String: String] = [:], environment: [String: String] = [:],
                            overrides: [String: String] = [:]) throws(AnalysisConfigurationError) -> AnalysisConfiguration {
        var values: [String: JSONValue] = [:]
        for documentKey in ["analysis.yaml", "analysis.yml", "analysis.json"] {
            guard let text = configMapData[documentKey] else { continue }
            let document: JSONValue
            do {
                document = try YAML.decode(text)   // YAML is a superset of JSON
            } catch {
                throw .unreadableDocument(key: documentKey, reason: "\(error)")
            }
            guard case .object(let members) = document else {
                throw .unreadableDocument(key: documentKey, reason: "the top level is not a mapping")
            }
            flatten(members, prefix: "", into: &values)
        }
        for (key, value) in configMapData where !key.hasPrefix("analysis.") {
            values[try canonical(key)] = .string(value)
        }
        for key in ConfigurationKey.all {
            if let value = environment[key.environmentName] { values[key.name] = .string(value) }
        }
        for (key, value) in overrides {
            values[try canonical(key)] = .string(value)
        }
        var configuration = AnalysisConfiguration()
        for name in values.keys.sorted() {
            try ConfigurationKey.named(name)!.apply(values[name]!, &configuration)
        }
        try configuration.validate()
        return configuration
    }

    /// Checks the settings fit together: a model for LLM providers, a deployment for Azure,
    /// redaction patterns that compile.
    public func validate() throws(AnalysisConfigurationError) {
        _ = try Redactor(rules: redactionRules)
        switch provider {
        case .builtin:
            return
        case .azureOpenAI:
            guard let deployment = azureDeployment, !deployment.isEmpty else {
                throw .missing(key: "azure.deployment", reason: "azure-openai addresses a deployment, not a model")
            }
            guard baseURL?.isEmpty == false else {
                throw .missing(key: "baseURL", reason: "azure-openai needs the resource endpoint, e.g. https://my-resource.openai.azure.com")
            }
        default:
            guard let model, !model.isEmpty else {
                throw .missing(key: "model", reason: "\(provider.rawValue) needs a model name")
            }
        }
        if provider == .anthropic, let temperature, temperature > 1 {
            throw .invalidValue(key: "temperature", value: "\(temperature)", expected: "a number from 0 to 1 for anthropic")
        }
        if settings.timeout <= .zero {
            throw .invalidValue(key: "timeout", value: "\(settings.timeout)", expected: "a positive duration")
        }
    }

    /// The API key from the environment or from the referenced Secret's `data` (base64, as
    /// the API serves it) or `stringData`.
    public func apiKey(environment: [String: String], secretData: [String: String]? = nil) -> String? {
        if let reference = apiKeySecret, let data = secretData, let encoded = data[reference.key] {
            if let decoded = Data(base64Encoded: encoded.trimmingCharacters(in: .whitespacesAndNewlines)),
               let text = String(data: decoded, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return encoded.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var names = ["OPSAGENT_LLM_API_KEY"]
        switch provider {
        case .openAI: names.append("OPENAI_API_KEY")
        case .azureOpenAI: names.append("AZURE_OPENAI_API_KEY")
        case .anthropic: names.append("ANTHROPIC_API_KEY")
        default: break
        }
        return names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
    }

    // MARK: -

    private static func flatten(_ members: [String: JSONValue], prefix: String, into values: inout [String: JSONValue]) {
        for (key, value) in members {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .object(let nested) = value, ConfigurationKey.named(name) == nil {
                flatten(nested, prefix: name, into: &values)
            } else {
                values[name] = value
            }
        }
    }

    /// The key as the table spells it, accepting any letter case and `-` or `_` for
    /// camel-case humps (`budget.calls-per-minute`), or an error suggesting the nearest key.
    static func canonical(_ key: String) throws(AnalysisConfigurationError) -> String {
        if let known = ConfigurationKey.named(key) { return known.name }
        let folded = ConfigurationKey.fold(key)
        if let known = ConfigurationKey.all.first(where: { ConfigurationKey.fold($0.name) == folded }) { return known.name }
        throw .unknownKey(key, suggestion: ConfigurationKey.nearest(to: key))
    }
}
