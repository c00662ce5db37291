/// Judges framework controls from which checks ran and which failed.
enum FrameworkScoring {
    /// One summary per framework in `frameworks` (every framework when empty), in
    /// ``Framework`` order.
    static func summaries(frameworks: [Framework], enabled: Set<String>, failing: Set<String>) -> [FrameworkSummary] {
        let chosen = frameworks.isEmpty ? Framework.allCases : Framework.allCases.filter(frameworks.contains)
        return chosen.map { framework in
            var summary = FrameworkSummary(
                framework: framework, title: framework.title, passed: 0, failed: 0, notEvaluated: 0, score: 100,
                failedControls: [])
            for control in FrameworkCatalog.controls(of: framework) {
                let evaluated = control.checkIDs.filter(enabled.contains)
                if evaluated.isEmpty {
                    summary.notEvaluated += 1
                } else if evaluated.contains(where: failing.contains) {
                    summary.failed += 1
                    summary.failedControls.append(control.id)
                } else {
                    summary.passed += 1
                }
            }
            let judged = summary.passed + summary.failed
            summary.score = judged == 0 ? 100 : summary.passed * 100 / judged
            return summary
        }
    }
}
