import Analysis
import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

extension AlertRuleStatus: ObjectStatus {}

/// An AlertRule's reconcile, in four steps, each its own: evaluate the source when a tick
/// is due and move the state machine (Events on transitions); explain a new firing episode;
/// deliver what each action is owed; report `Ready` and say when to look again.
///
/// Evaluation happens in the pass (a query is milliseconds; rules sharing an expression and
/// interval share one query per tick); the slow parts — the analysis and every delivery —
/// are background jobs whose ends wake the rule.
struct AlertRuleReconciler: ObjectReconciler {
    let kit: ControllerContext
    let evaluator: RuleEvaluator
    let analysis: AlertAnalysisStep
    let transport: any HTTPTransport
    /// Firing series kept in status.
    static let seriesLimit = 10
    /// How long Firing notices wait for the episode's analysis to include it.
    static let analysisWait: Duration = .seconds(20)

    func validate(_ rule: AlertRule) -> [SpecError] { rule.spec.validate() }

    func forget(_ key: ObjectKey) {}

    func reconcile(_ rule: AlertRule, _ pass: inout Reconciliation<AlertRuleStatus>) async throws -> ReconcileResult {
        let spec = rule.spec
        let now = pass.now
        let uid = rule.metadata.uid ?? pass.key.description
        let machine = AlertStateMachine(spec: spec)
        pass.status.severity = spec.effectiveSeverity
        var wakeAt = [RuleEvaluator.nextTick(after: now, interval: spec.effectiveInterval)]

        // 1. Evaluate once per tick (and at once after a spec change).
        let lastTime = pass.status.lastEvaluation?.time.flatMap(KubeTimestamp.parse)
        let specChanged = pass.object["status"]["observedGeneration"].intValue.map(Int64.init) != pass.generation
        var invalidQuery: String?
        if specChanged || lastTime.map({ RuleEvaluator.tick($0, interval: spec.effectiveInterval) < RuleEvaluator.tick(now, interval: spec.effectiveInterval) }) ?? true {
            let started = ContinuousClock.now
            let answer = await evaluator.read(spec, namespace: pass.namespace, now: now)
            let took = ContinuousClock.now - started
            let reading = RuleReading.judge(answer, spec: spec)
            invalidQuery = reading.invalidQuery
            evaluate(reading, took: took, machine: machine, &pass)
        } else if let ready = pass.object["status"].condition("Ready"), ready.reason == "InvalidQuery" {
            invalidQuery = pass.status.lastEvaluation?.error ?? ready.message
        }
        if let deadline = machine.nextDeadline(pass.status), deadline > now { wakeAt.append(deadline) }

        // 2. Explain a new firing episode.
        let episode = pass.status.firingSince
        if spec.analysisEnabled, let episode, pass.status.state == AlertState.firing.rawValue, pass.status.analysis?.episode != episode,
           let result = analysis.analysis(of: rule, uid: uid, episode: episode, firing: pass.status.firingSeries ?? [], wake: pass.wake) {
            pass.status.analysis = result
            pass.record(.normal, reason: "Analyzed", message: "root cause (advisory, \(result.provider ?? "analyzer")): \(result.rootCause ?? result.summary ?? "")")
        }

        // 3. Deliver what each action is owed.
        let secrets = SecretValues(cache: kit.cache)
        deliver(rule, uid: uid, secrets: secrets, wakeAt: &wakeAt, &pass)

        // 4. Ready, and when to look again.
        let secretProblems = secrets.problems(spec, namespace: pass.namespace)
        if let invalidQuery {
            pass.conditions.stalled(reason: "InvalidQuery", message: "Prometheus rejected the query: \(invalidQuery)")
        } else if !secretProblems.isEmpty {
            pass.conditions.stalled(reason: "SecretNotFound", message: secretProblems.map(\.description).joined(separator: "; "))
        } else if let error = pass.status.lastEvaluation?.error, pass.status.lastEvaluation?.value == nil, !error.hasPrefix("no data") {
            pass.conditions.reconciling(reason: "EvaluationFailed", message: error)
        } else {
            pass.conditions.ready(reason: "Evaluating", message: pass.status.message ?? "evaluated")
        }
        let next = wakeAt.filter { $0 > now }.min() ?? now.addingTimeInterval(spec.effectiveInterval.seconds)
        return .requeue(after: .milliseconds(max(10, Int64((next.timeIntervalSince(now) * 1000).rounded(.up)))))
    }

