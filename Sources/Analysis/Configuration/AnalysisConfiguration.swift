/// How the operator analyses: which provider, its limits, the built-in thresholds and
/// the redaction rules.
///
/// Sources, later ones winning: defaults, the ConfigMap, environment variables, command
/// line flags. See ``load(configMapData:environment:overrides:)`` for the keys.
public struct AnalysisConfiguration: Sendable, Hashable {
    /// Which analyzer answers.
    public enum ProviderKind: String, Sendable, Hashable, CaseIterable {
        /// The built-in rules only; no network. The default.
        case builtin
        case openAI = "openai"
        case azureOpenAI = "azure-openai"
        case vLLM = "vllm"
        case ollama
        case lmStudio = "lmstudio"
        case anthropic
    }

    /// Where the API key lives: a key of a Secret in the operator's namespace.
    public struct SecretKeyReference: Sendable, Hashable {
        public var name: String
        public var key: String

        public init(name: String, key: String = "api-key") {
            self.name = name
            self.key = key
        }
    }

    public var provider: ProviderKind = .builtin
    public var model: String?
    public var baseURL: String?
    public var azureDeployment: String?
    public var azureAPIVersion: String = OpenAIChatProvider.defaultAzureAPIVersion
    public var apiKeySecret: SecretKeyReference?
    public var temperature: Double?
    /// Start OpenAI-compatible servers on `json_object` rather than `json_schema`.
    public var outputMode: OpenAIChatProvider.OutputMode = .jsonSchema
    public var settings = LLMAnalyzerSettings()
    public var cacheCapacity = 1024
    /// Nil: no limit.
    public var callsPerMinute: Int? = 30
    /// Nil: no limit.
    public var tokensPerHour: Int? = 200_000
    public var thresholds = BuiltinThresholds()
    public var redactionRules: [RedactionRule] = []

    public init() {}
}
