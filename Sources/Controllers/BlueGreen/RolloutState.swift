import Foundation
import KubeClient
import OpsAPI

/// Where a rollout stands, decided from its spec and recorded status alone: what the next
/// pass must do. Pure, so its decisions are unit-tested without a cluster.
enum RolloutState: Equatable, Sendable {
    /// Nothing serves yet: the first revision goes straight to blue.
    case initial(revision: String)
    /// The spec's revision serves on `active`: keep it running, finish post-promotion
    /// analysis, scale the previous color down.
    case steady(active: Color, revision: String)
    /// The spec names a revision that failed or was aborted: traffic stays on `active` until
    /// `retry` or a new spec.
    case failed(revision: String, active: Color)
    /// `spec.paused`: the new revision waits.
    case paused(revision: String, active: Color)
    /// A new revision rolls out on `active.other`, the preview color.
    case rollingOut(revision: String, active: Color)

    static func of(specRevision revision: String, status: BlueGreenStatus, paused: Bool) -> RolloutState {
        guard let active = status.activeColor.flatMap(Color.init(rawValue:)), let activeRevision = status.activeRevision else {
            return .initial(revision: revision)
        }
        if revision == activeRevision { return .steady(active: active, revision: revision) }
        if status.abortedRevision == revision { return .failed(revision: revision, active: active) }
        if paused { return .paused(revision: revision, active: active) }
        return .rollingOut(revision: revision, active: active)
    }
}

/// The rollout's clocks: the progress deadline counts from `stepStartedAt`, the promotion
/// delay from `analysisPassedAt`, the previous color's scale-down waits for `scaleDownAt`.
struct RolloutTimers: Sendable {
    var stepStartedAt: Date?
    var analysisPassedAt: Date?
    var scaleDownAt: Date?
    var progressDeadlineSeconds: Int
    var promotionDelaySeconds: Int

    init(status: BlueGreenStatus, spec: BlueGreenSpec) {
        stepStartedAt = status.stepStartedAt.flatMap(KubeTimestamp.parse)
        analysisPassedAt = status.analysisPassedAt.flatMap(KubeTimestamp.parse)
        scaleDownAt = status.scaleDownAt.flatMap(KubeTimestamp.parse)
        progressDeadlineSeconds = spec.effectiveProgressDeadlineSeconds
        promotionDelaySeconds = spec.autoPromotion?.delaySeconds ?? 0
    }

    /// Whether the current step has run longer than `progressDeadlineSeconds`.
    func deadlinePassed(at now: Date) -> Bool {
        guard let stepStartedAt else { return false }
        return now.timeIntervalSince(stepStartedAt) > Double(progressDeadlineSeconds)
    }

    /// Time left before the deadline (at least 200 ms, so a requeue is never a busy loop).
    func untilDeadline(at now: Date) -> Duration {
        guard let stepStartedAt else { return .seconds(10) }
        let left = Double(progressDeadlineSeconds) - now.timeIntervalSince(stepStartedAt)
        return .milliseconds(Int64(max(0.2, left) * 1000))
    }

    /// Time left before an automatic promotion may happen; nil when it is due.
    func untilPromotion(at now: Date) -> Duration? {
        let passed = analysisPassedAt ?? now
        let left = Double(promotionDelaySeconds) - now.timeIntervalSince(passed)
        guard left > 0 else { return nil }
        return .milliseconds(Int64(max(0.2, left) * 1000))
    }

    /// Time left before the previous color is scaled down; nil when it is due (or none is set).
    func untilScaleDown(at now: Date) -> Duration? {
        guard let scaleDownAt, scaleDownAt > now else { return nil }
        return .milliseconds(Int64(scaleDownAt.timeIntervalSince(now) * 1000) + 100)
    }
}

/// Whether a colored Deployment serves exactly one revision, fully: every pod it runs is of
/// that revision and available. Until then a color is not ready, so no pod of a superseded
/// revision is ever analysed or promoted.
struct Readiness: Equatable, Sendable {
    var ready = 0
    var available = 0
    var desired = 0
    /// The Deployment's controller has observed its spec, runs the revision, and has no pods
    /// of another template left (`replicas == updatedReplicas`).
    var current = false

    var isReady: Bool { current && available >= desired && ready >= desired }

    init(ready: Int = 0, available: Int = 0, desired: Int = 0, current: Bool = false) {
        self.ready = ready
        self.available = available
        self.desired = desired
        self.current = current
    }

    /// The readiness of `deployment` for `desired` pods, of `revision` when given.
    init(_ deployment: JSONValue?, desired: Int, revision: String? = nil) {
        self.init(desired: desired)
        guard let deployment else { return }
        let s = deployment["status"]
        let observed = s["observedGeneration"].intValue ?? 0
        let generation = deployment["metadata"]["generation"].intValue ?? 0
        let replicas = s["replicas"].intValue ?? 0
        let updated = s["updatedReplicas"].intValue ?? 0
        let revisionMatches = revision == nil
            || deployment["metadata"]["annotations"][BlueGreenLabels.revision].stringValue == revision
        ready = s["readyReplicas"].intValue ?? 0
        available = s["availableReplicas"].intValue ?? 0
        current = observed >= generation && revisionMatches && updated >= desired && replicas == updated
    }
}
