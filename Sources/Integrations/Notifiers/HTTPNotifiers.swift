import Foundation
import KubeClient

/// A generic webhook: the alert, its series and the analysis as one JSON document.
public struct WebhookNotifier: Notifier {
    public var url: String
    public var transport: any HTTPTransport

    public init(url: String, transport: any HTTPTransport = CurlTransport.shared) {
        self.url = url
        self.transport = transport
    }

    public static func payload(_ n: AlertNotice) -> JSONValue {
        var alert: JSONValue = [
            "status": .string(n.status.rawValue), "rule": .string(n.rule), "namespace": .string(n.namespace),
            "severity": .string(n.severity),
            "labels": .object(n.labels.mapValues { .string($0) }),
            "annotations": .object(n.annotations.mapValues { .string($0) }),
            "startsAt": .string(KubeTimestamp.format(n.startsAt)),
            "repeat": .bool(n.isRepeat),
        ]
        if let description = n.description { alert["description"] = .string(description) }
        if let value = n.value, value.isFinite { alert["value"] = .double(value) }
        if let endsAt = n.endsAt, n.status == .resolved { alert["endsAt"] = .string(KubeTimestamp.format(endsAt)) }
        return [
            "version": "1", "groupKey": .string(n.dedupKey), "status": .string(n.status.rawValue),
            "alert": alert, "series": n.seriesJSON, "seriesCount": .int(Int64(n.seriesCount)), "analysis": n.analysisJSON,
        ]
    }

    public func send(_ notice: AlertNotice) async throws {
        _ = try await transport.postJSON(Self.payload(notice), to: url, receiver: "the webhook")
    }
}

/// A Slack incoming webhook: a text fallback and one colored attachment.
public struct SlackNotifier: Notifier {
    public var url: String
    public var channel: String?
    public var transport: any HTTPTransport

    public init(url: String, channel: String? = nil, transport: any HTTPTransport = CurlTransport.shared) {
        self.url = url
        self.channel = channel
        self.transport = transport
    }

    public static func payload(_ n: AlertNotice, channel: String?) -> JSONValue {
        let color = n.status == .resolved ? "good" : (n.severity == "critical" ? "danger" : "warning")
        var lines: [String] = []
        if let description = n.description { lines.append(description) }
        if let summary = n.analysisSummary { lines.append("*Analysis:* \(summary)") }
        if let cause = n.rootCause { lines.append("*Probable cause:* \(cause)") }
        var fields: [JSONValue] = [["title": "Severity", "value": .string(n.severity), "short": true]]
        if let value = n.value { fields.append(["title": "Value", "value": .string(AlertNotice.format(value)), "short": true]) }
        if n.seriesCount > 0 { fields.append(["title": "Series", "value": .string(String(n.seriesCount)), "short": true]) }
        var body: JSONValue = [
            "text": .string(n.headline),
            "attachments": [[
                "color": .string(color), "title": .string("\(n.namespace)/\(n.rule)"),
                "text": .string(lines.joined(separator: "\n")), "fields": .array(fields),
                "ts": .int(Int64((n.endsAt ?? n.startsAt).timeIntervalSince1970)),
            ]],
        ]
        if let channel { body["channel"] = .string(channel) }
        return body
    }

    public func send(_ notice: AlertNotice) async throws {
        let response = try await transport.postJSON(Self.payload(notice, channel: channel), to: url, receiver: "Slack")
        // Slack answers 200 "ok"; anything else is an error text such as "invalid_payload".
        let text = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty, text != "ok" { throw NotifyError("Slack refused the message: \(text.prefix(200))") }
    }
}

/// PagerDuty Events API v2: `trigger` while firing (repeats are deduplicated by the same
/// `dedup_key`), `resolve` when resolved.
public struct PagerDutyNotifier: Notifier {
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
    public var routingKey: String
    public var url: String
    public var transport: any HTTPTransport

    public init(routingKey: String, url: String? = nil, transport: any HTTPTransport = CurlTransport.shared) {
        self.routingKey = routingKey
        self.url = url ?? Self.defaultURL
        self.transport = transport
    }

    /// PagerDuty's severities: critical, error, warning, info.
    static func severity(_ s: String) -> String {
        ["critical", "error", "warning", "info"].contains(s) ? s : "warning"
    }

    public static func payload(_ n: AlertNotice, routingKey: String) -> JSONValue {
        guard n.status == .firing else {
            return ["routing_key": .string(routingKey), "event_action": "resolve", "dedup_key": .string(n.dedupKey)]
        }
        var details: JSONValue = ["labels": .object(n.labels.mapValues { .string($0) }), "series": n.seriesJSON,
                                  "seriesCount": .int(Int64(n.seriesCount))]
        if let value = n.value, value.isFinite { details["value"] = .double(value) }
        if let summary = n.analysisSummary { details["analysis"] = .string(summary) }
        if let cause = n.rootCause { details["rootCause"] = .string(cause) }
        if !n.recommendations.isEmpty { details["recommendations"] = .array(n.recommendations.map { .string($0) }) }
        return [
            "routing_key": .string(routingKey), "event_action": "trigger", "dedup_key": .string(n.dedupKey),
            "payload": [
                "summary": .string(String(n.headline.prefix(1024))),
                "source": .string("opsagent/\(n.namespace)"),
                "severity": .string(severity(n.severity)),
                "timestamp": .string(KubeTimestamp.format(n.startsAt)),
                "component": .string(n.labels["pod"] ?? n.labels["deployment"] ?? n.rule),
                "group": .string(n.namespace),
                "class": .string(n.rule),
                "custom_details": details,
            ],
        ]
    }

    public func send(_ notice: AlertNotice) async throws {
        let response = try await transport.postJSON(Self.payload(notice, routingKey: routingKey), to: url, receiver: "PagerDuty")
        if let body = try? JSONValue(parsing: response.body), body["status"].stringValue.map({ $0 != "success" }) == true {
            throw NotifyError("PagerDuty refused the event: \(body["message"].stringValue ?? "")")
        }
    }
}

/// An Alertmanager: `POST /api/v2/alerts`. A firing alert carries an `endsAt` a few
/// resend periods ahead and is resent while it fires; a resolved one an `endsAt` now.
public struct AlertmanagerNotifier: Notifier {
    public var baseURL: String
    public var transport: any HTTPTransport

    public init(baseURL: String, transport: any HTTPTransport = CurlTransport.shared) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.transport = transport
    }

    public static func payload(_ n: AlertNotice) -> JSONValue {
        var labels = n.labels
        labels["alertname"] = labels["alertname"] ?? n.rule
        labels["namespace"] = labels["namespace"] ?? n.namespace
        labels["severity"] = labels["severity"] ?? n.severity
        var annotations = n.annotations
        if let description = n.description { annotations["description"] = annotations["description"] ?? description }
        if let summary = n.analysisSummary { annotations["analysis"] = summary }
        if let cause = n.rootCause { annotations["root_cause"] = cause }
        var alert: JSONValue = [
            "labels": .object(labels.mapValues { .string($0) }),
            "annotations": .object(annotations.mapValues { .string($0) }),
            "startsAt": .string(KubeTimestamp.format(n.startsAt, fractionalDigits: 3)),
        ]
        if let endsAt = n.endsAt { alert["endsAt"] = .string(KubeTimestamp.format(endsAt, fractionalDigits: 3)) }
        return [alert]
    }

    public func send(_ notice: AlertNotice) async throws {
        _ = try await transport.postJSON(Self.payload(notice), to: baseURL + "/api/v2/alerts", receiver: "Alertmanager")
    }
}
