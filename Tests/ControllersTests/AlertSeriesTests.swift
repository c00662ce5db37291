import Foundation
import KubeClient
import OpsAPI
import Testing

@testable import Controllers

/// An `expr:` rule's series are alerts of their own, as in a PrometheusRule: each has its
/// own Pending → Firing → Resolved course, `for` counted from when that series began to
/// hold, and its own notices.
@Suite struct AlertSeriesTests {
    let t0 = Date(timeIntervalSince1970: 1_750_000_000)
    let machine = AlertStateMachine(forDuration: .seconds(60), keepFiringFor: .zero)
    let spec = AlertRuleSpec(expr: "sum by (pod) (rate(http_requests_total{code=~\"5..\"}[1m])) > 1", interval: "30s")

    func reading(_ series: [String: Double]) -> RuleReading {
        RuleReading.judge(.samples(series.map { AlertSeries(labels: ["pod": $0.key, "__name__": "x"], value: $0.value) }), spec: spec)
    }

    func state(_ alerts: [SeriesAlert], _ pod: String) -> String? { alerts.first { $0.labels["pod"] == pod }?.state }

    @Test func eachSeriesHasItsOwnStateAndForCountsFromWhenThatSeriesBeganToHold() {
        var alerts: [SeriesAlert] = []
        var changes: [SeriesAlerts.Change] = []
        func step(_ series: [String: Double], at offset: TimeInterval) {
            let result = SeriesAlerts.step(alerts, reading: reading(series), machine: machine, now: t0 + offset)
            alerts = result.alerts
            changes += result.changes
        }
        step(["a": 5], at: 0)
        #expect(state(alerts, "a") == "Pending")
        #expect(alerts.first?.labels == ["pod": "a"], "__name__ is not part of an alert's labels")
        step(["a": 6, "b": 3], at: 30)
        #expect(state(alerts, "a") == "Pending" && state(alerts, "b") == "Pending")
        step(["a": 7, "b": 4], at: 60)
        #expect(state(alerts, "a") == "Firing", "a has held for 60 s")
        #expect(state(alerts, "b") == "Pending", "b has held for 30 s only")
        #expect(alerts.first { $0.labels["pod"] == "a" }?.value == 7)
        step(["b": 4], at: 90)
        #expect(state(alerts, "a") == "Resolved" && state(alerts, "b") == "Firing")
        let firing = alerts.first { $0.labels["pod"] == "b" }?.firingSince
        #expect(firing == AlertStateMachine.stamp(t0 + 90))
        #expect(alerts.first?.labels["pod"] == "b", "firing series are listed first")
        #expect(changes.map { "\($0.labels["pod"]!):\($0.transition.to.rawValue)" }
                == ["a:Pending", "b:Pending", "a:Firing", "a:Resolved", "b:Firing"])
        // A series that stops while Pending is forgotten; a failed source changes nothing.
        step(["b": 4, "c": 9], at: 120)
        step(["b": 4], at: 150)
        #expect(state(alerts, "c") == nil)
        let unchanged = SeriesAlerts.step(alerts, reading: RuleReading.judge(.failed("timeout"), spec: spec), machine: machine, now: t0 + 180)
        #expect(unchanged.alerts == alerts && unchanged.changes.isEmpty)
        // Resolved series are listed for 15 minutes, then dropped.
        step(["b": 4], at: 90 + 15 * 60)
        #expect(state(alerts, "a") == nil && state(alerts, "b") == "Firing")
    }

    @Test func theListIsBoundedFiringFirstHighestValueFirst() {
        let many = Dictionary(uniqueKeysWithValues: (0..<80).map { ("pod-\($0)", Double($0) + 2) })
        var alerts = SeriesAlerts.step([], reading: reading(many), machine: AlertStateMachine(forDuration: .zero, keepFiringFor: .zero),
                                       now: t0).alerts
        #expect(alerts.count == SeriesAlerts.limit)
        #expect(alerts.first?.labels["pod"] == "pod-79")
        #expect(alerts.allSatisfy { $0.state == "Firing" })
        alerts = SeriesAlerts.step(alerts, reading: reading(["pod-1": 3]), machine: machine, now: t0 + 30).alerts
        // The new pending series ranks before the resolved ones; the list stays bounded.
        #expect(alerts.first?.labels["pod"] == "pod-1" && alerts.first?.state == "Pending")
        #expect(alerts.count == SeriesAlerts.limit && alerts.dropFirst().allSatisfy { $0.state == "Resolved" })
    }

    @Test func eachSeriesOwesItsOwnNoticesAndTheSummaryShowsTheLatestAndTheWorstFailure() {
        let action = AlertAction(name: "hook", webhook: WebhookAction(urlSecretRef: SecretKeyReference(name: "s", key: "url")))
        var a = SeriesAlert(labels: ["pod": "a"], value: 5)
        a.state = "Firing"
        a.firingSince = AlertStateMachine.stamp(t0)
        var b = a
        b.labels = ["pod": "b"]
        b.firingSince = AlertStateMachine.stamp(t0 + 30)
        // a was told; b was not: only b owes its first Firing notice, of its own episode.
        var told = NotificationStatus(name: "hook")
        told.notifiedState = "Firing"
        told.notifiedEpisode = a.firingSince
        told.lastSent = AlertStateMachine.stamp(t0 + 1)
        told.sentCount = 1
        a.notifications = [told]
        #expect(DeliveryPlan.owed(action, told, status: a, spec: spec, now: t0 + 40) == nil)
        let owed = DeliveryPlan.owed(action, NotificationStatus(name: "hook"), status: b, spec: spec, now: t0 + 40)
        #expect(owed == OwedDelivery(state: .firing, episode: AlertStateMachine.stamp(t0 + 30), sequence: 0))
        // Job IDs of the two series differ even when their episodes start together.
        #expect(SeriesAlerts.jobKey(a.fingerprint) != SeriesAlerts.jobKey(b.fingerprint))
        var failing = NotificationStatus(name: "hook")
        failing.attempts = 3
        failing.lastError = "503"
        b.notifications = [failing]
        let summary = SeriesAlerts.summary([action], [a, b])
        #expect(summary?.first?.lastSent == told.lastSent)
        #expect(summary?.first?.lastError == "503" && summary?.first?.attempts == 3)
        #expect(SeriesAlerts.summary([action], [a]) == [told], "one series: its own entry")
        #expect(SeriesAlerts.applies(spec))
        #expect(!SeriesAlerts.applies(AlertRuleSpec(condition: MetricCondition(metric: "CPU", operator: ">", threshold: 0.8))))
    }
}
