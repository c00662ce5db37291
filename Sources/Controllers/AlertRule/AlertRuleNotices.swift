import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

/// Step 3 of an AlertRule's reconcile: delivering what each action is owed. An `expr:`
/// rule's series are alerts of their own (``SeriesAlerts``), each with its own notices and
/// dedup key; other rules notify as one alert. What was told is recorded in status before
/// the next send can happen (a delivery is a background job per attempt).
extension AlertRuleReconciler {
    func deliver(_ rule: AlertRule, uid: String, secrets: SecretValues, wakeAt: inout [Date],
                 _ pass: inout Reconciliation<AlertRuleStatus>) {
        guard SeriesAlerts.applies(rule.spec) else {
            var entries = pass.status.notifications ?? []
            deliver(rule, uid: uid, about: pass.status, series: nil, entries: &entries, secrets: secrets, wakeAt: &wakeAt, &pass)
            pass.status.notifications = entries.isEmpty ? nil : entries
            return
        }
        var alerts = pass.status.alerts ?? []
        for index in alerts.indices {
            var entries = alerts[index].notifications ?? []
            deliver(rule, uid: uid, about: alerts[index], series: alerts[index], entries: &entries, secrets: secrets,
                    wakeAt: &wakeAt, &pass)
            alerts[index].notifications = entries.isEmpty ? nil : entries
        }
        pass.status.alerts = alerts.isEmpty ? nil : alerts
        pass.status.notifications = SeriesAlerts.summary(rule.spec.actions ?? [], alerts)
    }

    /// What `subject` (the rule, or one series) owes each action, delivered.
    private func deliver<Subject: AlertStateFields>(
        _ rule: AlertRule, uid: String, about subject: Subject, series: SeriesAlert?, entries: inout [NotificationStatus],
        secrets: SecretValues, wakeAt: inout [Date], _ pass: inout Reconciliation<AlertRuleStatus>
    ) {
        let spec = rule.spec
        let now = pass.now
        let actions = spec.actions ?? []
        let owner = series.map { "\(uid)/\(SeriesAlerts.jobKey($0.fingerprint))" } ?? uid
        let about = series.map { $0.labels.isEmpty ? "" : "{\($0.fingerprint)} " } ?? ""
        entries.removeAll { entry in !actions.contains { $0.name == entry.name } }
        for action in actions {
            var entry = entries.first { $0.name == action.name } ?? NotificationStatus(name: action.name)
            defer {
                if let index = entries.firstIndex(where: { $0.name == action.name }) { entries[index] = entry } else { entries.append(entry) }
            }
            if let next = DeliveryPlan.nextRepeat(action, entry, status: subject, spec: spec) { wakeAt.append(next) }
            guard let owed = DeliveryPlan.owed(action, entry, status: subject, spec: spec, now: now) else {
                if entry.retryAt != nil || entry.attempts != nil { entry.attempts = nil; entry.retryAt = nil }
                continue
            }
            // A Firing notice carries the rule's episode analysis: wait for it a little.
            if owed.state == .firing, owed.sequence == 0, spec.analysisEnabled, let episode = pass.status.firingSince,
               pass.status.analysis?.episode != episode, let since = KubeTimestamp.parse(episode),
               now.timeIntervalSince(since) < Self.analysisWait.seconds {
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
            // A `workflow` action starts an OpsWorkflowRun through the same delivery path.
            guard let notifier = notifier ?? action.workflow.map({
                WorkflowStarter(api: kit.api, cache: kit.cache, workflow: $0.name, parameters: $0.parameters ?? [:],
                                namespace: pass.namespace, target: spec.target)
            }) else { continue }
            let notice = self.notice(rule, owed: owed, action: action, series: series, status: pass.status, now: now)
            let redact = secrets.allValues(spec, namespace: pass.namespace)
            let jobID = owed.jobID(rule: owner, action: action.name, attempt: attempt)
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
                metrics.notified(namespace: pass.namespace, rule: pass.name, action: action.name, sent: true)
                entry.notifiedState = owed.state.rawValue
                entry.notifiedEpisode = owed.episode
                entry.sentCount = owed.state == .firing ? owed.sequence + 1 : entry.sentCount
                entry.lastSent = AlertStateMachine.stamp(max(at, now))
                entry.attempts = nil
                entry.retryAt = nil
                entry.lastError = nil
                if !(action.alertmanager != nil && owed.isRepeat) {
                    pass.record(.normal, reason: "Notified", message: "\(action.name): \(about)\(owed.isRepeat ? "repeated " : "")\(owed.state.rawValue)")
                }
                if let next = DeliveryPlan.nextRepeat(action, entry, status: subject, spec: spec) { wakeAt.append(next) }
            case .failed(let message):
                metrics.notified(namespace: pass.namespace, rule: pass.name, action: action.name, sent: false)
                let attempts = attempt + 1
                let retryAt = now.addingTimeInterval(DeliveryPlan.backoff(attempts: attempts).seconds)
                entry.attempts = attempts
                entry.lastError = message
                entry.retryAt = AlertStateMachine.stamp(retryAt)
                wakeAt.append(retryAt)
                pass.record(.warning, reason: "NotificationFailed", message: "\(action.name): \(about)attempt \(attempts) of \(owed.state.rawValue): \(message)")
            }
        }
    }

