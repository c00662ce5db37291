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
    let metrics: AlertMetrics
    /// Firing series kept in status.
    static let seriesLimit = 10
    /// How long Firing notices wait for the episode's analysis to include it.
    static let analysisWait: Duration = .seconds(20)

    func validate(_ rule: AlertRule) -> [SpecError] { rule.spec.validate() }

    func forget(_ key: ObjectKey) { metrics.forget(namespace: key.namespace ?? "", rule: key.name) }

    func reconcile(_ rule: AlertRule, _ pass: inout Reconciliation<AlertRuleStatus>) async throws -> ReconcileResult {
        let spec = rule.spec
        let now = pass.now
        let uid = rule.metadata.uid ?? pass.key.description
        let machine = AlertStateMachine(spec: spec)
        pass.status.severity = spec.effectiveSeverity
        let interval = spec.effectiveInterval, phase = RuleEvaluator.phase(spec, namespace: pass.namespace)
        var wakeAt = [RuleEvaluator.nextTick(after: now, interval: interval, phase: phase)]

        // 1. Evaluate once per tick (and at once after a spec change). A tick's evaluation is
        //    stamped with the tick's start, as Prometheus stamps a group's evaluation: `for`
        //    counts whole ticks, however late in its tick the pass that evaluates a rule runs.
        let lastTime = pass.status.lastEvaluation?.time.flatMap(KubeTimestamp.parse)
        let specChanged = pass.object["status"]["observedGeneration"].intValue.map(Int64.init) != pass.generation
        let tick = RuleEvaluator.tick(now, interval: interval, phase: phase)
        let tickDue = lastTime.map { RuleEvaluator.tick($0, interval: interval, phase: phase) < tick } ?? false
        var invalidQuery: String?
        if specChanged || lastTime == nil || tickDue {
            let started = ContinuousClock.now
            let answer = await evaluator.read(spec, namespace: pass.namespace, now: now)
            let took = ContinuousClock.now - started
            let reading = RuleReading.judge(answer, spec: spec)
            invalidQuery = reading.invalidQuery
            let stamp = tickDue ? max(RuleEvaluator.tickStart(tick, interval: interval, phase: phase), lastTime ?? .distantPast) : now
            evaluate(reading, at: stamp, took: took, machine: machine, perSeries: SeriesAlerts.applies(spec), &pass)
            metrics.evaluated(namespace: pass.namespace, rule: pass.name,
                              result: reading.error == nil ? "ok" : reading.error!.hasPrefix("no data") ? "no_data" : "error",
                              firing: pass.status.state == AlertState.firing.rawValue, series: pass.status.firingSeriesCount ?? 0)
        } else if let ready = pass.object["status"].condition("Ready"), ready.reason == "InvalidQuery" {
            invalidQuery = pass.status.lastEvaluation?.error ?? ready.message
        }
        if let deadline = machine.nextDeadline(pass.status), deadline > now { wakeAt.append(deadline) }
        for alert in pass.status.alerts ?? [] {
            if let deadline = machine.nextDeadline(alert), deadline > now { wakeAt.append(deadline) }
        }

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

    private func evaluate(_ reading: RuleReading, at now: Date, took: Duration, machine: AlertStateMachine, perSeries: Bool,
                          _ pass: inout Reconciliation<AlertRuleStatus>) {
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
        // An expr rule's series are alerts of their own; a series without labels is the rule itself.
        if perSeries {
            let (alerts, changes) = SeriesAlerts.step(pass.status.alerts ?? [], reading: reading, machine: machine, now: now)
            pass.status.alerts = alerts.isEmpty ? nil : alerts
            for change in changes where !change.labels.isEmpty {
                let t = change.transition
                pass.record(t.to == .firing ? .warning : .normal, reason: "Series" + t.to.rawValue,
                            message: "{\(SeriesAlert.fingerprint(change.labels))}: \(t.from.rawValue) → \(t.to.rawValue)")
            }
        } else {
            pass.status.alerts = nil
        }
    }
}
