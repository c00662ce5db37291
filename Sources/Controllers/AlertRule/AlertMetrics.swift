import Metrics

/// Prometheus metrics of each AlertRule:
///
/// - `opsagent_alertrule_firing{namespace,rule}`: 1 while the rule fires, else 0;
/// - `opsagent_alertrule_firing_series{namespace,rule}`: series the condition holds for;
/// - `opsagent_alertrule_evaluations_total{namespace,rule,result}`: `ok`, `no_data` or `error`;
/// - `opsagent_alertrule_notifications_total{namespace,rule,action,result}`: `sent` or `failed`.
struct AlertMetrics: Sendable {
    static let firingName = "opsagent_alertrule_firing"
    static let firingSeriesName = "opsagent_alertrule_firing_series"
    static let evaluationsName = "opsagent_alertrule_evaluations_total"
    static let notificationsName = "opsagent_alertrule_notifications_total"

    let factory: any MetricsFactory

    func evaluated(namespace: String, rule: String, result: String, firing: Bool, series: Int) {
        let labels = [("namespace", namespace), ("rule", rule)]
        Gauge(label: Self.firingName, dimensions: labels, factory: factory).record(firing ? 1 : 0)
        Gauge(label: Self.firingSeriesName, dimensions: labels, factory: factory).record(series)
        Counter(label: Self.evaluationsName, dimensions: labels + [("result", result)], factory: factory).increment()
    }

    func notified(namespace: String, rule: String, action: String, sent: Bool) {
        Counter(label: Self.notificationsName,
                dimensions: [("namespace", namespace), ("rule", rule), ("action", action), ("result", sent ? "sent" : "failed")],
                factory: factory).increment()
    }

    /// The rule is gone: its gauges go too.
    func forget(namespace: String, rule: String) {
        let labels = [("namespace", namespace), ("rule", rule)]
        Gauge(label: Self.firingName, dimensions: labels, factory: factory).destroy()
        Gauge(label: Self.firingSeriesName, dimensions: labels, factory: factory).destroy()
    }
}
