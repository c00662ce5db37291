import KubeClient
import Logging
import Scheduling

/// Builds the operator's analyzer from its configuration.
///
/// ```swift
/// let configuration = try AnalysisConfiguration.load(configMapData: configMap.data,
///                                                    environment: ProcessInfo.processInfo.environment)
/// let analyzer = AnalyzerFactory.makeAnalyzer(configuration,
///     apiKey: configuration.apiKey(environment: env, secretData: secret?.data))
/// ```
public enum AnalyzerFactory {
    /// The analyzer the configuration describes: the built-in one, or an ``LLMAnalyzer``
    /// with one cache and one budget for the whole operator.
    ///
    /// A provider that cannot be built (no API key, a bad URL) does not stop the operator:
    /// the returned analyzer answers with the built-in rules and marks every result
    /// degraded with reason `Misconfigured` and what to fix, and the problem is logged.
    public static func makeAnalyzer(_ configuration: AnalysisConfiguration, apiKey: String?,
                                    transport: any HTTPTransport = CurlTransport.shared,
                                    clock: any OperatorClock = SystemClock(),
                                    logger: Logger = Logger(label: "opsagent.analysis")) -> any Analyzer {
        let redactor: Redactor
        do {
            redactor = try Redactor(rules: configuration.redactionRules)
        } catch {
            logger.error("analysis redaction rules are invalid: \(error)")
            return MisconfiguredAnalyzer(fallback: BuiltinAnalyzer(thresholds: configuration.thresholds), message: error.description)
        }
        let builtin = BuiltinAnalyzer(thresholds: configuration.thresholds, redactor: redactor)
        let provider: any LLMProvider
        do {
            guard let built = try makeProvider(configuration, apiKey: apiKey) else { return builtin }
            provider = built
        } catch {
            logger.error("analysis provider \(configuration.provider.rawValue) cannot be used: \(error)")
            return MisconfiguredAnalyzer(fallback: builtin, message: error.description)
        }
        logger.info("analysis uses \(provider.name) model \(provider.model)")
        return LLMAnalyzer(
            provider: provider, transport: transport, settings: configuration.settings, fallback: builtin, redactor: redactor,
            cache: AnalysisCache(capacity: configuration.cacheCapacity, clock: clock),
            budget: AnalysisBudget(callsPerMinute: configuration.callsPerMinute, tokensPerHour: configuration.tokensPerHour, clock: clock),
            clock: clock, logger: logger)
    }

    /// The provider the configuration names; nil for `builtin`.
    public static func makeProvider(_ configuration: AnalysisConfiguration, apiKey: String?) throws(LLMProviderError) -> (any LLMProvider)? {
        func model() throws(LLMProviderError) -> String {
            guard let model = configuration.model, !model.isEmpty else {
                throw .misconfigured(message: "\(configuration.provider.rawValue) needs a model name (analysis key 'model')")
            }
            return model
        }
        let c = configuration
        switch c.provider {
        case .builtin:
            return nil
        case .openAI:
            return try OpenAIChatProvider(flavor: .openAI, baseURL: c.baseURL, model: model(), apiKey: apiKey,
                                          temperature: c.temperature, outputMode: c.outputMode)
        case .azureOpenAI:
            let deployment = c.azureDeployment ?? ""
            return try OpenAIChatProvider(flavor: .azure(deployment: deployment, apiVersion: c.azureAPIVersion), baseURL: c.baseURL,
                                          model: c.model ?? deployment, apiKey: apiKey, temperature: c.temperature, outputMode: c.outputMode)
        case .vLLM:
            return try OpenAIChatProvider(flavor: .vLLM, baseURL: c.baseURL, model: model(), apiKey: apiKey,
                                          temperature: c.temperature, outputMode: c.outputMode)
        case .ollama:
            return try OpenAIChatProvider(flavor: .ollama, baseURL: c.baseURL, model: model(), apiKey: apiKey,
                                          temperature: c.temperature, outputMode: c.outputMode)
        case .lmStudio:
            return try OpenAIChatProvider(flavor: .lmStudio, baseURL: c.baseURL, model: model(), apiKey: apiKey,
                                          temperature: c.temperature, outputMode: c.outputMode)
        case .anthropic:
            return try AnthropicProvider(baseURL: c.baseURL, model: model(), apiKey: apiKey, temperature: c.temperature)
        }
    }
}

/// Stands in for an LLM analyzer that could not be built: the built-in rules answer, and
/// every result says what to fix.
public struct MisconfiguredAnalyzer: Analyzer {
    public let fallback: BuiltinAnalyzer
    public let message: String

    public init(fallback: BuiltinAnalyzer, message: String) {
        self.fallback = fallback
        self.message = message
    }

    public func analyze(_ request: AnalysisRequest) async -> AnalysisResult {
        var result = fallback.evaluate(request)
        result.degraded = DegradedReason(.misconfigured, message: message + "; answered by the built-in rules")
        return result
    }
}
