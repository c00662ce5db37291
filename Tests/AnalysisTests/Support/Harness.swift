import TestSupport
import Analysis
import KubeClient
import Logging
import Scheduling

/// Builds analyzers pointed at a ``FakeLLMServer``.
enum Harness {
    static let apiKey = "test-provider-key-0000"
    static let transport: any HTTPTransport = CurlTransport.shared

    static var quietLogger: Logger {
        var logger = Logger(label: "analysis-tests")
        logger.logLevel = .critical
        return logger
    }

    static func settings(timeout: Duration = .seconds(20), maxRetries: Int = 2) -> LLMAnalyzerSettings {
        LLMAnalyzerSettings(timeout: timeout, retry: RetryPolicy(maxRetries: maxRetries), cacheTTL: .seconds(600), failureCacheTTL: .seconds(60))
    }

    static func openAI(_ server: FakeLLMServer, flavor: OpenAIChatProvider.Flavor = .openAI, apiKey: String? = Harness.apiKey,
                       model: String = "gpt-4o-mini", settings: LLMAnalyzerSettings = Harness.settings(),
                       redactor: Redactor = .builtin, budget: AnalysisBudget? = nil, clock: ManualClock = ManualClock(advancesOnSleep: true)) throws -> LLMAnalyzer {
        let base: String
        switch flavor {
        case .azure: base = server.baseURL
        default: base = server.baseURL + "/v1"
        }
        let provider = try OpenAIChatProvider(flavor: flavor, baseURL: base, model: model, apiKey: apiKey)
        return analyzer(provider, settings: settings, redactor: redactor, budget: budget, clock: clock)
    }

    static func anthropic(_ server: FakeLLMServer, settings: LLMAnalyzerSettings = Harness.settings(), redactor: Redactor = .builtin,
                          budget: AnalysisBudget? = nil, clock: ManualClock = ManualClock(advancesOnSleep: true)) throws -> LLMAnalyzer {
        let provider = try AnthropicProvider(baseURL: server.baseURL, model: "claude-sonnet-4-5", apiKey: apiKey)
        return analyzer(provider, settings: settings, redactor: redactor, budget: budget, clock: clock)
    }

    static func analyzer(_ provider: any LLMProvider, settings: LLMAnalyzerSettings, redactor: Redactor,
                         budget: AnalysisBudget?, clock: ManualClock) -> LLMAnalyzer {
        LLMAnalyzer(provider: provider, transport: transport, settings: settings,
                    fallback: BuiltinAnalyzer(redactor: redactor), redactor: redactor,
                    cache: AnalysisCache(clock: clock),
                    budget: budget ?? AnalysisBudget(callsPerMinute: nil, tokensPerHour: nil, clock: clock),
                    clock: clock, logger: quietLogger)
    }
}

/// Runs `body` with a fresh fake server and stops it afterwards, whatever happens.
func withFakeServer<T>(defaultReply: FakeLLMServer.Reply = .analysis(FakeLLMServer.passing),
                       _ body: (FakeLLMServer) async throws -> T) async throws -> T {
    let server = try await FakeLLMServer.start(defaultReply: defaultReply)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

extension FakeLLMServer.Recorded {
    /// The chat messages (OpenAI) or turns (Anthropic) of the request.
    var messages: [JSONValue] { json?["messages"].arrayValue ?? [] }
}
