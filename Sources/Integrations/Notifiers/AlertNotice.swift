import Foundation
import KubeClient

/// One notification of an alert: what every notifier formats in its own way.
public struct AlertNotice: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case firing, resolved
    }

    public struct Series: Sendable, Hashable {
        public var labels: [String: String]
        public var value: Double
        public init(labels: [String: String], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    public var status: Status
    /// The rule's name (`alertname`).
    public var rule: String
    public var namespace: String
    public var severity: String
    public var description: String?
    /// The alert's labels (templated), `alertname`, `namespace` and `severity` included.
    public var labels: [String: String]
    /// Annotations (templated): summary, description, runbook_url…
    public var annotations: [String: String]
    /// The value judged, nil when there was none (no data).
    public var value: Double?
    /// The firing series, bounded; `seriesCount` is how many there were.
    public var series: [Series]
    public var seriesCount: Int
    /// When the episode started firing.
    public var startsAt: Date
    /// When it resolved (resolved notices), or until when a firing one holds (Alertmanager).
    public var endsAt: Date?
    /// One key per firing episode: PagerDuty's `dedup_key`, the webhook's `groupKey`.
    public var dedupKey: String
    /// A repeat of a firing notice (repeatInterval), not a transition.
    public var isRepeat: Bool
    /// The analysis step's answer, advisory, when there is one.
    public var analysisSummary: String?
    public var rootCause: String?
    public var recommendations: [String]

    public init(status: Status, rule: String, namespace: String, severity: String, description: String? = nil,
                labels: [String: String] = [:], annotations: [String: String] = [:], value: Double? = nil,
                series: [Series] = [], seriesCount: Int = 0, startsAt: Date, endsAt: Date? = nil, dedupKey: String,
                isRepeat: Bool = false, analysisSummary: String? = nil, rootCause: String? = nil, recommendations: [String] = []) {
        self.status = status
        self.rule = rule
        self.namespace = namespace
        self.severity = severity
        self.description = description
        self.labels = labels
        self.annotations = annotations
        self.value = value
        self.series = series
        self.seriesCount = seriesCount
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.dedupKey = dedupKey
        self.isRepeat = isRepeat
        self.analysisSummary = analysisSummary
        self.rootCause = rootCause
        self.recommendations = recommendations
    }

    /// One line for humans: `[FIRING] shop/high-error-rate (critical): value 0.5 — …`.
    public var headline: String {
        var text = "[\(status.rawValue.uppercased())] \(namespace)/\(rule) (\(severity))"
        if let value { text += ": value \(Self.format(value))" }
        if let summary = annotations["summary"] ?? description { text += " — \(summary)" }
        return text
    }

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.4g", value)
    }

    var seriesJSON: JSONValue {
        .array(series.map { s in
            ["labels": .object(s.labels.mapValues { .string($0) }), "value": .double(s.value)]
        })
    }

    var analysisJSON: JSONValue {
        guard analysisSummary != nil || rootCause != nil else { return .null }
        var json: JSONValue = ["recommendations": .array(recommendations.map { .string($0) })]
        if let analysisSummary { json["summary"] = .string(analysisSummary) }
        if let rootCause { json["rootCause"] = .string(rootCause) }
        return json
    }
}

/// A receiver of alert notices.
public protocol Notifier: Sendable {
    /// Delivers `notice`; throws ``NotifyError`` when the receiver did not accept it.
    func send(_ notice: AlertNotice) async throws
}

/// Why a notice was not delivered. Never carries a URL or a key: those come from Secrets.
public struct NotifyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension HTTPTransport {
    /// POSTs JSON and requires a 2xx answer; errors name the receiver, not its URL.
    func postJSON(_ body: JSONValue, to url: String, receiver: String, headers extra: HTTPHeaders = [:],
                  timeout: Duration = .seconds(10)) async throws -> HTTPResponse {
        var headers = extra
        headers.set("Content-Type", "application/json")
        let response: HTTPResponse
        do {
            response = try await send(HTTPRequest(method: "POST", url: url, headers: headers,
                                                  body: Array(body.serialized().utf8), timeout: timeout))
        } catch {
            throw NotifyError("\(receiver) could not be reached: \(Self.redacting(url, in: "\(error)"))")
        }
        guard (200..<300).contains(response.status) else {
            throw NotifyError("\(receiver) answered HTTP \(response.status): \(Self.redacting(url, in: String(response.bodyText.prefix(200))))")
        }
        return response
    }

    /// `text` without `url` (a receiver URL is a secret: Slack's embeds its token).
    static func redacting(_ url: String, in text: String) -> String {
        guard !url.isEmpty else { return text }
        var out = text.replacingOccurrences(of: url, with: "<url from Secret>")
        if let components = URLComponents(string: url) {
            if !components.path.isEmpty, components.path != "/" { out = out.replacingOccurrences(of: components.path, with: "<path>") }
            if let host = components.host, !host.isEmpty { out = out.replacingOccurrences(of: host, with: "<host>") }
        }
        return out
    }
}
