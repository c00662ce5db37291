import Foundation
import Testing
@testable import Analysis

@Suite("Analysis configuration")
struct ConfigurationTests {
    @Test func theDefaultIsTheBuiltinAnalyzer() throws {
        let configuration = try AnalysisConfiguration.load()
        #expect(configuration.provider == .builtin)
        #expect(AnalyzerFactory.makeAnalyzer(configuration, apiKey: nil, logger: Harness.quietLogger) is BuiltinAnalyzer)
        #expect(configuration.thresholds.cpuOfLimit == 0.8)
        #expect(configuration.thresholds.memoryOfLimit == 0.9)
    }

    @Test func flatConfigMapKeysAreRead() throws {
        let configuration = try AnalysisConfiguration.load(configMapData: [
            "provider": "openai", "model": "gpt-4o-mini", "timeout": "45s", "maxRetries": "4",
            "cache.ttl": "15m", "budget.callsPerMinute": "12", "budget.tokensPerHour": "0",
            "thresholds.errorRate": "0.02", "apiKeySecret": "llm-credentials/openai", "guardrails": "false",
        ])
        #expect(configuration.provider == .openAI)
        #expect(configuration.model == "gpt-4o-mini")
        #expect(configuration.settings.timeout == .seconds(45))
        #expect(configuration.settings.retry.maxRetries == 4)
        #expect(configuration.settings.cacheTTL == .seconds(900))
        #expect(configuration.callsPerMinute == 12)
        #expect(configuration.tokensPerHour == nil)
        #expect(configuration.thresholds.errorRate == 0.02)
        #expect(configuration.apiKeySecret == .init(name: "llm-credentials", key: "openai"))
        #expect(configuration.settings.guardrails == false)
    }

    @Test func aYAMLDocumentKeyIsRead() throws {
        let configuration = try AnalysisConfiguration.load(configMapData: [
            "analysis.yaml": """
            provider: azure-openai
            baseURL: https://ops-east.openai.azure.com
            azure:
              deployment: gpt4o-ops
              apiVersion: "2024-10-21"
            budget:
              callsPerMinute: 5
            redaction:
              patterns:
                - name: internal-host
                  pattern: '[a-z0-9-]+\\.corp\\.example\\.com'
                - name: customer
                  pattern: 'customer=(\\w+)'
                  restore: false
            """,
            "budget.callsPerMinute": "7",   // a flat key wins over the document
        ])
        #expect(configuration.provider == .azureOpenAI)
        #expect(configuration.azureDeployment == "gpt4o-ops")
        #expect(configuration.callsPerMinute == 7)
        #expect(configuration.redactionRules == [
            RedactionRule(name: "internal-host", pattern: #"[a-z0-9-]+\.corp\.example\.com"#),
            RedactionRule(name: "customer", pattern: #"customer=(\w+)"#, restoreInResult: false),
        ])
    }

    @Test func aJSONDocumentKeyIsRead() throws {
        let configuration = try AnalysisConfiguration.load(configMapData: [
            "analysis.json": #"{"provider":"anthropic","model":"claude-sonnet-4-5","thresholds":{"cpuOfLimit":0.7}}"#,
        ])
        #expect(configuration.provider == .anthropic)
        #expect(configuration.thresholds.cpuOfLimit == 0.7)
    }

    @Test func environmentBeatsTheConfigMapAndFlagsBeatBoth() throws {
        let configuration = try AnalysisConfiguration.load(
            configMapData: ["provider": "ollama", "model": "llama3.1", "timeout": "10s"],
            environment: ["OPSAGENT_ANALYSIS_MODEL": "qwen2.5", "OPSAGENT_ANALYSIS_BUDGET_CALLS_PER_MINUTE": "3",
                          "OPSAGENT_ANALYSIS_TIMEOUT": "20s"],
            overrides: ["timeout": "1m30s", "base-url": "http://ollama.ai.svc:11434/v1"])
        #expect(configuration.model == "qwen2.5")
        #expect(configuration.callsPerMinute == 3)
        #expect(configuration.settings.timeout == .seconds(90))
        #expect(configuration.baseURL == "http://ollama.ai.svc:11434/v1")
    }

