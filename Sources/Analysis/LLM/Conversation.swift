import KubeClient

/// One exchange with the provider for one analysis: the call, its retries, and the single
/// repair request when the answer does not fit the schema.
struct Conversation: Sendable {
    let analyzer: LLMAnalyzer
    let deadline: ContinuousClock.Instant

    private var provider: any LLMProvider { analyzer.provider }

    func converse(_ initial: LLMConversation) async -> Result<ReplyContent, ConversationFailure> {
        var conversation = initial
        let reservation: AnalysisBudget.Reservation
        switch await analyzer.budget.admit(estimatedTokens: AnalysisPrompt.estimateTokens(conversation)) {
        case .success(let granted): reservation = granted
        case .failure(let exhausted): return .failure(.budget(exhausted.description))
        }
        var used = 0
        var repaired = false
        while true {
            let reply: LLMReply
            switch await call(conversation, admitted: !repaired) {
            case .success(let answer): reply = answer
            case .failure(let failure):
                // A call cut off by a timeout or cancellation may have been charged in full;
                // refused calls (429, 5xx, 4xx) cost nothing.
                let interrupted = failure == .provider(.timedOut) || failure == .provider(.cancelled)
                await analyzer.budget.settle(reservation, usedTokens: interrupted ? max(used, reservation.estimatedTokens) : used)
                return .failure(failure)
            }
            used += reply.usage?.total ?? AnalysisPrompt.estimateTokens(conversation) - conversation.maxOutputTokens + (reply.text.utf8.count + 3) / 4
            switch Self.read(reply) {
            case .success(let content):
                await analyzer.budget.settle(reservation, usedTokens: used)
                return .success(content)
            case .failure(let invalid):
                guard !repaired else {
                    await analyzer.budget.settle(reservation, usedTokens: used)
                    return .failure(.invalid(invalid.problems))
                }
                repaired = true
                conversation.messages.append(LLMMessage(.assistant, reply.text))
                conversation.messages.append(LLMMessage(.user, AnalysisPrompt.repair(problems: invalid.problems, truncated: reply.truncated)))
            }
        }
    }

    static func read(_ reply: LLMReply) -> Result<ReplyContent, InvalidReply> {
        let read = reply.structured.map(ReplySchema.read) ?? ReplySchema.read(text: reply.text)
        if reply.truncated, case .failure(let invalid) = read {
            return .failure(InvalidReply(["$: the answer was cut off at the output token limit"] + invalid.problems))
        }
        return read
    }

    /// One logical call: the HTTP request and its retries.
    ///
    /// - Parameter admitted: the budget already granted the first HTTP call.
    private func call(_ conversation: LLMConversation, admitted: Bool) async -> Result<LLMReply, ConversationFailure> {
        var retries = 0
        var downgraded = false
        var needsAdmission = !admitted
        while true {
            if needsAdmission, case .failure(let exhausted) = await analyzer.budget.admitAnotherCall() {
                return .failure(.budget(exhausted.description))
            }
            needsAdmission = true
            if Task.isCancelled { return .failure(.provider(.cancelled)) }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .failure(.provider(.timedOut)) }

            let error: LLMProviderError
            switch await exchange(conversation, timeout: remaining) {
            case .success(let reply): return .success(reply)
            case .failure(let failure): error = failure
            }
            if case .structuredOutputUnsupported = error, !downgraded {
                // The provider switched itself to json_object; ask again at once.
                downgraded = true
                continue
            }
            guard error.isRetryable, retries < analyzer.settings.retry.maxRetries else { return .failure(.provider(error)) }
            let wait = error.retryAfter ?? analyzer.settings.retry.backoff(forRetry: retries)
            guard ContinuousClock.now + wait < deadline else {
                // Waiting would end past the deadline: give up now rather than time out later.
                return .failure(.provider(error))
            }
            retries += 1
            do {
                try await analyzer.clock.sleep(for: wait)
            } catch {
                return .failure(.provider(.cancelled))
            }
        }
    }

    /// One HTTP request and its reading.
    private func exchange(_ conversation: LLMConversation, timeout: Duration) async -> Result<LLMReply, LLMProviderError> {
        let request: HTTPRequest
        do {
            request = try provider.makeRequest(conversation, timeout: timeout)
        } catch {
            return .failure(error)
        }
        let response: HTTPResponse
        do {
            response = try await analyzer.transport.send(request)
        } catch is CancellationError {
            return .failure(.cancelled)
        } catch let error as KubeError {
            switch error {
            case .cancelled: return .failure(.cancelled)
            case .transport(let code, let message, _):
                if Task.isCancelled { return .failure(.cancelled) }
                // CURLE_OPERATION_TIMEDOUT
                return .failure(code == 28 ? .timedOut : .transport(message: message))
            default: return .failure(.transport(message: error.description))
            }
        } catch {
            return .failure(Task.isCancelled ? .cancelled : .transport(message: "\(error)"))
        }
        guard (200..<300).contains(response.status) else { return .failure(provider.classifyFailure(response)) }
        do {
            return .success(try provider.readReply(response))
        } catch {
            return .failure(error)
        }
    }
}
