import Analysis
import Foundation
import KubeClient
import OpsAPI

/// Where an analysis stage stands after one step.
enum AnalysisOutcome: Sendable, Equatable {
    /// Measurements remain; look again after this delay.
    case running(after: Duration)
    case passed
    case failed(reason: String, message: String)
}

/// Analyses whose LLM (or built-in) verdict is being computed off the work queue.
actor PendingAnalyses {
    private var results: [String: AnalysisResult] = [:]
    private var running: Set<String> = []

    /// The finished result for `key`, or nil after starting `work` (once) in the background;
    /// `wake` is called when it finishes so the rollout is reconciled again.
    func result(for key: String, start work: @escaping @Sendable () async -> AnalysisResult,
                wake: @escaping @Sendable () -> Void) -> AnalysisResult? {
        if let done = results[key] { return done }
        if running.insert(key).inserted {
            Task {
                let result = await work()
                self.finish(key, result)
                wake()
            }
        }
        return nil
    }

    private func finish(_ key: String, _ result: AnalysisResult) {
        running.remove(key)
        results[key] = result
        // Bounded: old verdicts are already recorded in the rollouts' status.
        if results.count > 2_000 { results.removeAll(keepingCapacity: true); results[key] = result }
    }
}

/// Advances a pre- or post-promotion analysis by one step: takes the measurements that are
/// due, judges the checks, and once they all pass, asks the analyzer for its verdict.
struct AnalysisStepper: Sendable {
    let measurer: CheckMeasurer
    let analyzer: any Analyzer
    let pending: PendingAnalyses
    let facts: FactsGatherer

    static let measurementsKept = 10

