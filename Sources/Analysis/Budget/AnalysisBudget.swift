import Scheduling

/// The operator's allowance of LLM calls: at most so many calls a minute and tokens an
/// hour, counted over sliding windows. One budget is shared by every analyzer of the
/// operator; when it is used up, analyses fall back to the built-in analyzer.
public actor AnalysisBudget {
    /// A granted call: the tokens it reserved until ``AnalysisBudget/settle(_:usedTokens:)``
    /// records what it really used.
    public struct Reservation: Sendable, Hashable {
        let id: UInt64
        public let estimatedTokens: Int
    }

    /// Why a call was refused, in words for the `AnalysisDegraded` condition.
    public struct Exhausted: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    public nonisolated let callsPerMinute: Int?
    public nonisolated let tokensPerHour: Int?
    private let clock: any OperatorClock
    private var calls: [ClockInstant] = []
    private var spent: [UInt64: (at: ClockInstant, tokens: Int)] = [:]
    private var nextID: UInt64 = 0

    static let minute = Duration.seconds(60)
    static let hour = Duration.seconds(3600)

    /// - Parameters: nil means no limit.
    public init(callsPerMinute: Int?, tokensPerHour: Int?, clock: any OperatorClock = SystemClock()) {
        self.callsPerMinute = callsPerMinute
        self.tokensPerHour = tokensPerHour
        self.clock = clock
    }

    /// Grants a new call that is expected to use `estimatedTokens`, or says why not.
    public func admit(estimatedTokens: Int) -> Result<Reservation, Exhausted> {
        let now = clock.now
        prune(now)
        if let failure = callLimitReached(now) { return .failure(failure) }
        if let limit = tokensPerHour {
            let used = tokensInWindow
            if used + estimatedTokens > limit {
                let detail = estimatedTokens > limit
                    ? "one analysis needs about \(estimatedTokens) tokens, more than the whole hourly budget of \(limit); raise analysis.budget.tokensPerHour or shorten the facts"
                    : "\(used) of \(limit) tokens used in the last hour; the call needs about \(estimatedTokens); raise analysis.budget.tokensPerHour or wait"
                return .failure(Exhausted(description: "LLM token budget exhausted: \(detail)"))
            }
        }
        nextID += 1
        calls.append(now)
        spent[nextID] = (now, estimatedTokens)
        return .success(Reservation(id: nextID, estimatedTokens: estimatedTokens))
    }

    /// Grants one more HTTP call (a retry or a repair) on an existing reservation: it
    /// counts against the calls a minute, its tokens are already reserved.
    public func admitAnotherCall() -> Result<Void, Exhausted> {
        let now = clock.now
        prune(now)
        if let failure = callLimitReached(now) { return .failure(failure) }
        calls.append(now)
        return .success(())
    }

    /// Records the tokens a call really used (the provider's usage report), replacing
    /// the estimate.
    public func settle(_ reservation: Reservation, usedTokens: Int) {
        guard let entry = spent[reservation.id] else { return }
        spent[reservation.id] = (entry.at, max(0, usedTokens))
    }

    /// Adds tokens to a reservation (a repair request's extra prompt).
    public func charge(_ reservation: Reservation, additionalTokens: Int) {
        guard let entry = spent[reservation.id] else { return }
        spent[reservation.id] = (entry.at, entry.tokens + max(0, additionalTokens))
    }

    /// Calls made in the last minute and tokens used in the last hour.
    public func usage() -> (callsLastMinute: Int, tokensLastHour: Int) {
        prune(clock.now)
        return (calls.count, tokensInWindow)
    }

    // MARK: -

    private var tokensInWindow: Int { spent.values.reduce(0) { $0 + $1.tokens } }

    private func callLimitReached(_ now: ClockInstant) -> Exhausted? {
        guard let limit = callsPerMinute, calls.count >= limit else { return nil }
        let wait = calls.first.map { Self.minute - (now - $0) } ?? .zero
        let seconds = max(1, Int(wait.components.seconds))
        return Exhausted(description: "LLM call budget exhausted: \(calls.count) of \(limit) calls in the last minute; next call possible in \(seconds)s (raise analysis.budget.callsPerMinute to allow more)")
    }

    private func prune(_ now: ClockInstant) {
        calls.removeAll { now - $0 >= Self.minute }
        spent = spent.filter { now - $0.value.at < Self.hour }
    }
}
