import Foundation
import Integrations
import OpsAPI

/// Prometheus-style templates in labels and annotations: `{{ $labels.pod }}`, `{{ $value }}`,
/// `{{ $labels.namespace }}` (also `{{$value}}` without spaces). A label the series lacks is
/// empty, as in Prometheus.
enum AlertTemplates {
    static func render(_ template: String, labels: [String: String], value: Double?) -> String {
        guard template.contains("{{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expression == "$value" || expression == ".Value" {
                out += value.map(AlertNotice.format) ?? ""
            } else if expression.hasPrefix("$labels.") {
                out += labels[String(expression.dropFirst("$labels.".count))] ?? ""
            } else if expression.hasPrefix(".Labels.") {
                out += labels[String(expression.dropFirst(".Labels.".count))] ?? ""
            } else {
                out += "{{" + rest[open.upperBound..<close.lowerBound] + "}}"
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    static func render(_ map: [String: String]?, labels: [String: String], value: Double?) -> [String: String] {
        (map ?? [:]).mapValues { render($0, labels: labels, value: value) }
    }
}