    /// The notice of `owed`: about one series (its labels joined to the rule's, its value,
    /// its own start and end, a dedup key of its own), or about the rule as a whole.
    private func notice(_ rule: AlertRule, owed: OwedDelivery, action: AlertAction, series: SeriesAlert?,
                        status: AlertRuleStatus, now: Date) -> AlertNotice {
        let spec = rule.spec
        let namespace = rule.metadata.namespace ?? "default"
        let name = rule.metadata.name ?? ""
        let top = series.map { AlertSeries(labels: $0.labels, value: $0.value ?? 0) } ?? status.firingSeries?.first
        let value = series.map(\.value) ?? (status.lastEvaluation?.value.flatMap(Double.init) ?? top?.value)
        var labels = series?.labels ?? [:]
        labels.merge(AlertTemplates.render(spec.labels, labels: top?.labels ?? [:], value: value)) { $1 }
        labels["alertname"] = labels["alertname"] ?? name
        labels["namespace"] = labels["namespace"] ?? namespace
        labels["severity"] = labels["severity"] ?? spec.effectiveSeverity
        let annotations = AlertTemplates.render(spec.annotations, labels: top?.labels ?? [:], value: value)
        let startsAt = KubeTimestamp.parse(owed.episode) ?? now
        let resolvedAt = series.map(\.resolvedAt) ?? status.resolvedAt
        let endsAt: Date? = owed.state == .resolved
            ? (resolvedAt.flatMap(KubeTimestamp.parse) ?? now)
            : (action.alertmanager != nil ? now.addingTimeInterval(4 * DeliveryPlan.alertmanagerResend(spec).seconds) : nil)
        let analysis = status.analysis?.episode == status.firingSince ? status.analysis : nil
        let listed = series.map { [AlertNotice.Series(labels: $0.labels, value: $0.value ?? 0)] }
            ?? (status.firingSeries ?? []).map { AlertNotice.Series(labels: $0.labels, value: $0.value) }
        let identity = series.flatMap { $0.labels.isEmpty ? nil : SeriesAlerts.jobKey($0.fingerprint) }
        return AlertNotice(
            status: owed.state == .firing ? .firing : .resolved, rule: name, namespace: namespace,
            severity: spec.effectiveSeverity, description: spec.description.map { AlertTemplates.render($0, labels: top?.labels ?? [:], value: value) },
            labels: labels, annotations: annotations, value: value, series: listed,
            seriesCount: series == nil ? status.firingSeriesCount ?? 0 : 1, startsAt: startsAt, endsAt: endsAt,
            dedupKey: "opsagent/\(namespace)/\(name)/\(identity.map { $0 + "/" } ?? "")\(owed.episode)", isRepeat: owed.isRepeat,
            analysisSummary: analysis?.summary, rootCause: analysis?.rootCause, recommendations: analysis?.recommendations ?? [])
    }
}