    @Test func aMisspeltKeyIsRejectedWithASuggestion() {
        #expect {
            try AnalysisConfiguration.load(configMapData: ["budget.callsPerMinut": "3"])
        } throws: { error in
            (error as? AnalysisConfigurationError) == .unknownKey("budget.callsPerMinut", suggestion: "budget.callsPerMinute")
        }
    }

    @Test(arguments: [
        ("provider", "gemini", "openai"),
        ("timeout", "soon", "duration"),
        ("thresholds.errorRate", "1.5", "0.0 to 1.0"),
        ("maxRetries", "-1", "whole number"),
        ("apiKeySecret", "a/b/c", "secret-name/key"),
        ("baseURL", "ftp://x", "http"),
    ])
    func invalidValuesSayWhatIsExpected(key: String, value: String, expected: String) {
        do {
            _ = try AnalysisConfiguration.load(configMapData: [key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch {
            #expect(error.description.contains(key))
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func providersNeedWhatTheyAddress() {
        #expect(throws: AnalysisConfigurationError.missing(key: "model", reason: "openai needs a model name")) {
            try AnalysisConfiguration.load(configMapData: ["provider": "openai"])
        }
        #expect(throws: AnalysisConfigurationError.self) {
            try AnalysisConfiguration.load(configMapData: ["provider": "azure-openai", "baseURL": "https://x.openai.azure.com"])
        }
    }

    @Test func durationsParseLikeGo() {
        #expect(ConfigurationKey.parseDuration("1h30m") == .seconds(5400))
        #expect(ConfigurationKey.parseDuration("500ms") == .milliseconds(500))
        #expect(ConfigurationKey.parseDuration("2.5s") == .milliseconds(2500))
        #expect(ConfigurationKey.parseDuration("45") == .seconds(45))
        #expect(ConfigurationKey.parseDuration("5 minutes") == nil)
        #expect(ConfigurationKey.parseDuration("m5") == nil)
    }

    @Test func theAPIKeyComesFromTheSecretOrTheEnvironment() throws {
        var configuration = try AnalysisConfiguration.load(configMapData: ["provider": "openai", "model": "gpt-4o", "apiKeySecret": "llm"])
        let encoded = Data("sk-from-secret\n".utf8).base64EncodedString()
        #expect(configuration.apiKey(environment: ["OPENAI_API_KEY": "sk-env"], secretData: ["api-key": encoded]) == "sk-from-secret")
        #expect(configuration.apiKey(environment: ["OPENAI_API_KEY": "sk-env"]) == "sk-env")
        #expect(configuration.apiKey(environment: ["OPSAGENT_LLM_API_KEY": "sk-ops", "OPENAI_API_KEY": "sk-env"]) == "sk-ops")
        configuration.provider = .anthropic
        #expect(configuration.apiKey(environment: ["ANTHROPIC_API_KEY": "sk-ant"]) == "sk-ant")
        #expect(configuration.apiKey(environment: [:]) == nil)
    }

    @Test func theFactoryBuildsTheConfiguredProvider() throws {
        let cases: [([String: String], String, String)] = [
            (["provider": "openai", "model": "gpt-4o-mini"], "openai", "https://api.openai.com/v1/chat/completions"),
            (["provider": "azure-openai", "baseURL": "https://ops.openai.azure.com", "azure.deployment": "gpt4o"], "azure-openai",
             "https://ops.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21"),
            (["provider": "vllm", "model": "m", "baseURL": "http://vllm.ai:8000/v1/"], "vllm", "http://vllm.ai:8000/v1/chat/completions"),
            (["provider": "lmstudio", "model": "m"], "lmstudio", "http://localhost:1234/v1/chat/completions"),
            (["provider": "ollama", "model": "m"], "ollama", "http://localhost:11434/v1/chat/completions"),
        ]
        for (data, name, endpoint) in cases {
            let configuration = try AnalysisConfiguration.load(configMapData: data)
            let provider = try #require(try AnalyzerFactory.makeProvider(configuration, apiKey: "k") as? OpenAIChatProvider)
            #expect(provider.name == name)
            #expect(provider.endpoint == endpoint)
        }
        let anthropic = try AnalysisConfiguration.load(configMapData: ["provider": "anthropic", "model": "claude-sonnet-4-5"])
        let provider = try #require(try AnalyzerFactory.makeProvider(anthropic, apiKey: "k") as? AnthropicProvider)
        #expect(provider.endpoint == "https://api.anthropic.com/v1/messages")
        #expect(AnalyzerFactory.makeAnalyzer(anthropic, apiKey: "k", logger: Harness.quietLogger) is LLMAnalyzer)
    }

    @Test func aProviderWithoutItsKeyDegradesEveryResultInsteadOfStoppingTheOperator() async throws {
        let configuration = try AnalysisConfiguration.load(configMapData: ["provider": "openai", "model": "gpt-4o"])
        let analyzer = AnalyzerFactory.makeAnalyzer(configuration, apiKey: nil, logger: Harness.quietLogger)
        let result = await analyzer.analyze(FactSets.request(FactSets.crashLoop))
        #expect(result.verdict == .fail)
        #expect(result.provider == "builtin")
        #expect(result.degraded?.reason == .misconfigured)
        #expect(result.degraded?.message.contains("OPSAGENT_LLM_API_KEY") == true)
    }
}
