import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// Where an analysis stage stands after one step.
enum AnalysisOutcome: Sendable, Equatable {
    /// Measurements remain, or the analyzer is still thinking; look again after this delay.
    case running(after: Duration)
    case passed
    case failed(reason: String, message: String)
}

/// Before or after the switch of traffic.
enum AnalysisStage: String, Sendable {
    case pre, post
}

/// Advances a pre- or post-promotion analysis by one step: takes the measurements that are
/// due, judges the checks, and once they all pass, asks the analyzer for its verdict — as a
/// background job, so a slow LLM never holds a worker; the job wakes the rollout when done.
struct AnalysisStepper: Sendable {
    let measurer: CheckMeasurer
    let analyzer: any Analyzer
    let facts: FactsGatherer
    let jobs: BackgroundJobs

    static let measurementsKept = 10

    /// The prefix of every job id of the rollout at `key`.
    static func jobPrefix(_ key: ObjectKey) -> String { "bluegreen/\(key)/" }

    struct Subject: Sendable {
        var key: ObjectKey
        var rollout: BlueGreenDeployment
        /// The uids whose Events count: the rollout's and its colored Deployment's.
        var relatedUIDs: Set<String>
        var color: Color
        var revision: String
        var target: MetricTarget
        var now: Date
        var wake: @Sendable () -> Void
    }

    func advance(stage: AnalysisStage, spec: AnalysisSpec?, state: inout AnalysisStatus, subject: Subject) async -> AnalysisOutcome {
        if state.stage != stage.rawValue || state.revision != subject.revision {
            state = AnalysisStatus()
            state.stage = stage.rawValue
            state.revision = subject.revision
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
            guard checkStates[index].phase == "Running" else { continue }
            let interval = GoDuration.parse(check.interval ?? "10s") ?? .seconds(10)
            if let last = checkStates[index].measurements?.last, let at = KubeTimestamp.parse(last.at) {
                let due = at.addingTimeInterval(interval.seconds)
                if due > subject.now {
                    nextDue = min(nextDue ?? .seconds(3600), .seconds(fractional: due.timeIntervalSince(subject.now)))
                    continue
                }
            }
            let value = await measurer.measure(check, target: subject.target)
            if Self.record(value, of: check, in: &checkStates[index], now: subject.now) {
                nextDue = min(nextDue ?? .seconds(3600), interval)
            }
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
        return judge(stage: stage, spec: spec, state: &state, subject: subject, checks: checks)
    }

    /// Records one measurement in a check's state; returns whether the check still runs.
    static func record(_ value: MeasuredValue, of check: AnalysisCheck, in cs: inout CheckStatus, now: Date) -> Bool {
        let verdict = CheckMeasurer.judge(value, check: check)
        var list = cs.measurements ?? []
        list.append(Measurement(value: value.text, phase: verdict.rawValue, at: KubeTimestamp.format(now, fractionalDigits: 3)))
        cs.measurements = Array(list.suffix(measurementsKept))
        switch verdict {
        case .successful: cs.successful = (cs.successful ?? 0) + 1
        case .failed: cs.failed = (cs.failed ?? 0) + 1
        case .inconclusive, .error: cs.inconclusive = (cs.inconclusive ?? 0) + 1
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
            return true
        }
        return false
    }

    /// Every check passed: the analysis step, as a background job.
    private func judge(stage: AnalysisStage, spec: AnalysisSpec?, state: inout AnalysisStatus, subject: Subject,
                       checks: [AnalysisCheck]) -> AnalysisOutcome {
        let mode = spec?.llm?.mode ?? "advisory"
        if mode == "disabled" {
            state.phase = "Successful"
            return .passed
        }
        let uid = subject.rollout.metadata.uid ?? ""
        let id = Self.jobPrefix(subject.key) + "\(uid)/\(stage.rawValue)/\(subject.revision)"
        let question = stage == .pre
            ? "May revision \(subject.revision) (the \(subject.color.rawValue) preview) be promoted to serve production traffic?"
            : "Is revision \(subject.revision), now serving production traffic, healthy enough to keep?"
        let checkFacts = zip(checks, state.checks ?? []).map { check, cs in
            CheckResult(name: check.name, outcome: cs.phase == "Successful" ? .passed : .failed, detail: cs.message ?? "")
        }
        let metrics = zip(checks, state.checks ?? []).map { check, cs in
            MetricSample(name: check.name, query: check.prometheus.map { subject.target.substitute($0.query) } ?? "builtin \(check.builtin?.type ?? "")",
                         kind: Self.kind(of: check), values: (cs.measurements ?? []).map { Double($0.value) ?? .nan })
        }
        let analysisSubject = AnalysisSubject(kind: BlueGreenDeployment.kind, namespace: subject.key.namespace ?? "default",
                                              name: subject.key.name)
        let gatherer = facts, analyzer = self.analyzer, target = subject.target
        let related = subject.relatedUIDs
        guard let result = jobs.result(of: id, as: AnalysisResult.self, start: {
            let gathered = await gatherer.gather(pods: target.pods, namespace: target.namespace, relatedUIDs: related,
                                                 metrics: metrics, checks: checkFacts)
            return await analyzer.analyze(AnalysisRequest(subject: analysisSubject, question: question, facts: gathered.facts,
                                                          sensitiveValues: gathered.sensitiveValues))
        }, then: subject.wake) else {
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

    static func kind(of check: AnalysisCheck) -> MetricKind {
        if let builtin = check.builtin {
            switch builtin.type {
            case "CPU": return .cpuUtilization
            case "Memory": return .memoryUtilization
            default: return .other
            }
        }
        let text = (check.name + " " + (check.prometheus?.query ?? "")).lowercased()
        if text.contains("error") || text.contains("5..") { return .errorRate }
        if text.contains("latency") || text.contains("duration") { return .latency }
        return .other
    }
}

extension RolloutPass {
    /// Advances the `stage` analysis of the pods of `revision` on `color`.
    mutating func analyse(stage: AnalysisStage, spec: AnalysisSpec?, color: Color, revision: String, desired: Int) async -> AnalysisOutcome {
        let target = MetricTarget(
            namespace: namespace, pods: await pods(color, revision: revision), desired: desired,
            substitutions: ["name": name, "color": color.rawValue, "revision": revision])
        var state = status.analysis ?? AnalysisStatus()
        let outcome = await reconciler.stepper.advance(
            stage: stage, spec: spec, state: &state,
            subject: AnalysisStepper.Subject(
                key: pass.key, rollout: rollout,
                relatedUIDs: Set([uid, deployment(color)?.object["metadata"]["uid"].stringValue].compactMap { $0 }),
                color: color, revision: revision, target: target, now: now, wake: pass.wake))
        status.analysis = state
        noteAnalyzer(state)
        return outcome
    }
}
