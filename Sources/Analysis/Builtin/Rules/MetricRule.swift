/// Judges metric series: missing data, error rate, and CPU and memory against their limits.
struct MetricRule: BuiltinRule {
    func observe(_ facts: AnalysisFacts, thresholds: BuiltinThresholds) -> [Observation] {
        facts.metrics.flatMap { observe($0, pods: facts.pods, thresholds: thresholds) }
    }

    private func observe(_ sample: MetricSample, pods: [PodFact], thresholds: BuiltinThresholds) -> [Observation] {
        let label = sample.pod.map { "\(sample.name) (pod \($0))" } ?? sample.name
        let missing = sample.values.count - sample.finiteValues.count
        guard let latest = sample.latest else {
            let evidence = sample.values.isEmpty
                ? "`\(sample.query)` returned no samples"
                : "all \(sample.values.count) samples of `\(sample.query)` are NaN"
            return [Observation(.undetermined, .warning, "No data for \(label)", evidence: evidence,
                                recommendation: "Check that `\(sample.query)` returns data: the scrape target, its labels and the time range.")]
        }
        var observations: [Observation] = []
        let missingFraction = Double(missing) / Double(sample.values.count)
        if missingFraction > thresholds.maxMissingFraction {
            observations.append(Observation(.undetermined, .warning, "Mostly missing data for \(label)",
                evidence: "\(missing) of \(sample.values.count) samples of `\(sample.query)` have no value",
                recommendation: "Check that `\(sample.query)` is scraped steadily before relying on it."))
        }
        if let judged = judge(sample, latest: latest, label: label, pods: pods, thresholds: thresholds) {
            observations.append(judged)
        }
        return observations
    }

    /// The verdict on the newest value, or nil when nothing bounds this metric.
    private func judge(_ sample: MetricSample, latest: Double, label: String, pods: [PodFact],
                       thresholds: BuiltinThresholds) -> Observation? {
        if let explicit = sample.threshold {
            if let max = explicit.max, latest > max {
                return violation("\(label) above its threshold", "\(label) = \(Format.decimal(latest)) > \(Format.decimal(max)) (`\(sample.query)`)", sample)
            }
            if let min = explicit.min, latest < min {
                return violation("\(label) below its threshold", "\(label) = \(Format.decimal(latest)) < \(Format.decimal(min)) (`\(sample.query)`)", sample)
            }
            return .healthy(label)
        }
        switch sample.kind {
        case .errorRate:
            guard latest > thresholds.errorRate else { return .healthy(label) }
            return violation("Error rate above \(Format.percent(thresholds.errorRate))",
                             "\(label) = \(Format.percent(latest)) > \(Format.percent(thresholds.errorRate)) (`\(sample.query)`)", sample)
        case .cpuUtilization:
            return usage(ratio: latest, limit: thresholds.cpuOfLimit, resource: "CPU", label: label, detail: "", sample: sample)
        case .memoryUtilization:
            return usage(ratio: latest, limit: thresholds.memoryOfLimit, resource: "Memory", label: label, detail: "", sample: sample)
        case .cpuUsage:
            guard let limit = sample.limit ?? Self.limit(of: sample, in: pods, \.cpuLimit), limit > 0 else {
                return Observation(.notes, .info, "No CPU limit to judge \(label) against",
                                   evidence: "\(label) = \(Format.cores(latest)) cores; the pods set no CPU limit")
            }
            return usage(ratio: latest / limit, limit: thresholds.cpuOfLimit, resource: "CPU", label: label,
                         detail: " (\(Format.cores(latest)) of \(Format.cores(limit)))", sample: sample)
        case .memoryUsage:
            guard let limit = sample.limit ?? Self.limit(of: sample, in: pods, \.memoryLimit), limit > 0 else {
                return Observation(.notes, .info, "No memory limit to judge \(label) against",
                                   evidence: "\(label) = \(Format.bytes(latest)); the pods set no memory limit")
            }
            return usage(ratio: latest / limit, limit: thresholds.memoryOfLimit, resource: "Memory", label: label,
                         detail: " (\(Format.bytes(latest)) of \(Format.bytes(limit)))", sample: sample)
        case .requestRate:
            // An error rate of zero means nothing when no request came in.
            guard latest <= 0 else { return .healthy(label) }
            return Observation(.undetermined, .warning, "No traffic for \(label)",
                               evidence: "\(label) = 0 requests/s (`\(sample.query)`), so error rates say nothing yet",
                               recommendation: "Send traffic to it (a smoke test or a share of requests) before judging it.")
        case .latency, .other:
            return nil
        }
    }

    private func usage(ratio: Double, limit: Double, resource: String, label: String, detail: String,
                       sample: MetricSample) -> Observation {
        guard ratio > limit else { return .healthy(label) }
        let advice = resource == "CPU"
            ? "Raise the CPU limit or add replicas; CPU above \(Format.percent(limit)) of the limit means throttling."
            : "Raise the memory limit or find the leak; memory above \(Format.percent(limit)) of the limit risks OOMKilled."
        return Observation(.fails, .critical, "\(resource) above \(Format.percent(limit)) of its limit",
                           evidence: "\(label) at \(Format.percent(ratio)) of the limit\(detail) (`\(sample.query)`)",
                           recommendation: advice, group: "\(resource)-usage", instance: sample.pod)
    }

    private func violation(_ title: String, _ evidence: String, _ sample: MetricSample) -> Observation {
        let advice = sample.kind == .errorRate
            ? "Keep traffic off this version; read the failing requests in the logs before trying again."
            : "Find why \(sample.name) is out of bounds before going ahead."
        return Observation(.fails, .critical, title, evidence: evidence, recommendation: advice)
    }

    /// The limit of the sample's pod, or the limit all pods share when the series is not per pod.
    private static func limit(of sample: MetricSample, in pods: [PodFact], _ key: KeyPath<PodFact, Double?>) -> Double? {
        if let name = sample.pod {
            return pods.first { $0.name == name }?[keyPath: key]
        }
        let limits = Set(pods.compactMap { $0[keyPath: key] })
        return limits.count == 1 && pods.allSatisfy({ $0[keyPath: key] != nil }) ? limits.first : nil
    }
}
