import KubeClient

/// A metric condition that fires, notifies and explains itself: the seed's monitoring
/// agent as a custom resource (PrometheusRule + Alertmanager semantics, the seed's simpler
/// `condition` on top).
public struct AlertRule: KubeObject, Hashable {
    public static let apiVersion = "opsagent.dev/v1alpha1"
    public static let kind = "AlertRule"
    public static let plural = "alertrules"
    public static let namespaced = true

    public var apiVersion: String? = Self.apiVersion
    public var kind: String? = Self.kind
    public var metadata: ObjectMeta
    public var spec: AlertRuleSpec
    public var status: AlertRuleStatus?

    public init(metadata: ObjectMeta, spec: AlertRuleSpec, status: AlertRuleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// What the user asks for: what to watch, when it counts, and who to tell.
public struct AlertRuleSpec: Codable, Sendable, Hashable {
    /// The seed's `{metric, operator, threshold, duration}`; `metric` is PromQL or a ``BuiltinMetric``.
    public var condition: MetricCondition?
    /// A PromQL expression whose result series are the alerts (PrometheusRule's `expr`).
    public var expr: String?
    /// How long the condition must hold before the rule fires (`condition.duration` is the same).
    public var `for`: String?
    /// How long the rule keeps firing after the condition stops holding.
    public var keepFiringFor: String?
    /// Time between evaluations (30s by default).
    public var interval: String?
    /// The pods a built-in metric is measured over, and whose facts the analysis reads.
    public var target: AlertTarget?
    public var severity: String?
    public var description: String?
    /// Labels of the alert sent to receivers; values may use `{{ $labels.x }}` and `{{ $value }}`.
    public var labels: [String: String]?
    /// Annotations of the alert (summary, description, runbook_url), templated like labels.
    public var annotations: [String: String]?
    /// What an empty or NaN result means: Inactive, Firing, or Unknown (keep the state; default).
    public var noDataState: String?
    /// A Prometheus other than the operator's `--prometheus-url`.
    public var prometheusAddress: String?
    public var actions: [AlertAction]?
    /// Time between repeated notifications of a firing alert (4h by default).
    public var repeatInterval: String?
    /// Whether receivers hear that the alert resolved (true by default).
    public var sendResolved: Bool?
    /// Analysis on each transition to Firing: `advisory` (default) or `disabled`.
    public var analysis: String?

    public init(condition: MetricCondition? = nil, expr: String? = nil, for: String? = nil, keepFiringFor: String? = nil,
                interval: String? = nil, target: AlertTarget? = nil, severity: String? = nil, description: String? = nil,
                labels: [String: String]? = nil, annotations: [String: String]? = nil, noDataState: String? = nil,
                prometheusAddress: String? = nil, actions: [AlertAction]? = nil, repeatInterval: String? = nil,
                sendResolved: Bool? = nil, analysis: String? = nil) {
        self.condition = condition
        self.expr = expr
        self.for = `for`
        self.keepFiringFor = keepFiringFor
        self.interval = interval
        self.target = target
        self.severity = severity
        self.description = description
        self.labels = labels
        self.annotations = annotations
        self.noDataState = noDataState
        self.prometheusAddress = prometheusAddress
        self.actions = actions
        self.repeatInterval = repeatInterval
        self.sendResolved = sendResolved
        self.analysis = analysis
    }

    // Defaults, applied by the schema on the server and again here.
    public var effectiveInterval: Duration { interval.flatMap(GoDuration.parse) ?? .seconds(30) }
    /// `for`, else the condition's `duration`, else zero.
    public var effectiveFor: Duration { (self.for ?? condition?.duration).flatMap(GoDuration.parse) ?? .zero }
    public var effectiveKeepFiringFor: Duration { keepFiringFor.flatMap(GoDuration.parse) ?? .zero }
    public var effectiveRepeatInterval: Duration { repeatInterval.flatMap(GoDuration.parse) ?? .seconds(4 * 3600) }
    public var effectiveNoDataState: NoDataState { noDataState.flatMap(NoDataState.init(rawValue:)) ?? .unknown }
    public var effectiveSeverity: String { severity ?? "warning" }
    public var sendsResolved: Bool { sendResolved ?? true }
    public var analysisEnabled: Bool { analysis != "disabled" }
}

/// What an empty or NaN result, or an unreachable source, counts as.
public enum NoDataState: String, Sendable, Hashable, CaseIterable {
    /// The condition does not hold (a firing rule resolves).
    case inactive = "Inactive"
    /// The condition holds.
    case firing = "Firing"
    /// Nothing is concluded: the state stays as it is.
    case unknown = "Unknown"
}

/// The pods of a workload: a namespace (the rule's by default) and a label selector.
public struct AlertTarget: Codable, Sendable, Hashable {
    public var namespace: String?
    public var selector: LabelSelector

    public init(namespace: String? = nil, selector: LabelSelector) {
        self.namespace = namespace
        self.selector = selector
    }
}

/// A key of a Secret in the rule's namespace.
public struct SecretKeyReference: Codable, Sendable, Hashable {
    public var name: String
    public var key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

/// One receiver of the rule's notifications: exactly one of the kinds is set.
public struct AlertAction: Codable, Sendable, Hashable {
    public var name: String
    public var webhook: WebhookAction?
    public var slack: SlackAction?
    public var pagerduty: PagerDutyAction?
    public var alertmanager: AlertmanagerAction?
    public var email: EmailAction?
    public var workflow: WorkflowAction?
    /// Overrides the rule's `sendResolved` for this action.
    public var sendResolved: Bool?

    public init(name: String, webhook: WebhookAction? = nil, slack: SlackAction? = nil, pagerduty: PagerDutyAction? = nil,
                alertmanager: AlertmanagerAction? = nil, email: EmailAction? = nil, workflow: WorkflowAction? = nil,
                sendResolved: Bool? = nil) {
        self.name = name
        self.webhook = webhook
        self.slack = slack
        self.pagerduty = pagerduty
        self.alertmanager = alertmanager
        self.email = email
        self.workflow = workflow
        self.sendResolved = sendResolved
    }

    /// The kinds set, by their field names.
    public var kinds: [String] {
        [webhook.map { _ in "webhook" }, slack.map { _ in "slack" }, pagerduty.map { _ in "pagerduty" },
         alertmanager.map { _ in "alertmanager" }, email.map { _ in "email" }, workflow.map { _ in "workflow" }].compactMap { $0 }
    }

    /// The Secret keys the action reads, with the field that names each.
    public var secretReferences: [(field: String, ref: SecretKeyReference)] {
        var refs: [(String, SecretKeyReference)] = []
        if let webhook { refs.append(("webhook.urlSecretRef", webhook.urlSecretRef)) }
        if let slack { refs.append(("slack.urlSecretRef", slack.urlSecretRef)) }
        if let pagerduty {
            refs.append(("pagerduty.routingKeySecretRef", pagerduty.routingKeySecretRef))
            if let url = pagerduty.urlSecretRef { refs.append(("pagerduty.urlSecretRef", url)) }
        }
        if let alertmanager { refs.append(("alertmanager.urlSecretRef", alertmanager.urlSecretRef)) }
        if let email {
            refs.append(("email.urlSecretRef", email.urlSecretRef))
            if let user = email.usernameSecretRef { refs.append(("email.usernameSecretRef", user)) }
            if let password = email.passwordSecretRef { refs.append(("email.passwordSecretRef", password)) }
        }
        return refs
    }
}

/// A generic webhook: the alert, its series and the analysis as JSON.
public struct WebhookAction: Codable, Sendable, Hashable {
    public var urlSecretRef: SecretKeyReference
    public init(urlSecretRef: SecretKeyReference) { self.urlSecretRef = urlSecretRef }
}

/// A Slack incoming webhook.
public struct SlackAction: Codable, Sendable, Hashable {
    public var urlSecretRef: SecretKeyReference
    public var channel: String?
    public init(urlSecretRef: SecretKeyReference, channel: String? = nil) {
        self.urlSecretRef = urlSecretRef
        self.channel = channel
    }
}

/// PagerDuty Events API v2: trigger on firing, resolve on resolution, one `dedup_key` per rule.
public struct PagerDutyAction: Codable, Sendable, Hashable {
    public var routingKeySecretRef: SecretKeyReference
    /// The Events API endpoint (https://events.pagerduty.com/v2/enqueue by default).
    public var urlSecretRef: SecretKeyReference?
    public init(routingKeySecretRef: SecretKeyReference, urlSecretRef: SecretKeyReference? = nil) {
        self.routingKeySecretRef = routingKeySecretRef
        self.urlSecretRef = urlSecretRef
    }
}

/// An Alertmanager: `POST /api/v2/alerts`, resent while firing, resolved by a past `endsAt`.
public struct AlertmanagerAction: Codable, Sendable, Hashable {
    /// The Alertmanager base URL (`http://alertmanager:9093`).
    public var urlSecretRef: SecretKeyReference
    public init(urlSecretRef: SecretKeyReference) { self.urlSecretRef = urlSecretRef }
}

/// Email over SMTP.
public struct EmailAction: Codable, Sendable, Hashable {
    /// `smtp://host:port` or `smtps://host:port`.
    public var urlSecretRef: SecretKeyReference
    public var usernameSecretRef: SecretKeyReference?
    public var passwordSecretRef: SecretKeyReference?
    public var from: String
    public var to: [String]
    public init(urlSecretRef: SecretKeyReference, usernameSecretRef: SecretKeyReference? = nil,
                passwordSecretRef: SecretKeyReference? = nil, from: String, to: [String]) {
        self.urlSecretRef = urlSecretRef
        self.usernameSecretRef = usernameSecretRef
        self.passwordSecretRef = passwordSecretRef
        self.from = from
        self.to = to
    }
}

/// Starts a run of an OpsWorkflow with the alert as its input, once per firing episode.
public struct WorkflowAction: Codable, Sendable, Hashable {
    public var name: String
    /// Inputs merged with the alert's.
    public var parameters: [String: String]?
    public init(name: String, parameters: [String: String]? = nil) {
        self.name = name
        self.parameters = parameters
    }
}
