import KubeClient
import OpsAPI

/// The state of an alert, as GraphQL enum values.
public enum AlertStatusValue: String, Sendable, Codable, CaseIterable {
    case INACTIVE, PENDING, FIRING, RESOLVED

    init(state: String?) {
        switch state {
        case AlertState.pending.rawValue: self = .PENDING
        case AlertState.firing.rawValue: self = .FIRING
        case AlertState.resolved.rawValue: self = .RESOLVED
        default: self = .INACTIVE
        }
    }
}

/// An AlertRule and its state (the seed's `Alert`): the condition it watches, whether it
/// fires, and the analysis of the firing episode (root cause, recommendations).
public struct AlertNode: Sendable, Hashable, Encodable {
    public var id: String
    public var name: String
    public var namespace: String
    public var description: String?
    public var severity: String
    public var status: AlertStatusValue
    public var value: String?
    public var firingSince: String?
    public var condition: AlertConditionNode?
    public var expr: String?
    public var firingSeries: Int
    public var rootCause: String?
    public var summary: String?
    public var recommendations: [String]
    public var actions: [AlertActionNode]

    public init(_ object: JSONValue) {
        let meta = object["metadata"], spec = object["spec"], status = object["status"]
        name = meta["name"].stringValue ?? ""
        namespace = meta["namespace"].stringValue ?? ""
        id = "\(namespace)/\(name)"
        description = spec["description"].stringValue
        severity = status["severity"].stringValue ?? spec["severity"].stringValue ?? "warning"
        self.status = AlertStatusValue(state: status["state"].stringValue)
        value = status["value"].stringValue
        firingSince = status["firingSince"].stringValue
        let condition = spec["condition"]
        if !condition.isNull {
            self.condition = AlertConditionNode(metric: condition["metric"].stringValue ?? "", operator: condition["operator"].stringValue ?? "",
                                                threshold: condition["threshold"].doubleValue ?? 0, duration: condition["duration"].stringValue)
        }
        expr = spec["expr"].stringValue
        firingSeries = status["firingSeriesCount"].intValue ?? 0
        let analysis = status["analysis"]
        rootCause = analysis["rootCause"].stringValue
        summary = analysis["summary"].stringValue
        recommendations = (analysis["recommendations"].arrayValue ?? []).compactMap(\.stringValue)
        actions = (spec["actions"].arrayValue ?? []).map { action in
            let type = ["webhook", "slack", "pagerduty", "alertmanager", "email", "workflow"].first { !action[$0].isNull } ?? "unknown"
            return AlertActionNode(name: action["name"].stringValue ?? "", type: type)
        }
    }
}

public struct AlertConditionNode: Sendable, Hashable, Encodable {
    public var metric: String
    public var `operator`: String
    public var threshold: Double
    public var duration: String?
}

/// An action of a rule: its name and kind (webhook, slack, pagerduty, alertmanager, email,
/// workflow). Where it sends to is a Secret reference and is never shown.
public struct AlertActionNode: Sendable, Hashable, Encodable {
    public var name: String
    public var type: String
}
