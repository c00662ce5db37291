import KubeClient
import Logging
import Scheduling

/// Asks an LLM provider, with everything a production call needs around it.
///
/// For each request:
/// 1. the facts are rendered and redacted (``Redactor``); nothing else leaves the cluster;
/// 2. the input hash (provider, model, prompt version, redacted facts) is looked up in the
///    ``AnalysisCache``; a concurrent analysis of the same input is joined, not repeated;
/// 3. the ``AnalysisBudget`` must grant the call;
/// 4. the provider is called through the `HTTPTransport`, within ``LLMAnalyzerSettings/timeout``,
///    retrying 429/5xx as ``RetryPolicy`` says;
/// 5. the reply is validated against ``ReplySchema``; an invalid one gets one repair request;
/// 6. placeholders of restorable redaction rules are mapped back, and guardrails keep the
///    model from passing what the built-in rules fail.
///
/// Whenever a step fails the built-in analyzer answers, with ``AnalysisResult/degraded``
/// saying why.
public struct LLMAnalyzer: Analyzer {
    public let provider: any LLMProvider
    public let settings: LLMAnalyzerSettings
    let transport: any HTTPTransport
    let fallback: BuiltinAnalyzer
    let redactor: Redactor
    let cache: AnalysisCache
    let budget: AnalysisBudget
    let clock: any OperatorClock
    let inFlight = InFlightAnalyses()
    let logger: Logger