    // MARK: evaluation

    private func evaluate(_ reading: RuleReading, took: Duration, machine: AlertStateMachine,
                          _ pass: inout Reconciliation<AlertRuleStatus>) {
        let now = pass.now
        let value = reading.value.map(AlertNotice.format)
        let ms = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
        pass.status.lastEvaluation = AlertEvaluationStatus(time: AlertStateMachine.stamp(now), value: value,
                                                           duration: String(format: "%.0fms", ms), error: reading.error)
        pass.status.value = value ?? (reading.error.map { $0.hasPrefix("no data") ? "NoData" : "Error" })
        switch reading.reading {
        case .holds:
            // Status is JSON: an infinite value is kept as the largest finite one.
            let series = reading.firing.map { s in
                AlertSeries(labels: s.labels.filter { $0.key != "__name__" },
                            value: s.value.isFinite ? s.value : (s.value > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude))
            }
            pass.status.firingSeries = series.isEmpty ? nil : Array(series.prefix(Self.seriesLimit))
            pass.status.firingSeriesCount = series.count
        case .clear:
            pass.status.firingSeries = nil
            pass.status.firingSeriesCount = 0
        case .unknown:
            break
        }
        let transitions = machine.step(&pass.status, reading: reading.reading, now: now)
        let shown = value.map { "value \($0)" } ?? reading.error ?? "no value"
        switch pass.status.state.flatMap(AlertState.init(rawValue:)) ?? .inactive {
        case .inactive: pass.status.message = "the condition does not hold (\(shown))"
        case .pending: pass.status.message = "the condition holds (\(shown)); fires after \(pass.status.activeSince ?? "")+\(machine.forDuration)"
        case .firing: pass.status.message = "firing (\(shown)) for \(pass.status.firingSeriesCount ?? 0) series"
        case .resolved: pass.status.message = "resolved (\(shown))"
        }
        if reading.reading == .unknown { pass.status.message = "state kept: \(shown)" }
        for t in transitions {
            let type: EventRecorder.EventType = t.to == .firing ? .warning : .normal
            pass.record(type, reason: t.to.rawValue, message: "\(t.from.rawValue) → \(t.to.rawValue): \(shown)")
        }
    }

    // MARK: deliveries

