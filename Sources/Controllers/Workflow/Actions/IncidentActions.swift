import Analysis
import Foundation
import Integrations
import KubeClient
import OperatorKit
import OpsAPI

/// The incident's pods: the named workload's, else those of a label `selector` (an
/// AlertRule's target), else the pod an alert's labels name, else none.
func incidentPods(_ context: ActionContext) -> (name: String?, pods: [JSONValue]) {
    let namespace = context.targetNamespace
    if let name = context.string("name") ?? context.runParameters["deployment"] {
        return (name, WorkloadTargets.pods(of: name, kind: context.string("kind"), namespace: namespace, cache: context.cache))
    }
    if let text = context.string("selector"), let selector = try? LabelSelector(parsing: text) {
        let pods = context.cache.list(WorkloadTargets.pods, namespace: namespace, matching: selector)
        return (AlertAnalysisStep.workloadName(of: pods) ?? text, pods)
    }
    if let pod = context.runParameters["pod"], let object = context.cache.get(WorkloadTargets.pods, ObjectKey(namespace: namespace, name: pod)) {
        return (pod, [object])
    }
    return (nil, [])
}

/// Asks the operator's analyzer `question` (given the incident's name and namespace) over the
/// facts of the incident's pods: their state, Events and log tails, redacted.
func analyzeIncident(_ context: ActionContext, question: (String?, String) -> String) async -> AnalysisResult {
    let (name, pods) = incidentPods(context)
    let namespace = context.targetNamespace
    let gathered = await context.operatorContext.facts.gather(pods: pods, namespace: namespace)
    return await context.operatorContext.analyzer.analyze(AnalysisRequest(
        subject: AnalysisSubject(kind: OpsWorkflowRun.kind, namespace: context.namespace, name: context.runName),
        question: question(name, namespace), facts: gathered.facts, sensitiveValues: gathered.sensitiveValues))
}

/// `monitoring.assess-severity`: the analysis step (the operator's analyzer: built-in rules,
/// or the configured LLM) over the incident's facts — its pods, their Events and log tails,
/// redacted — and the alert the run was started with. Severity: high when the analysis
/// fails with a critical finding, medium when it fails otherwise, low when nothing is wrong.
struct AssessSeverity: StepAction {
    static let id = "monitoring.assess-severity"

    func run(_ context: ActionContext) async -> ActionOutcome {
        let alert = context.runParameters["alertname"].map { "The alert \($0) (\(context.runParameters["severity"] ?? "unknown severity")) fired" } ?? "An incident was reported"
        let result = await analyzeIncident(context) { name, namespace in
            "\(alert)\(name.map { " for \(namespace)/\($0)" } ?? " in \(namespace)"). How severe is it, and what is the probable cause?"
        }
        let severity = Self.severity(of: result)
        return .succeeded(["severity": severity, "summary": result.summary, "provider": result.provider])
    }

    static func severity(of result: AnalysisResult) -> String {
        guard result.verdict == .fail else { return "low" }
        return result.findings.contains { $0.severity == .critical } ? "high" : "medium"
    }
}

/// `incident.auto-recovery {mode}`: `restart` deletes the target's crash-looping (or not
/// ready) pods so their controller recreates them, `scale` sets replicas, `rollback` rolls a
/// BlueGreenDeployment back. Deleting a pod that is already gone, or scaling to the same
/// count, is a no-op, so a repeated attempt has no further effect.
struct AutoRecovery: StepAction {
    static let id = "incident.auto-recovery"

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let mode = context.string("mode") ?? "restart"
            switch mode {
            case "scale":
                let outcome = await ScaleWorkload().run(context)
                guard case .succeeded(let outputs) = outcome else { return outcome }
                return .succeeded(outputs.merging(["recovered": "true", "mode": mode]) { a, _ in a })
            case "rollback":
                let outcome = await Rollback().run(context)
                guard case .succeeded = outcome else { return outcome }
                return .succeeded(["recovered": "true", "mode": mode, "restarted": "0"])
            default:
                let (name, pods) = incidentPods(context)
                guard name != nil else { throw ActionError("no workload to recover: set parameters.name, or start the run from an alert with a deployment or pod label") }
                let broken = pods.filter { WorkloadTargets.isCrashLooping($0) || !WorkloadTargets.isReady($0) }
                for pod in broken {
                    do {
                        _ = try await context.api.delete(.pods, name: pod["metadata"]["name"].stringValue ?? "",
                                                         namespace: context.targetNamespace, options: DeleteOptions())
                    } catch let error as KubeError where error.isNotFound {}
                }
                return .succeeded(["recovered": "true", "mode": mode, "restarted": "\(broken.count)"])
            }
        }
    }
}

/// `incident.escalate`: tells people through the notifiers of an AlertRule — the rule that
/// started the run (`params.alertname`), or `alertRule` — with the assessment of earlier
/// steps. Not resumable: a notification sent just before the operator died cannot be told
/// apart from one never sent, so such an attempt is failed rather than repeated.
struct Escalate: StepAction {
    static let id = "incident.escalate"
    var resumable: Bool { false }

    func run(_ context: ActionContext) async -> ActionOutcome {
        await .catching {
            let namespace = context.namespace
            guard let ruleName = context.string("alertRule") ?? context.runParameters["alertname"] else {
                throw ActionError("no AlertRule to escalate through: set parameters.alertRule")
            }
            guard let raw = context.cache.get(WorkloadTargets.alertRules, ObjectKey(namespace: namespace, name: ruleName)) else {
                throw ActionError("AlertRule \(namespace)/\(ruleName) not found")
            }
            var object = raw
            object.removeValue(forKey: "status")
            let rule = try object.decode(AlertRule.self)
            let secrets = SecretValues(cache: context.cache)
            let summary = context.priorOutputs.values.compactMap { $0["summary"] }.first
            let severity = context.priorOutputs.values.compactMap { $0["severity"] }.first ?? rule.spec.effectiveSeverity
            let notice = AlertNotice(
                status: .firing, rule: ruleName, namespace: namespace, severity: rule.spec.effectiveSeverity,
                description: context.string("message") ?? "Escalated by workflow \(context.workflow) (run \(context.runName)): assessed severity \(severity)",
                labels: ["alertname": ruleName, "namespace": namespace, "workflow": context.workflow],
                startsAt: context.wallTime, dedupKey: "opsagent/\(namespace)/\(context.idempotencyKey)",
                analysisSummary: summary)
            var sent: [String] = []
            var errors: [String] = []
            let redact = secrets.allValues(rule.spec, namespace: namespace)
            for action in rule.spec.actions ?? [] where action.workflow == nil {
                do {
                    guard let notifier = try secrets.notifier(action, namespace: namespace, transport: context.operatorContext.configuration.transport) else { continue }
                    try await notifier.send(notice)
                    sent.append(action.name)
                } catch {
                    var text = "\(action.name): \(error)"
                    for secret in redact { text = text.replacingOccurrences(of: secret, with: "<from Secret>") }
                    errors.append(text)
                }
            }
            if sent.isEmpty {
                return .failed(errors.isEmpty ? "AlertRule \(ruleName) has no notifier to escalate through" : errors.joined(separator: "; "))
            }
            return .succeeded(["notified": sent.joined(separator: ",")])
        }
    }
}
