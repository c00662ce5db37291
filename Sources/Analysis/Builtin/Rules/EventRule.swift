/// Reports Warning events, grouped by reason, most frequent first. They add evidence but
/// do not change the verdict: the pod and metric rules judge the state they describe.
struct EventRule: BuiltinRule {
    static let maxReasons = 3

    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation] {
        var byReason: [String: [EventFact]] = [:]
        for event in facts.events where event.isWarning {
            byReason[event.reason, default: []].append(event)
        }
        let ranked = byReason.map { reason, events in (reason, events, events.reduce(0) { $0 + max(1, $1.count) }) }
            .sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0 }
        return ranked.prefix(Self.maxReasons).map { reason, events, total in
            let first = events[0]
            let about = first.object.isEmpty ? "" : " on \(first.object)"
            return Observation(.notes, .warning, "Warning events: \(reason) ×\(total)",
                               evidence: "\(first.message)\(about)")
        }
    }
}

/// Reports log lines that show a crash or an error.
struct LogRule: BuiltinRule {
    /// Lowercased markers of an error line.
    static let markers = ["panic:", "fatal", "exception", "traceback", "out of memory", "outofmemoryerror",
                          "segmentation fault", "level=error", "\"level\":\"error\"", " error ", "[error]", "error:"]

    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation] {
        facts.logs.compactMap { tail in
            let errors = tail.lines.filter { line in
                let lowered = " " + line.lowercased() + " "
                return Self.markers.contains { lowered.contains($0) }
            }
            guard let first = errors.first else { return nil }
            let which = tail.previous ? "previous run of " : ""
            return Observation(.notes, .warning, "Errors in the log of \(tail.pod)/\(tail.container)",
                               evidence: "\(errors.count) of \(tail.lines.count) lines in the \(which)log look like errors, first: \(first)")
        }
    }
}

/// Judges the checks the caller already ran.
struct CheckRule: BuiltinRule {
    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation] {
        facts.checks.map { check in
            let detail = check.detail.isEmpty ? "" : ": \(check.detail)"
            switch check.outcome {
            case .passed:
                return .healthy("check \(check.name)")
            case .failed:
                let effect: Observation.Effect = check.severity == .critical ? .fails : .notes
                return Observation(effect, check.severity, "Check failed: \(check.name)", evidence: "\(check.name) failed\(detail)",
                                   recommendation: check.severity == .critical ? "Fix what \(check.name) reports before going ahead." : nil)
            case .unknown:
                let effect: Observation.Effect = check.severity == .critical ? .undetermined : .notes
                return Observation(effect, .warning, "Check not evaluated: \(check.name)", evidence: "\(check.name) could not be evaluated\(detail)",
                                   recommendation: "Make \(check.name) evaluable (its data source, its query) and analyse again.")
            }
        }
    }
}
