import Foundation
import KubeClient

extension AlertRuleSpec {
    /// The built-in metrics an AlertRule's condition may name.
    public static let builtinMetrics: [BuiltinMetric] = BuiltinMetric.allCases

    /// Whether `metric` reads as the name of a built-in metric (CamelCase, no PromQL syntax)
    /// rather than a PromQL expression (metric names are snake_case by convention).
    public static func looksLikeBuiltin(_ metric: String) -> Bool {
        guard let first = metric.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return metric.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// What the schema cannot check, every problem with its field path.
    public func validate() -> [SpecError] {
        var errors: [SpecError] = []
        switch (condition, expr) {
        case (nil, nil): errors.append(SpecError(field: "spec", message: "needs condition or expr"))
        case (.some, .some): errors.append(SpecError(field: "spec", message: "has both condition and expr; keep one"))
        default: break
        }
        if let expr, expr.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(SpecError(field: "spec.expr", message: "must not be empty"))
        }
        if let condition {
            if ComparisonOperator(rawValue: condition.`operator`) == nil {
                errors.append(SpecError(field: "spec.condition.operator",
                                        message: "\"\(condition.`operator`)\" is not one of \(ComparisonOperator.allCases.map(\.rawValue).joined(separator: " "))"))
            }
            if condition.cloudwatch != nil, condition.gcpMonitoring != nil {
                errors.append(SpecError(field: "spec.condition", message: "has both cloudwatch and gcpMonitoring; a condition reads one source"))
            }
            if condition.cloudSourceName == nil, Self.looksLikeBuiltin(condition.metric), condition.builtin == nil {
                errors.append(SpecError(field: "spec.condition.metric",
                                        message: "\"\(condition.metric)\" is not a built-in metric (\(BuiltinMetric.allCases.map(\.rawValue).joined(separator: ", "))) nor PromQL"))
            }
            if condition.builtin != nil, target == nil {
                errors.append(SpecError(field: "spec.target", message: "is required for the built-in metric \(condition.metric): it names the pods measured"))
            }
            if let duration = condition.duration, GoDuration.parse(duration) == nil {
                errors.append(SpecError(field: "spec.condition.duration", message: "\"\(duration)\" is not a duration such as 30s or 5m"))
            }
            if let duration = condition.duration, let forValue = self.for, duration != forValue {
                errors.append(SpecError(field: "spec.for", message: "differs from condition.duration (\(duration)); they mean the same, keep one"))
            }
        }
        for (field, value) in [("for", self.for), ("keepFiringFor", keepFiringFor), ("interval", interval), ("repeatInterval", repeatInterval)] {
            if let value, GoDuration.parse(value) == nil {
                errors.append(SpecError(field: "spec.\(field)", message: "\"\(value)\" is not a duration such as 30s or 5m"))
            }
        }
        if let interval, let parsed = GoDuration.parse(interval), parsed < .milliseconds(100) {
            errors.append(SpecError(field: "spec.interval", message: "must be at least 100ms"))
        }
        if let noDataState, NoDataState(rawValue: noDataState) == nil {
            errors.append(SpecError(field: "spec.noDataState", message: "\"\(noDataState)\" is not Inactive, Firing or Unknown"))
        }
        var names = Set<String>()
        for (i, action) in (actions ?? []).enumerated() {
            let path = "spec.actions[\(i)]"
            if !names.insert(action.name).inserted {
                errors.append(SpecError(field: "\(path).name", message: "\"\(action.name)\" is used twice"))
            }
            if action.kinds.count != 1 {
                errors.append(SpecError(field: path, message: "needs exactly one of webhook, slack, pagerduty, alertmanager, email or workflow (has \(action.kinds.isEmpty ? "none" : action.kinds.joined(separator: ", ")))"))
            }
            if let email = action.email {
                if email.to.isEmpty { errors.append(SpecError(field: "\(path).email.to", message: "must name at least one recipient")) }
                for (j, address) in email.to.enumerated() where !Self.isMailbox(address) {
                    errors.append(SpecError(field: "\(path).email.to[\(j)]", message: "\"\(address)\" is not an email address"))
                }
                if !Self.isMailbox(email.from) {
                    errors.append(SpecError(field: "\(path).email.from", message: "\"\(email.from)\" is not an email address"))
                }
            }
            if let workflow = action.workflow, !Self.isDNSName(workflow.name) {
                errors.append(SpecError(field: "\(path).workflow.name", message: "\"\(workflow.name)\" is not an OpsWorkflow name (lowercase letters, digits and -)"))
            }
        }
        return errors
    }

    static func isMailbox(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" })
    }

    static func isDNSName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253, text.first!.isLetter || text.first!.isNumber, text.last != "-" else { return false }
        return text.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" || $0 == "." }
    }
}