    public init(provider: any LLMProvider, transport: any HTTPTransport, settings: LLMAnalyzerSettings = LLMAnalyzerSettings(),
                fallback: BuiltinAnalyzer = BuiltinAnalyzer(), redactor: Redactor = .builtin,
                cache: AnalysisCache? = nil, budget: AnalysisBudget? = nil,
                clock: any OperatorClock = SystemClock(),
                logger: Logger = Logger(label: "opsagent.analysis")) {
        self.provider = provider
        self.transport = transport
        self.settings = settings
        self.fallback = fallback
        self.redactor = redactor
        self.cache = cache ?? AnalysisCache(clock: clock)
        self.budget = budget ?? AnalysisBudget(callsPerMinute: nil, tokensPerHour: nil, clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// The prompt version as hashed: the wording version and the thresholds it quotes.
    var promptVersion: String {
        let t = fallback.thresholds
        return "\(AnalysisPrompt.version);errorRate=\(t.errorRate);cpu=\(t.cpuOfLimit);memory=\(t.memoryOfLimit)"
    }

    public func analyze(_ request: AnalysisRequest) async -> AnalysisResult {
        let prepared = prepare(request)
        var metadata: Logger.Metadata = ["subject": "\(request.subject)", "provider": "\(provider.name)", "inputHash": "\(prepared.key.prefix(12))"]
        if let hit = await cache.result(for: prepared.key) {
            logger.debug("analysis answered from cache", metadata: metadata)
            return hit
        }
        // Join an analysis of the same input that is already running.
        while !(await inFlight.claim(prepared.key)) {
            if let shared = await inFlight.wait(for: prepared.key) { return shared }
            if Task.isCancelled { return degraded(request, prepared, .cancelled, "the analysis was cancelled") }
            if let hit = await cache.result(for: prepared.key) { return hit }
        }
        let result = await run(request, prepared)
        let cancelled = result.degraded?.reason == .cancelled
        await inFlight.finish(prepared.key, with: cancelled ? nil : result)
        if let degraded = result.degraded {
            metadata["reason"] = "\(degraded.reason.rawValue)"
            logger.warning("analysis fell back to the built-in rules: \(degraded.message)", metadata: metadata)
        }
        return result
    }

    // MARK: - steps

    struct Prepared: Sendable {
        let key: String
        let conversation: LLMConversation
        let session: RedactionSession
    }

    func prepare(_ request: AnalysisRequest) -> Prepared {
        var session = redactor.session(sensitiveValues: request.sensitiveValues)
        let document = FactsDocument.render(request, as: .prompt, redacting: &session)
        let question = session.redact(request.question)
        let key = InputHash.compute(provider: provider.name, model: provider.model, promptVersion: promptVersion,
                                    facts: FactsDocument.fingerprint(request, redactor: redactor))
        let conversation = LLMConversation(
            system: AnalysisPrompt.system(thresholds: fallback.thresholds),
            messages: [LLMMessage(.user, AnalysisPrompt.user(question: question, facts: document))],
            schema: ReplySchema.schema, schemaName: ReplySchema.name, maxOutputTokens: settings.maxOutputTokens)
        return Prepared(key: key, conversation: conversation, session: session)
    }

    private func run(_ request: AnalysisRequest, _ prepared: Prepared) async -> AnalysisResult {
        let deadline = ContinuousClock.now + settings.timeout
        let outcome = await withDeadline(deadline) {
            await Conversation(analyzer: self, deadline: deadline).converse(prepared.conversation)
        }
        switch outcome {
        case .success(let content):
            let result = assemble(content, request: request, prepared: prepared)
            await cache.store(result, for: prepared.key, ttl: settings.cacheTTL)
            return result
        case .failure(.budget(let message)):
            return degraded(request, prepared, .budgetExhausted, message)
        case .failure(.invalid(let problems)):
            let result = degraded(request, prepared, .invalidReply,
                                  "\(provider.name) \(provider.model) answered twice without matching the result schema (\(problems.prefix(2).joined(separator: "; ")))")
            await cache.store(result, for: prepared.key, ttl: settings.failureCacheTTL)
            return result
        case .failure(.provider(let error)):
            let result = degraded(request, prepared, error.degradedReason, "\(provider.name) \(provider.model): \(error)")
            if error != .cancelled { await cache.store(result, for: prepared.key, ttl: settings.failureCacheTTL) }
            return result
        }
    }

    /// The model's answer as a result, placeholders restored and guardrails applied.
    private func assemble(_ content: ReplyContent, request: AnalysisRequest, prepared: Prepared) -> AnalysisResult {
        let session = prepared.session
        var result = AnalysisResult(
            verdict: content.verdict,
            confidence: content.confidence,
            summary: session.restore(content.summary),
            findings: content.findings.map { Finding(severity: $0.severity, title: session.restore($0.title), evidence: session.restore($0.evidence)) },
            recommendations: content.recommendations.map(session.restore),
            provider: provider.name, model: provider.model, inputHash: prepared.key)
        guard settings.guardrails, result.verdict != .fail else { return result }
        let rules = fallback.evaluate(request, inputHash: prepared.key)
        guard Self.rank(rules.verdict) < Self.rank(result.verdict) else { return result }
        // The rules have hard evidence the model's verdict ignores: keep theirs.
        let blocking = rules.findings.filter { $0.severity != .info }
        result.verdict = rules.verdict
        result.confidence = rules.confidence
        result.summary = "Held at \(rules.verdict.rawValue) by the built-in rules (\(blocking.prefix(2).map(\.title).joined(separator: "; "))); the model said \(content.verdict.rawValue): \(result.summary)"
        result.findings = blocking + result.findings
        result.recommendations = rules.recommendations + result.recommendations
        return result.bounded()
    }

    /// fail < inconclusive < pass.
    static func rank(_ verdict: Verdict) -> Int {
        switch verdict {
        case .fail: 0
        case .inconclusive: 1
        case .pass: 2
        }
    }

    func degraded(_ request: AnalysisRequest, _ prepared: Prepared, _ reason: DegradedReason.Reason, _ message: String) -> AnalysisResult {
        var result = fallback.evaluate(request, inputHash: prepared.key)
        result.degraded = DegradedReason(reason, message: message + "; answered by the built-in rules")
        return result
    }

    /// Runs `operation` until it finishes or the deadline passes, whichever comes first.
    private func withDeadline(_ deadline: ContinuousClock.Instant,
                              _ operation: @escaping @Sendable () async -> Result<ReplyContent, ConversationFailure>)
        async -> Result<ReplyContent, ConversationFailure> {
        await withTaskGroup(of: Result<ReplyContent, ConversationFailure>?.self) { group in
            group.addTask { await operation() }
            group.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .failure(.provider(.timedOut))
                } catch {
                    return nil
                }
            }
            while let next = await group.next() {
                if let outcome = next {
                    group.cancelAll()
                    return outcome
                }
            }
            return .failure(.provider(.cancelled))
        }
    }
}

/// Why a conversation ended without a usable answer.
enum ConversationFailure: Error, Sendable, Hashable {
    case provider(LLMProviderError)
    case budget(String)
    case invalid([String])
}
