/// Answers a question about a subject from the facts a reconciler gathered.
///
/// An analyzer never throws and never blocks for long: when it cannot reach a verdict it
/// says `inconclusive`, and when a remote provider fails it answers from the built-in
/// rules and says so in ``AnalysisResult/degraded``. Cancelling the calling task ends the
/// analysis promptly.
///
/// Controllers hold an `any Analyzer` built by ``AnalyzerFactory`` from the operator's
/// ``AnalysisConfiguration``:
///
/// ```swift
/// let result = await analyzer.analyze(AnalysisRequest(
///     subject: AnalysisSubject(kind: "BlueGreenDeployment", namespace: ns, name: name),
///     question: "May the preview be promoted?",
///     facts: facts))
/// status.analysis = result          // Codable, bounded in size
/// if let degraded = result.degraded { /* set AnalysisDegraded=True, reason, message */ }
/// ```
public protocol Analyzer: Sendable {
    func analyze(_ request: AnalysisRequest) async -> AnalysisResult
}
