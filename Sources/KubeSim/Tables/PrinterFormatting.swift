import Foundation
import KubeClient

/// Formatting helpers shared by the built-in printers (kubernetes/pkg/printers).
enum PrinterFormatting {
    static func name(_ object: JSONValue) -> JSONValue { object[path: ["metadata", "name"]].isNull ? "" : object[path: ["metadata", "name"]] }

    static func age(_ object: JSONValue, now: Date) -> JSONValue {
        .string(HumanDuration.since(object[path: ["metadata", "creationTimestamp"]].stringValue, now: now))
    }

    static func int(_ value: JSONValue) -> JSONValue { .int(Int64(value.intValue ?? 0)) }

    static func string(_ value: JSONValue, orElse fallback: String = "") -> String {
        guard let text = value.stringValue, !text.isEmpty else { return fallback }
        return text
    }

    /// `labels.FormatLabels`: `a=1,b=2`, or `<none>`.
    static func labels(_ value: JSONValue) -> String {
        guard case .object(let members) = value, !members.isEmpty else { return "<none>" }
        return members.keys.sorted().map { "\($0)=\(members[$0]!.stringValue ?? members[$0]!.serialized())" }.joined(separator: ",")
    }

    /// A label selector as `labels.Selector.String()` prints it (empty for an empty selector).
    static func selector(_ value: JSONValue) -> String {
        var requirements: [(String, String)] = []
        if case .object(let matchLabels) = value["matchLabels"] {
            for (key, v) in matchLabels { requirements.append((key, "\(key)=\(v.stringValue ?? "")")) }
        }
        for expression in value["matchExpressions"].arrayValue ?? [] {
            let key = expression["key"].stringValue ?? ""
            let values = (expression["values"].arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression["operator"].stringValue {
            case "In": requirements.append((key, "\(key) in (\(values))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!\(key)"))
            default: break
            }
        }
        return requirements.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",")
    }

    /// `metav1.FormatLabelSelector`: like ``selector(_:)`` but `<none>` when empty or absent.
    static func formattedSelector(_ value: JSONValue) -> String {
        let text = value.isNull ? "" : selector(value)
        return text.isEmpty ? "<none>" : text
    }

    /// The CONTAINERS and IMAGES cells of a pod spec.
    static func containers(_ podSpec: JSONValue) -> (names: JSONValue, images: JSONValue) {
        let containers = podSpec["containers"].arrayValue ?? []
        return (.string(containers.map { $0["name"].stringValue ?? "" }.joined(separator: ",")),
                .string(containers.map { $0["image"].stringValue ?? "" }.joined(separator: ",")))
    }

    static func hasCondition(_ conditions: JSONValue, type: String) -> Bool {
        for condition in conditions.arrayValue ?? [] where condition["type"].stringValue == type {
            return condition["status"].stringValue == "True"
        }
        return false
    }
}
