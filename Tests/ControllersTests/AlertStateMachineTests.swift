import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import Testing

/// The AlertRule state machine, the judging of readings and the delivery plan, on a manual clock.
@Suite struct AlertStateMachineTests {
    let clock = ManualClock()

    func spec(_ extra: (inout AlertRuleSpec) -> Void = { _ in }) -> AlertRuleSpec {
        var spec = AlertRuleSpec(condition: MetricCondition(metric: "error_ratio", operator: ">", threshold: 0.1))
        extra(&spec)
        return spec
    }

    func step(_ machine: AlertStateMachine, _ status: inout AlertRuleStatus, _ reading: ConditionReading, after: Duration = .seconds(30)) -> [AlertState] {
        clock.advance(by: after)
        return machine.step(&status, reading: reading, now: clock.wallTime).map(\.to)
    }

    @Test func pendingThenFiringAfterForThenResolved() {
        let machine = AlertStateMachine(forDuration: .seconds(60), keepFiringFor: .zero)
        var status = AlertRuleStatus()
        #expect(step(machine, &status, .clear).isEmpty)
        #expect(status.state == "Inactive")
        #expect(step(machine, &status, .holds) == [.pending])
        let activeSince = status.activeSince
        #expect(activeSince == AlertStateMachine.stamp(clock.wallTime))
        #expect(step(machine, &status, .holds) == [], "30 s of 60 s: still Pending")
        #expect(status.state == "Pending")
        #expect(machine.nextDeadline(status) == KubeTimestamp.parse(activeSince!)!.addingTimeInterval(60))
        #expect(step(machine, &status, .holds) == [.firing], "60 s held: Firing")
        #expect(status.firingSince == AlertStateMachine.stamp(clock.wallTime))
        #expect(status.activeSince == activeSince, "activeSince stays the start of Pending")
        #expect(step(machine, &status, .holds).isEmpty)
        #expect(step(machine, &status, .clear) == [.resolved])
        #expect(status.resolvedAt == AlertStateMachine.stamp(clock.wallTime))
        #expect(status.activeSince == nil)
        #expect(step(machine, &status, .clear).isEmpty, "Resolved stays Resolved")
        // A new episode starts from Pending again, with a new firingSince.
        let firstEpisode = status.firingSince
        #expect(step(machine, &status, .holds) == [.pending])
        #expect(step(machine, &status, .holds, after: .seconds(60)) == [.firing])
        #expect(status.firingSince != firstEpisode)
    }

    @Test func pendingThatStopsHoldingGoesBackToInactiveWithoutFiring() {
        let machine = AlertStateMachine(forDuration: .seconds(300), keepFiringFor: .zero)
        var status = AlertRuleStatus()
        #expect(step(machine, &status, .holds) == [.pending])
        #expect(step(machine, &status, .holds, after: .seconds(299)) == [])
        #expect(step(machine, &status, .clear, after: .milliseconds(500)) == [.inactive])
        #expect(status.firingSince == nil)
        #expect(status.activeSince == nil)
    }

    @Test func zeroForFiresOnTheFirstHoldingEvaluation() {
        let machine = AlertStateMachine(forDuration: .zero, keepFiringFor: .zero)
        var status = AlertRuleStatus()
        #expect(step(machine, &status, .holds) == [.pending, .firing])
        #expect(status.state == "Firing")
    }

    @Test func keepFiringForHoldsFiringAfterTheConditionClears() {
        let machine = AlertStateMachine(forDuration: .zero, keepFiringFor: .seconds(90))
        var status = AlertRuleStatus()
        _ = step(machine, &status, .holds)
        let lastActive = clock.wallTime
        #expect(step(machine, &status, .clear).isEmpty, "30 s after the last hold")
        #expect(step(machine, &status, .clear).isEmpty, "60 s")
        #expect(machine.nextDeadline(status) == lastActive.addingTimeInterval(90))
        #expect(step(machine, &status, .holds).isEmpty, "holds again: the clock restarts")
        #expect(step(machine, &status, .clear, after: .seconds(60)).isEmpty)
        #expect(step(machine, &status, .clear, after: .seconds(30)) == [.resolved])
    }

