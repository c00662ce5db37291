import KubeClient

extension BlueGreenSpec {
    /// The pod labels the rollout selects, from `selector.matchLabels` or the template's labels.
    public var templateLabels: [String: String] {
        var labels: [String: String] = [:]
        for (k, v) in template["metadata"]["labels"].objectValue ?? [:] {
            if let s = v.stringValue { labels[k] = s }
        }
        return labels
    }

    /// The effective label selector: `spec.selector`, or the template's labels.
    public func effectiveSelector() throws(SpecError) -> LabelSelector {
        if let selector, !selector.isNull {
            do { return try selector.decode(LabelSelector.self) } catch {
                throw SpecError(field: "spec.selector", message: "is not a valid label selector: \(error)")
            }
        }
        return LabelSelector(matchLabels: templateLabels)
    }

    /// Checks what the schema cannot: that the selector selects the template, names are
    /// unique, conditions parse. Returns every problem, so a user fixes them in one pass.
    public func validate() -> [SpecError] {
        var errors: [SpecError] = []
        let containers = template["spec"]["containers"].arrayValue ?? []
        if containers.isEmpty {
            errors.append(SpecError(field: "spec.template.spec.containers", message: "must list at least one container"))
        }
        for (i, c) in containers.enumerated() where (c["image"].stringValue ?? "").isEmpty {
            errors.append(SpecError(field: "spec.template.spec.containers[\(i)].image", message: "is required"))
        }
        if templateLabels.isEmpty {
            errors.append(SpecError(field: "spec.template.metadata.labels", message: "must not be empty: the Services select the pods by them"))
        }
        do {
            let selector = try effectiveSelector()
            if !selector.matches(templateLabels) {
                errors.append(SpecError(field: "spec.selector", message: "does not match the template's labels \(templateLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"))
            }
            if selector.isEverything {
                errors.append(SpecError(field: "spec.selector", message: "must select something; an empty selector would select every pod in the namespace"))
            }
        } catch {
            errors.append(error)
        }
        for label in ["opsagent.dev/color", "pod-template-hash"] where templateLabels[label] != nil {
            errors.append(SpecError(field: "spec.template.metadata.labels", message: "must not set \(label): the controller manages it"))
        }
        if let preview = previewService, preview.name == activeService.name {
            errors.append(SpecError(field: "spec.previewService.name", message: "must differ from spec.activeService.name"))
        }
        for (stage, analysis) in [("prePromotionAnalysis", prePromotionAnalysis), ("postPromotionAnalysis", postPromotionAnalysis)] {
            guard let checks = analysis?.checks else { continue }
            var seen: Set<String> = []
            for (i, check) in checks.enumerated() {
                let path = "spec.\(stage).checks[\(i)]"
                if !seen.insert(check.name).inserted {
                    errors.append(SpecError(field: "\(path).name", message: "\"\(check.name)\" is used twice"))
                }
                if (check.prometheus == nil) == (check.builtin == nil) {
                    errors.append(SpecError(field: path, message: "needs exactly one of prometheus or builtin"))
                }
                for (field, text) in [("successCondition", check.successCondition), ("failureCondition", check.failureCondition)] {
                    guard let text else { continue }
                    do { _ = try ConditionExpression(parsing: text) } catch {
                        errors.append(SpecError(field: "\(path).\(field)", message: "\(error)"))
                    }
                }
                if let interval = check.interval, GoDuration.parse(interval) == nil {
                    errors.append(SpecError(field: "\(path).interval", message: "\"\(interval)\" is not a duration such as 10s or 1m"))
                }
                if let range = check.thresholdRange, let lo = range.min, let hi = range.max, lo > hi {
                    errors.append(SpecError(field: "\(path).thresholdRange", message: "min \(lo) is above max \(hi)"))
                }
            }
        }
        return errors
    }
}

/// Durations as Kubernetes and Prometheus users write them: 300ms, 10s, 1m30s, 2h.
public enum GoDuration {
    public static func parse(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var index = text.startIndex
        guard !text.isEmpty else { return nil }
        while index < text.endIndex {
            let c = text[index]
            if c.isNumber || c == "." { number.append(c); index = text.index(after: index); continue }
            guard let value = Double(number) else { return nil }
            number = ""
            if text[index...].hasPrefix("ms") { total += value / 1000; index = text.index(index, offsetBy: 2); continue }
            switch c {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: return nil
            }
            index = text.index(after: index)
        }
        guard number.isEmpty else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}