    private func deliver(_ rule: AlertRule, uid: String, secrets: SecretValues, wakeAt: inout [Date],
                         _ pass: inout Reconciliation<AlertRuleStatus>) {
        let spec = rule.spec
        let now = pass.now
        let actions = spec.actions ?? []
        var entries = pass.status.notifications ?? []
        entries.removeAll { entry in !actions.contains { $0.name == entry.name } }
        for action in actions {
            var entry = entries.first { $0.name == action.name } ?? NotificationStatus(name: action.name)
            defer {
                if let index = entries.firstIndex(where: { $0.name == action.name }) { entries[index] = entry } else { entries.append(entry) }
            }
            if let next = DeliveryPlan.nextRepeat(action, entry, status: pass.status, spec: spec) { wakeAt.append(next) }
            guard let owed = DeliveryPlan.owed(action, entry, status: pass.status, spec: spec, now: now) else {
                if entry.retryAt != nil || entry.attempts != nil { entry.attempts = nil; entry.retryAt = nil }
                continue
            }
            // A Firing notice carries the episode's analysis: wait for it a little.
            if owed.state == .firing, owed.sequence == 0, spec.analysisEnabled, pass.status.analysis?.episode != owed.episode,
               let since = KubeTimestamp.parse(owed.episode), now.timeIntervalSince(since) < Self.analysisWait.seconds {
                wakeAt.append(since.addingTimeInterval(Self.analysisWait.seconds))
                continue
            }
            if let retryAt = entry.retryAt.flatMap(KubeTimestamp.parse), retryAt > now {
                wakeAt.append(retryAt)
                continue
            }
            let attempt = entry.attempts ?? 0
            let notifier: (any Notifier)?
            do { notifier = try secrets.notifier(action, namespace: pass.namespace, transport: transport) } catch {
                entry.lastError = error.description
                continue
            }
            guard let notifier = notifier ?? action.workflow.map({
                WorkflowStarter(api: kit.api, cache: kit.cache, workflow: $0.name, parameters: $0.parameters ?? [:], namespace: pass.namespace, target: spec.target)
            }) else { continue }
            let notice = self.notice(rule, owed: owed, action: action, status: pass.status, now: now)
            let redact = secrets.allValues(spec, namespace: pass.namespace)
            let jobID = owed.jobID(rule: uid, action: action.name, attempt: attempt)
            guard let outcome = kit.jobs.result(of: jobID, as: DeliveryOutcome.self, start: {
                do {
                    try await notifier.send(notice)
                    return .delivered(Date())
                } catch {
                    var text = "\(error)"
                    for secret in redact { text = text.replacingOccurrences(of: secret, with: "<from Secret>") }
                    return .failed(text)
                }
            }, then: pass.wake) else { continue }
            switch outcome {
            case .delivered(let at):
                entry.notifiedState = owed.state.rawValue
                entry.notifiedEpisode = owed.episode
                entry.sentCount = owed.state == .firing ? owed.sequence + 1 : entry.sentCount
                entry.lastSent = AlertStateMachine.stamp(max(at, now))
                entry.attempts = nil
                entry.retryAt = nil
                entry.lastError = nil
                if !(action.alertmanager != nil && owed.isRepeat) {
                    pass.record(.normal, reason: "Notified", message: "\(action.name): \(owed.isRepeat ? "repeated " : "")\(owed.state.rawValue)")
                }
                if let next = DeliveryPlan.nextRepeat(action, entry, status: pass.status, spec: spec) { wakeAt.append(next) }
            case .failed(let message):
                let attempts = attempt + 1
                let retryAt = now.addingTimeInterval(DeliveryPlan.backoff(attempts: attempts).seconds)
                entry.attempts = attempts
                entry.lastError = message
                entry.retryAt = AlertStateMachine.stamp(retryAt)
                wakeAt.append(retryAt)
                pass.record(.warning, reason: "NotificationFailed", message: "\(action.name): attempt \(attempts) of \(owed.state.rawValue): \(message)")
            }
        }
        pass.status.notifications = entries.isEmpty ? nil : entries
    }

    private func notice(_ rule: AlertRule, owed: OwedDelivery, action: AlertAction, status: AlertRuleStatus, now: Date) -> AlertNotice {
        let spec = rule.spec
        let namespace = rule.metadata.namespace ?? "default"
        let name = rule.metadata.name ?? ""
        let top = status.firingSeries?.first
        let value = status.lastEvaluation?.value.flatMap(Double.init) ?? top?.value
        var labels = AlertTemplates.render(spec.labels, labels: top?.labels ?? [:], value: value)
        labels["alertname"] = labels["alertname"] ?? name
        labels["namespace"] = labels["namespace"] ?? namespace
        labels["severity"] = labels["severity"] ?? spec.effectiveSeverity
        let annotations = AlertTemplates.render(spec.annotations, labels: top?.labels ?? [:], value: value)
        let startsAt = KubeTimestamp.parse(owed.episode) ?? now
        let endsAt: Date? = owed.state == .resolved
            ? (status.resolvedAt.flatMap(KubeTimestamp.parse) ?? now)
            : (action.alertmanager != nil ? now.addingTimeInterval(4 * DeliveryPlan.alertmanagerResend(spec).seconds) : nil)
        let analysis = status.analysis?.episode == owed.episode ? status.analysis : nil
        return AlertNotice(
            status: owed.state == .firing ? .firing : .resolved, rule: name, namespace: namespace,
            severity: spec.effectiveSeverity, description: spec.description.map { AlertTemplates.render($0, labels: top?.labels ?? [:], value: value) },
            labels: labels, annotations: annotations, value: value,
            series: (status.firingSeries ?? []).map { AlertNotice.Series(labels: $0.labels, value: $0.value) },
            seriesCount: status.firingSeriesCount ?? 0, startsAt: startsAt, endsAt: endsAt,
            dedupKey: "opsagent/\(namespace)/\(name)/\(owed.episode)", isRepeat: owed.isRepeat,
            analysisSummary: analysis?.summary, rootCause: analysis?.rootCause, recommendations: analysis?.recommendations ?? [])
    }
}