    func advance(stage: String, spec: AnalysisSpec?, state: inout AnalysisStatus, rollout: BlueGreenDeployment,
                 uid: String, pods: ColorPods, revision: String, now: Date,
                 wake: @escaping @Sendable () -> Void) async -> AnalysisOutcome {
        if state.stage != stage || state.revision != revision {
            state = AnalysisStatus()
            state.stage = stage
            state.revision = revision
            state.phase = "Running"
            state.checks = (spec?.checks ?? []).map { CheckStatus(name: $0.name, phase: "Running") }
        }
        switch state.phase {
        case "Successful": return .passed
        case "Failed": return .failed(reason: "AnalysisFailed", message: state.analyzer?.summary ?? failureMessage(state))
        case "Inconclusive": return .failed(reason: "AnalysisInconclusive", message: failureMessage(state))
        default: break
        }

        let checks = spec?.checks ?? []
        var nextDue: Duration?
        var checkStates = state.checks ?? []
        for (index, check) in checks.enumerated() where index < checkStates.count {
            var cs = checkStates[index]
            guard cs.phase == "Running" else { continue }
            let interval = GoDuration.parse(check.interval ?? "10s") ?? .seconds(10)
            if let last = cs.measurements?.last, let at = KubeTimestamp.parse(last.at) {
                let due = at.addingTimeInterval(interval.seconds)
                if due > now {
                    nextDue = min(nextDue ?? .seconds(3600), .seconds(due.timeIntervalSince(now)))
                    continue
                }
            }
            let value = await measurer.measure(check, rollout: rollout, pods: pods, revision: revision)
            let verdict = CheckMeasurer.judge(value, check: check)
            var list = cs.measurements ?? []
            list.append(Measurement(value: value.text, phase: verdict, at: KubeTimestamp.format(now)))
            cs.measurements = Array(list.suffix(Self.measurementsKept))
            switch verdict {
            case "Successful": cs.successful = (cs.successful ?? 0) + 1
            case "Failed": cs.failed = (cs.failed ?? 0) + 1
            default: cs.inconclusive = (cs.inconclusive ?? 0) + 1
            }
            // Only conclusive measurements count toward `count`: missing data never passes a check.
            let taken = (cs.successful ?? 0) + (cs.failed ?? 0)
            if (cs.failed ?? 0) > (check.failureLimit ?? 0) {
                cs.phase = "Failed"
                cs.message = "\(cs.failed ?? 0) failed measurement(s), more than failureLimit \(check.failureLimit ?? 0); last value \(value.text)"
            } else if (cs.inconclusive ?? 0) > (check.inconclusiveLimit ?? 0) {
                cs.phase = "Inconclusive"
                cs.message = "\(cs.inconclusive ?? 0) inconclusive measurement(s) (\(value.text)), more than inconclusiveLimit \(check.inconclusiveLimit ?? 0)"
            } else if taken >= (check.count ?? 3) {
                if (cs.successful ?? 0) == 0 {
                    cs.phase = "Inconclusive"
                    cs.message = "no measurement passed"
                } else {
                    cs.phase = "Successful"
                    cs.message = "\(cs.successful ?? 0) of \(taken) measurements passed (\(cs.inconclusive ?? 0) inconclusive)"
                }
            } else {
                nextDue = min(nextDue ?? .seconds(3600), interval)
            }
            checkStates[index] = cs
        }
        state.checks = checkStates

        if checkStates.contains(where: { $0.phase == "Failed" }) {
            state.phase = "Failed"
            return .failed(reason: "AnalysisFailed", message: failureMessage(state))
        }
        if checkStates.contains(where: { $0.phase == "Inconclusive" }) {
            state.phase = "Inconclusive"
            return .failed(reason: "AnalysisInconclusive", message: failureMessage(state))
        }
        if let nextDue { return .running(after: max(nextDue, .milliseconds(200))) }

        // Every check passed: the analysis step.
        let mode = spec?.llm?.mode ?? "advisory"
        if mode == "disabled" {
            state.phase = "Successful"
            return .passed
        }
        let key = "\(uid)/\(stage)/\(revision)"
        let question = stage == "pre"
            ? "May revision \(revision) (the \(pods.color.rawValue) preview) be promoted to serve production traffic?"
            : "Is revision \(revision), now serving production traffic, healthy enough to keep?"
        let checkFacts = zip(checks, checkStates).map { check, cs in
            CheckResult(name: check.name, outcome: cs.phase == "Successful" ? .passed : .failed, detail: cs.message ?? "")
        }
        let subject = AnalysisSubject(kind: BlueGreenDeployment.kind, namespace: rollout.metadata.namespace ?? "default",
                                      name: rollout.metadata.name ?? "")
        let gatherer = facts
        let analyzer = self.analyzer
        let snapshot = state
        guard let result = await pending.result(for: key, start: {
            let facts = await gatherer.facts(pods: pods, rollout: rollout, revision: revision, analysis: snapshot, checks: checks, results: checkFacts)
            return await analyzer.analyze(AnalysisRequest(subject: subject, question: question, facts: facts))
        }, wake: wake) else {
            return .running(after: .seconds(2))
        }
        var verdict = AnalyzerVerdict(verdict: result.verdict.rawValue, confidence: (result.confidence * 100).rounded() / 100,
                                      summary: result.summary, recommendations: result.recommendations,
                                      provider: result.provider, model: result.model, inputHash: result.inputHash)
        verdict.degradedReason = result.degraded?.reason.rawValue
        verdict.degradedMessage = result.degraded?.message
        state.analyzer = verdict
        if mode == "gate", result.verdict == .fail {
            state.phase = "Failed"
            return .failed(reason: "AnalyzerGateFailed", message: "the \(result.provider) analyzer failed the revision: \(result.summary)")
        }
        state.phase = "Successful"
        return .passed
    }

    func failureMessage(_ state: AnalysisStatus) -> String {
        let bad = (state.checks ?? []).filter { $0.phase == "Failed" || $0.phase == "Inconclusive" }
        guard !bad.isEmpty else { return "analysis did not pass" }
        return bad.map { "check \($0.name) \($0.phase.lowercased()): \($0.message ?? "")" }.joined(separator: "; ")
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
