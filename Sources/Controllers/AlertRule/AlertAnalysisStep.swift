import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// The analysis step of a firing episode: the analyzer gets the firing series and the facts
/// of the affected workload (its pods, their Events and log tails, redacted), and its answer
/// goes into status as advisory. One analysis per episode: the job is known by the episode,
/// so re-evaluations, wake-ups and repeats never ask again.
struct AlertAnalysisStep: Sendable {
    let analyzer: any Analyzer
    let facts: FactsGatherer
    let evaluator: RuleEvaluator
    let jobs: BackgroundJobs

    static func jobID(rule uid: String, episode: String) -> String { "alertrule/\(uid)/analysis/\(episode)" }

    /// The analysis of `episode`, or nil while it runs (`wake` is called when it ends).
    func analysis(of rule: AlertRule, uid: String, episode: String, firing: [AlertSeries],
                  wake: @escaping @Sendable () -> Void) -> AlertAnalysis? {
        let namespace = rule.metadata.namespace ?? "default"
        let spec = rule.spec
        let evaluator = self.evaluator, gatherer = facts, analyzer = self.analyzer
        let subject = AnalysisSubject(kind: AlertRule.kind, namespace: namespace, name: rule.metadata.name ?? "")
        return jobs.result(of: Self.jobID(rule: uid, episode: episode), as: AlertAnalysis.self, start: {
            let (podNamespace, pods) = await Self.affectedPods(spec, namespace: namespace, firing: firing, evaluator: evaluator)
            let workload = Self.workloadName(of: pods)
            let metric = MetricSample(name: rule.metadata.name ?? "alert", query: spec.expr ?? spec.condition?.metric ?? "",
                                      kind: Self.kind(of: spec), values: firing.prefix(10).map(\.value))
            let gathered = await gatherer.gather(pods: pods, namespace: podNamespace, metrics: [metric])
            let question = "The alert \(subject) (\(spec.effectiveSeverity)) is firing"
                + (workload.map { " for the workload \($0)" } ?? "")
                + ": \(spec.description ?? spec.expr ?? spec.condition.map { "\($0.metric) \($0.`operator`) \($0.threshold)" } ?? ""). What is the probable root cause, and what should be done?"
            let result = await analyzer.analyze(AnalysisRequest(subject: subject, question: question, facts: gathered.facts,
                                                                sensitiveValues: gathered.sensitiveValues))
            return Self.record(result, episode: episode, workload: workload, podNamespace: podNamespace, pods: pods.count)
        }, then: wake)
    }

    /// The answer as status shows it; the root cause names the workload.
    static func record(_ result: AnalysisResult, episode: String, workload: String?, podNamespace: String, pods: Int) -> AlertAnalysis {
        var analysis = AlertAnalysis(episode: episode)
        analysis.provider = result.provider
        analysis.verdict = result.verdict.rawValue
        analysis.summary = result.summary
        analysis.recommendations = result.recommendations
        analysis.degraded = result.degraded.map { "\($0.reason.rawValue): \($0.message)" }
        let top = result.findings.max { $0.severity < $1.severity }
        let finding = top.map { $0.evidence.isEmpty ? $0.title : "\($0.title): \($0.evidence)" } ?? result.summary
        if let workload {
            let name = "\(podNamespace)/\(workload)"
            analysis.rootCause = finding.contains(workload) ? finding : "workload \(name) (\(pods) pods): \(finding)"
        } else {
            analysis.rootCause = finding
        }
        return analysis
    }

    /// The pods the alert is about: the target's, else those its firing series name.
    static func affectedPods(_ spec: AlertRuleSpec, namespace: String, firing: [AlertSeries],
                             evaluator: RuleEvaluator) async -> (String, [JSONValue]) {
        if let target = try? await evaluator.targetPods(spec, namespace: namespace) { return (target.namespace, target.pods) }
        let named = firing.compactMap { s in s.labels["pod"].map { (s.labels["namespace"] ?? namespace, $0) } }
        guard let podNamespace = named.first?.0 else { return (namespace, []) }
        let names = Set(named.filter { $0.0 == podNamespace }.map(\.1))
        let pods = await evaluator.pods(namespace: podNamespace).filter { names.contains($0["metadata"]["name"].stringValue ?? "") }
        return (podNamespace, pods)
    }

    /// The Deployment (or other controller) the pods belong to: the ReplicaSet's owner by
    /// name (the ReplicaSet name without its template hash), else the direct owner.
    static func workloadName(of pods: [JSONValue]) -> String? {
        var counts: [String: Int] = [:]
        for pod in pods {
            guard let owner = (pod["metadata"]["ownerReferences"].arrayValue ?? []).first(where: { $0["controller"] == true })
                    ?? pod["metadata"]["ownerReferences"][0].objectValue.map(JSONValue.object),
                  let name = owner["name"].stringValue else { continue }
            var workload = name
            if owner["kind"] == "ReplicaSet", let hash = pod["metadata"]["labels"]["pod-template-hash"].stringValue,
               name.hasSuffix("-" + hash) {
                workload = String(name.dropLast(hash.count + 1))
            }
            counts[workload, default: 0] += 1
        }
        return counts.max { $0.value < $1.value }?.key
    }

    static func kind(of spec: AlertRuleSpec) -> MetricKind {
        if let builtin = spec.condition?.builtin {
            switch builtin {
            case .cpu: return .cpuUtilization
            case .memory: return .memoryUtilization
            case .cpuUsage: return .cpuUsage
            case .memoryUsage: return .memoryUsage
            case .errorRate: return .errorRate
            default: return .other
            }
        }
        let text = (spec.expr ?? spec.condition?.metric ?? "").lowercased()
        if text.contains("error") || text.contains("5..") { return .errorRate }
        if text.contains("latency") || text.contains("duration") { return .latency }
        return .other
    }
}