    @Test func unknownReadingsNeverResolveOrFire() {
        let machine = AlertStateMachine(forDuration: .seconds(30), keepFiringFor: .zero)
        var status = AlertRuleStatus()
        _ = step(machine, &status, .holds)
        _ = step(machine, &status, .holds)
        #expect(status.state == "Firing")
        for _ in 0..<5 { #expect(step(machine, &status, .unknown).isEmpty) }
        #expect(status.state == "Firing")
        var fresh = AlertRuleStatus()
        _ = step(machine, &fresh, .clear)
        for _ in 0..<5 { #expect(step(machine, &fresh, .unknown).isEmpty) }
        #expect(fresh.state == "Inactive")
    }

    // MARK: judging

    @Test func conditionJudgesEachSeriesAndNamesTheFiringOnesTopFirst() {
        let answer = SourceAnswer.samples([
            AlertSeries(labels: ["pod": "a"], value: 0.05), AlertSeries(labels: ["pod": "b"], value: 0.5),
            AlertSeries(labels: ["pod": "c"], value: 0.2), AlertSeries(labels: ["pod": "d"], value: .nan),
        ])
        let reading = RuleReading.judge(answer, spec: spec())
        #expect(reading.reading == .holds)
        #expect(reading.firing.map { $0.labels["pod"] } == ["b", "c"])
        #expect(reading.value == 0.5)
        let clear = RuleReading.judge(.samples([AlertSeries(labels: [:], value: 0.05)]), spec: spec())
        #expect(clear.reading == .clear)
        #expect(clear.value == 0.05)
        let below = RuleReading.judge(.samples([AlertSeries(labels: [:], value: 0.5), AlertSeries(labels: [:], value: 0.7)]),
                                      spec: spec { $0.condition = MetricCondition(metric: "PodReadiness", operator: "<", threshold: 0.4) })
        #expect(below.reading == .clear)
        #expect(below.value == 0.5, "for <, the value nearest to firing is the lowest")
    }

    @Test func exprFiresForEverySeriesItReturns() {
        let spec = AlertRuleSpec(expr: "up == 0")
        let reading = RuleReading.judge(.samples([AlertSeries(labels: ["instance": "x"], value: 0)]), spec: spec)
        #expect(reading.reading == .holds)
        #expect(reading.firing.count == 1)
    }

    @Test func noDataCountsAsNoDataStateSaysAndFailuresConcludeNothing() {
        for (state, expected) in [("Inactive", ConditionReading.clear), ("Firing", .holds), ("Unknown", .unknown)] {
            let s = spec { $0.noDataState = state }
            #expect(RuleReading.judge(.empty("no series"), spec: s).reading == expected)
            #expect(RuleReading.judge(.samples([AlertSeries(labels: [:], value: .nan)]), spec: s).reading == expected, "NaN is no data")
            #expect(RuleReading.judge(.failed("connection refused"), spec: s).reading == .unknown, "an unreachable source never resolves")
        }
        #expect(RuleReading.judge(.empty("x"), spec: spec()).reading == .unknown, "Unknown is the default")
        let invalid = RuleReading.judge(.invalidQuery("1:5: parse error: unclosed left parenthesis"), spec: spec())
        #expect(invalid.invalidQuery == "1:5: parse error: unclosed left parenthesis")
        #expect(invalid.reading == .unknown)
    }

    // MARK: validation

    @Test func validationNamesEveryField() {
        var bad = AlertRuleSpec(condition: MetricCondition(metric: "DiskPressure", operator: "=>", threshold: 1, duration: "5 minutes"))
        bad.expr = "up"
        bad.interval = "fast"
        bad.noDataState = "Maybe"
        bad.actions = [
            AlertAction(name: "a", webhook: WebhookAction(urlSecretRef: SecretKeyReference(name: "s", key: "url")),
                        slack: SlackAction(urlSecretRef: SecretKeyReference(name: "s", key: "url"))),
            AlertAction(name: "a", email: EmailAction(urlSecretRef: SecretKeyReference(name: "s", key: "smtp"), from: "ops", to: [])),
            AlertAction(name: "wf", workflow: WorkflowAction(name: "Incident_Response")),
        ]
        let fields = Set(bad.validate().map(\.field))
        #expect(fields.isSuperset(of: ["spec", "spec.condition.operator", "spec.condition.metric", "spec.condition.duration",
                                       "spec.interval", "spec.noDataState", "spec.actions[0]", "spec.actions[1].name",
                                       "spec.actions[1].email.to", "spec.actions[1].email.from", "spec.actions[2].workflow.name"]),
                "\(fields)")
        let builtin = AlertRuleSpec(condition: MetricCondition(metric: "CPU", operator: ">", threshold: 0.8, duration: "5m"))
        #expect(builtin.validate().map(\.field) == ["spec.target"])
        #expect(builtin.effectiveFor == .seconds(300))
        #expect(builtin.effectiveInterval == .seconds(30))
        #expect(builtin.effectiveRepeatInterval == .seconds(4 * 3600))
    }

    // MARK: ticks

    @Test func rulesWithTheSameIntervalShareTicks() {
        let interval = Duration.seconds(30)
        let a = Date(timeIntervalSince1970: 1_750_000_001), b = Date(timeIntervalSince1970: 1_750_000_019)
        #expect(RuleEvaluator.tick(a, interval: interval) == RuleEvaluator.tick(b, interval: interval))
        #expect(RuleEvaluator.nextTick(after: a, interval: interval) == Date(timeIntervalSince1970: 1_750_000_020))
        #expect(RuleEvaluator.tick(Date(timeIntervalSince1970: 1_750_000_020), interval: interval) == RuleEvaluator.tick(a, interval: interval) + 1)
    }

    @Test func rulesReadingDifferentThingsSpreadOverTheIntervalAndEqualOnesShareTheirPhase() {
        let interval = Duration.seconds(30)
        let specs = (0..<200).map { AlertRuleSpec(expr: "up{job=\"job-\($0)\"} == 0", interval: "30s") }
        let phases = specs.map { RuleEvaluator.phase($0, namespace: "shop") }
        #expect(phases.allSatisfy { $0 >= .zero && $0 < interval })
        // Spread: every tenth of the interval holds some rules (200 rules, 10 buckets).
        let buckets = Set(phases.map { Int($0.seconds / 3) })
        #expect(buckets.count == 10, "phases \(phases.prefix(10))")
        // Stable: the same spec always gets the same phase (no per-process hash seed).
        #expect(RuleEvaluator.phase(specs[7], namespace: "shop") == phases[7])
        #expect(RuleEvaluator.phase(AlertRuleSpec(expr: "up{job=\"job-7\"} == 0", interval: "30s"), namespace: "shop") == phases[7])
        // Ticks start at the phase: a tick's start is in it, the next one an interval later.
        let phase = phases[3], now = Date(timeIntervalSince1970: 1_750_000_001)
        let tick = RuleEvaluator.tick(now, interval: interval, phase: phase)
        let start = RuleEvaluator.tickStart(tick, interval: interval, phase: phase)
        #expect(start <= now && now.timeIntervalSince(start) < 30)
        #expect(RuleEvaluator.tick(start, interval: interval, phase: phase) == tick)
        #expect(RuleEvaluator.tick(start.addingTimeInterval(-0.001), interval: interval, phase: phase) == tick - 1)
        #expect(RuleEvaluator.nextTick(after: now, interval: interval, phase: phase) == start.addingTimeInterval(30))
    }
}
