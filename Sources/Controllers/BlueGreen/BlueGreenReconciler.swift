import Analysis
import Foundation
import KubeClient
import Logging
import NIOConcurrencyHelpers
import OperatorKit
import OpsAPI

/// Drives one BlueGreenDeployment toward its spec. Level-triggered: every step reads the
/// rollout's status (where it recorded how far it got) and its children, does what is due,
/// and writes the status only when it changed.
struct BlueGreenReconciler: Reconciler {
    let api: any KubernetesAPI
    let cache: InformerCache
    let events: EventRecorder
    let statusWriter: StatusWriter
    let stepper: AnalysisStepper
    let logger: Logger
    let wake: @Sendable (ObjectKey) -> Void
    /// This controller's last writes to rollouts and their children.
    let writes = WriteExpectations()
    let decoded = DecodedRollouts()

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let raw = cache.get(BlueGreenController.resource, key) else {
            decoded.forget(key)
            writes.forget(owner: key)
            return .done
        }
        if !raw["metadata"]["deletionTimestamp"].isNull { return .done } // children go with their owner reference
        // Acting on a cached rollout that has not yet seen our own last write would undo it
        // (a promotion, say): wait for the watch to deliver it first.
        if writes.isBehind(BlueGreenController.resource.resource, raw) { return .requeue(after: .milliseconds(50)) }
        var step = try RolloutStep(raw: raw, reconciler: self)
        let result = try await step.run()
        if let written = try await step.writeStatus() { writes.record(BlueGreenController.resource.resource, written, owner: key) }
        return result
    }
}

/// The typed form of each rollout's latest version: a rollout is reconciled again for every
/// change to its Deployments and Services, and decoding the same version each time was the
/// largest share of the controller's CPU. Bounded. An entry serves the exact resourceVersion
/// it was decoded from; for a later version with the same generation and metadata (only the
/// status changed, as after the controller's own status writes) it serves the spec, and only
/// the status is decoded again.
final class DecodedRollouts: Sendable {
    private struct Entry {
        var version: String
        var generation: Int64?
        var metadata: JSONValue
        var rollout: BlueGreenDeployment
        var status: BlueGreenStatus
    }
    enum Hit {
        case exact(BlueGreenDeployment, BlueGreenStatus)
        /// Same spec and metadata, another status.
        case sameSpec(BlueGreenDeployment)
    }
    private let entries = NIOLockedValueBox<[ObjectKey: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The metadata a typed rollout depends on: all but resourceVersion and managedFields.
    static func metadataIdentity(_ raw: JSONValue) -> JSONValue {
        var metadata = raw["metadata"]
        metadata.removeValue(forKey: "resourceVersion")
        metadata.removeValue(forKey: "managedFields")
        return metadata
    }

    func lookup(_ key: ObjectKey, raw: JSONValue) -> Hit? {
        guard let version = raw["metadata"]["resourceVersion"].stringValue,
              let entry = entries.withLockedValue({ $0[key] }) else { return nil }
        if entry.version == version { return .exact(entry.rollout, entry.status) }
        guard entry.generation == raw.generation, entry.metadata == Self.metadataIdentity(raw) else { return nil }
        var rollout = entry.rollout
        rollout.metadata.resourceVersion = version
        return .sameSpec(rollout)
    }

    /// Keeps the typed form of `raw` (an object without a resourceVersion is not kept).
    func store(_ key: ObjectKey, raw: JSONValue, rollout: BlueGreenDeployment, status: BlueGreenStatus) {
        guard let version = raw["metadata"]["resourceVersion"].stringValue else { return }
        let entry = Entry(version: version, generation: raw.generation, metadata: Self.metadataIdentity(raw),
                          rollout: rollout, status: status)
        entries.withLockedValue { table in
            if table.count >= capacity, table[key] == nil {
                // Drop a quarter, oldest unknown: the hot set is what is rolling out now.
                for stale in table.keys.prefix(capacity / 4) { table.removeValue(forKey: stale) }
            }
            table[key] = entry
        }
    }

    func forget(_ key: ObjectKey) {
        _ = entries.withLockedValue { $0.removeValue(forKey: key) }
    }
}

/// One pass over one rollout.
struct RolloutStep {
    let raw: JSONValue
    let reconciler: BlueGreenReconciler
    let key: ObjectKey
    let now = Date()
    var rollout: BlueGreenDeployment
    var status: BlueGreenStatus
    /// Condition changes to apply when writing: type → (status, reason, message).
    var conditions: [(String, ConditionStatus, String, String)] = []
    var decodeError: String?

    var api: any KubernetesAPI { reconciler.api }
    var name: String { rollout.metadata.name ?? "" }
    var namespace: String { rollout.metadata.namespace ?? "default" }
    var generation: Int64? { raw.generation }
    var uid: String { rollout.metadata.uid ?? "" }
    var children: ChildObjects { ChildObjects(rollout: rollout, uid: uid) }

    init(raw: JSONValue, reconciler: BlueGreenReconciler) throws {
        self.raw = raw
        self.reconciler = reconciler
        key = ObjectKey(of: raw) ?? ObjectKey(namespace: nil, name: "")
        switch reconciler.decoded.lookup(key, raw: raw) {
        case .exact(let known, let knownStatus)?:
            rollout = known
            status = knownStatus
            return
        case .sameSpec(let known)?:
            rollout = known
        case nil:
            do {
                // The status is read on its own below: one that cannot be read does not hide the spec.
                var specPart = raw
                specPart.removeValue(forKey: "status")
                rollout = try BlueGreenDeployment(json: specPart)
            } catch {
                // A spec this version cannot read: report it, touch nothing.
                rollout = BlueGreenDeployment(metadata: (try? raw["metadata"].decode(ObjectMeta.self)) ?? ObjectMeta(),
                                              spec: BlueGreenSpec(template: .emptyObject, activeService: ServiceRef(name: "")))
                decodeError = "the spec cannot be read: \(error)"
            }
        }
        status = (try? raw["status"].decode(BlueGreenStatus.self)) ?? BlueGreenStatus()
        if decodeError == nil { reconciler.decoded.store(key, raw: raw, rollout: rollout, status: status) }
    }

    // MARK: the state machine

    mutating func run() async throws -> ReconcileResult {
        if let decodeError { return invalid(field: "spec", decodeError) }
        let problems = rollout.spec.validate()
        if let first = problems.first {
            return invalid(field: first.field, problems.map(\.description).joined(separator: "; "))
        }
        let revision = Revision.of(template: rollout.spec.template)
        let operations = pendingOperations()

        // A child the cache has not yet seen our last write to would be misjudged (a Deployment
        // scaled down a moment ago still looking ready): wait for the watch to deliver it.
        let present = presentChildren()
        if present.contains(where: { reconciler.writes.isBehind($0.child.descriptor.resource, $0.object) }) {
            return .requeue(after: .milliseconds(50))
        }

        // A Service or Deployment name taken by something else is a spec problem: report it
        // before anything is written, so nobody's object is overwritten.
        if let conflict = conflict(among: present) { return invalid(field: conflict.field, conflict.message) }

        if operations.contains(.retry) {
            markHandled(.retry)
            if status.abortedRevision != nil {
                status.abortedRevision = nil
                status.failureReason = nil
                status.failureMessage = nil
                status.analysis = nil
                record(.normal, "RetryRequested", "retrying revision \(revision)")
            }
        }
        if operations.contains(.undo) {
            markHandled(.undo)
            if let undone = try await undo() { return undone }
        }

        guard let active = status.activeColor.flatMap(Color.init(rawValue:)), let activeRevision = status.activeRevision else {
            return try await firstDeployment(revision: revision)
        }
        if revision == activeRevision {
            return try await steady(active: active, revision: revision, operations: operations)
        }
        return try await rollOut(to: revision, active: active, operations: operations)
    }

    /// The first revision goes straight to blue and serves at once: there is nothing to compare it with.
    mutating func firstDeployment(revision: String) async throws -> ReconcileResult {
        try await ensureDeployment(.blue, template: rollout.spec.template, revision: revision, replicas: rollout.spec.effectiveReplicas)
        try await ensureServices(active: .blue, preview: .blue)
        status.activeColor = Color.blue.rawValue
        status.activeRevision = revision
        status.previewRevision = nil
        status.stepStartedAt = KubeTimestamp.format(now)
        addHistory(RevisionRecord(revision: revision, color: Color.blue.rawValue, images: Revision.images(of: rollout.spec.template),
                                  promotedAt: KubeTimestamp.format(now), outcome: "Promoted", message: "initial deployment"))
        record(.normal, "RolloutStarted", "deploying revision \(revision) to blue (initial deployment)")
        setPhase(.progressing, "waiting for blue to become ready")
        conditions.append(("Promoted", .true, "InitialDeployment", "the first revision serves traffic directly"))
        return .requeue(after: .seconds(5))
    }

    /// The spec's revision is the active one: keep it running, finish post-promotion
    /// analysis, scale the previous color down when its delay is over.
    mutating func steady(active: Color, revision: String, operations: Set<BlueGreenOperation>) async throws -> ReconcileResult {
        let activeDeployment = deployment(active)
        let replicas = desiredActiveReplicas(active: active, rolloutInProgress: false,
                                             hpaInCharge: try await hpaInCharge(of: activeDeployment, active: active))
        try await ensureDeployment(active, template: rollout.spec.template, revision: revision, replicas: replicas)
        try await ensureServices(active: active, preview: active)
        if status.previewRevision != nil { status.previewRevision = nil }
        let ready = readiness(activeDeployment, desired: replicas)
        updateReplicaCounts(activeDeployment, color: active)

        // Post-promotion analysis of a freshly promoted revision.
        if status.stableRevision != revision, let post = rollout.spec.postPromotionAnalysis, !(post.checks ?? []).isEmpty,
           status.analysis?.stage != "post" || status.analysis?.revision != revision || status.analysis?.phase == "Running" {
            guard ready.isReady else { return waitForReady(active, ready, what: "the promoted color") }
            var state = status.analysis ?? AnalysisStatus()
            setPhase(.promoting, "post-promotion analysis of revision \(revision)")
            let outcome = await reconciler.stepper.advance(
                stage: "post", spec: post, state: &state, rollout: rollout, uid: uid, pods: await pods(active, desired: replicas),
                revision: revision, now: now, wake: wakeSelf)
            status.analysis = state
            noteAnalyzer(state)
            switch outcome {
            case .running(let after): return .requeue(after: after)
            case .failed(let reason, let message):
                return try await fail(revision: revision, active: active, reason: reason, message: message, promoted: true)
            case .passed:
                conditions.append(("AnalysisPassed", .true, "PostPromotionAnalysisPassed", "post-promotion analysis of \(revision) passed"))
                record(.normal, "AnalysisPassed", "post-promotion analysis of revision \(revision) passed")
            }
        }

        if ready.isReady, status.stableRevision != revision {
            status.stableRevision = revision
            scheduleScaleDown()
        }
        let scaleDown = try await scaleDownPrevious(active: active)

        if ready.isReady {
            setPhase(.healthy, "revision \(revision) serves on \(active.rawValue) with \(ready.available)/\(replicas) pods available")
            conditions.append(("Progressing", .false, "RolloutComplete", "revision \(revision) is fully rolled out"))
            conditions.append(("Ready", .true, "Healthy", "revision \(revision) serves with \(ready.available)/\(replicas) available"))
            return scaleDown.map { .requeue(after: $0) } ?? .done
        }
        if deadlinePassed() && ready.available == 0 {
            setPhase(.degraded, "\(active.rawValue) has \(ready.ready)/\(replicas) ready pods after \(rollout.spec.effectiveProgressDeadlineSeconds)s")
            conditions.append(("Ready", .false, "ProgressDeadlineExceeded", status.message ?? ""))
            return .requeue(after: .seconds(30))
        }
        return waitForReady(active, ready, what: "the active color")
    }

    /// A new revision: bring up the other color, analyse it, switch, or fail and roll back.
    mutating func rollOut(to revision: String, active: Color, operations: Set<BlueGreenOperation>) async throws -> ReconcileResult {
        let preview = active.other
        if status.abortedRevision == revision {
            // Failed or aborted before: stay on the stable color until retry or a new spec.
            try await ensureServices(active: active, preview: active)
            _ = try await scaleDeployment(preview, to: 0)
            updateReplicaCounts(deployment(active), color: active)
            if operations.contains(.abort) { markHandled(.abort) }
            if operations.contains(.promote) { markHandled(.promote) }
            // Every pass states Ready, so a transient error reported in between does not stick.
            let reason = status.failureReason ?? "RolledBack"
            conditions.append(("Ready", .false, reason, status.message ?? "revision \(revision) failed; retry or change the spec"))
            return .done
        }
        if rollout.spec.isPaused {
            setPhase(.paused, "paused by spec.paused; revision \(revision) waits")
            conditions.append(("Progressing", .unknown, "Paused", status.message ?? ""))
            return .done
        }
        if operations.contains(.abort) {
            markHandled(.abort)
            return try await fail(revision: revision, active: active, reason: "Aborted", message: "aborted by request", promoted: false)
        }

        // A revision still running on the other color, which served before: switch back at once.
        if let previewDeployment = deployment(preview), previewDeployment.revision == revision,
           (status.history ?? []).contains(where: { $0.revision == revision && $0.outcome == "Promoted" }) || status.stableRevision == revision,
           readiness(previewDeployment, desired: rollout.spec.effectiveReplicas).isReady {
            if status.previewRevision != revision { status.analysis = nil }
            return try await promote(revision: revision, from: active, to: preview, skipAnalysis: true,
                                     message: "revision \(revision) was still running on \(preview.rawValue): switched back without re-analysis")
        }

        if status.previewRevision != revision {
            if let superseded = status.previewRevision {
                addHistory(RevisionRecord(revision: superseded, color: preview.rawValue, images: [], outcome: "Superseded",
                                          message: "replaced by \(revision) before promotion"))
            }
            status.previewRevision = revision
            status.stepStartedAt = KubeTimestamp.format(now)
            status.analysis = nil
            record(.normal, "RolloutStarted", "rolling out revision \(revision) to \(preview.rawValue)")
            conditions.append(("Promoted", .false, "RolloutInProgress", "revision \(revision) has not been promoted yet"))
            conditions.append(("AnalysisPassed", .unknown, "Pending", "analysis of \(revision) has not run yet"))
        }
        conditions.append(("Progressing", .true, "NewRevisionRollingOut", "rolling out revision \(revision) to \(preview.rawValue)"))
        conditions.append(("Ready", .false, "RolloutInProgress", "revision \(revision) is being rolled out"))

        // Never scale the live stack down before the switch; the preview matches what serves now.
        let activeReplicas = desiredActiveReplicas(active: active, rolloutInProgress: true)
        let previewReplicas = max(rollout.spec.effectiveReplicas, deployment(active)?.specReplicas ?? 0)
        try await ensureDeployment(active, template: deployment(active)?.specTemplate ?? rollout.spec.template,
                                   revision: status.activeRevision ?? "", replicas: activeReplicas, keepTemplate: true)
        try await ensureDeployment(preview, template: rollout.spec.template, revision: revision, replicas: previewReplicas)
        try await ensureServices(active: active, preview: preview)
        updateReplicaCounts(deployment(active), color: active)

        let previewState = readiness(deployment(preview), desired: previewReplicas, revision: revision)
        let skipAnalysis = operations.contains(.promote)
        if !previewState.isReady {
            if deadlinePassed() {
                return try await fail(revision: revision, active: active, reason: "ProgressDeadlineExceeded",
                                      message: "\(preview.rawValue) had \(previewState.ready)/\(previewReplicas) ready pods after \(rollout.spec.effectiveProgressDeadlineSeconds)s",
                                      promoted: false)
            }
            setPhase(.progressing, "waiting for \(preview.rawValue) (revision \(revision)): \(previewState.ready)/\(previewReplicas) ready")
            return .requeue(after: min(.seconds(10), remainingDeadline()))
        }

        // Pre-promotion analysis.
        var analysisPassed = status.analysis?.stage == "pre" && status.analysis?.revision == revision && status.analysis?.phase == "Successful"
        if !analysisPassed && !skipAnalysis {
            var state = status.analysis ?? AnalysisStatus()
            setPhase(.analyzing, "analysing \(preview.rawValue) (revision \(revision)) before promotion")
            let outcome = await reconciler.stepper.advance(
                stage: "pre", spec: rollout.spec.prePromotionAnalysis, state: &state, rollout: rollout, uid: uid,
                pods: await pods(preview, desired: previewReplicas), revision: revision, now: now, wake: wakeSelf)
            status.analysis = state
            noteAnalyzer(state)
            switch outcome {
            case .running(let after): return .requeue(after: min(after, remainingDeadline() + .seconds(1)))
            case .failed(let reason, let message):
                conditions.append(("AnalysisPassed", .false, reason, message))
                return try await fail(revision: revision, active: active, reason: reason, message: message, promoted: false)
            case .passed:
                analysisPassed = true
                status.stepStartedAt = KubeTimestamp.format(now)
                conditions.append(("AnalysisPassed", .true, "PrePromotionAnalysisPassed", "pre-promotion analysis of \(revision) passed"))
                record(.normal, "AnalysisPassed", "pre-promotion analysis of revision \(revision) passed")
            }
        }

        // Promotion: on request, or automatically after the delay.
        if skipAnalysis {
            markHandled(.promote)
            return try await promote(revision: revision, from: active, to: preview, skipAnalysis: !analysisPassed, message: "promoted by request")
        }
        let auto = rollout.spec.autoPromotion ?? AutoPromotion()
        guard auto.isEnabled else {
            setPhase(.paused, "revision \(revision) passed analysis and waits for promotion: opsagent promote \(name) -n \(namespace)")
            return .done
        }
        let delay = Double(auto.delaySeconds ?? 0)
        let passedAt = status.stepStartedAt.flatMap(KubeTimestamp.parse) ?? now
        if now.timeIntervalSince(passedAt) < delay {
            setPhase(.analyzing, "analysis passed; promoting revision \(revision) in \(Int(delay - now.timeIntervalSince(passedAt)))s")
            return .requeue(after: .seconds(max(0.2, delay - now.timeIntervalSince(passedAt))))
        }
        return try await promote(revision: revision, from: active, to: preview, skipAnalysis: false, message: "analysis passed")
    }

    /// Switches the active Service to `to`.
    mutating func promote(revision: String, from: Color, to: Color, skipAnalysis: Bool, message: String) async throws -> ReconcileResult {
        try await ensureServices(active: to, preview: to)
        let previous = status.activeRevision
        status.activeColor = to.rawValue
        status.activeRevision = revision
        status.previewRevision = nil
        status.stepStartedAt = KubeTimestamp.format(now)
        addHistory(RevisionRecord(revision: revision, color: to.rawValue, images: Revision.images(of: rollout.spec.template),
                                  promotedAt: KubeTimestamp.format(now), outcome: "Promoted", message: message))
        conditions.append(("Promoted", .true, skipAnalysis ? "PromotedWithoutAnalysis" : "Promoted",
                           "revision \(revision) serves on \(to.rawValue) (\(message))"))
        record(.normal, "Promoted", "switched traffic from \(from.rawValue) (\(previous ?? "none")) to \(to.rawValue) (\(revision)): \(message)")
        let hasPost = !(rollout.spec.postPromotionAnalysis?.checks ?? []).isEmpty
        if hasPost && !skipAnalysis {
            status.analysis = nil
            setPhase(.promoting, "promoted \(revision); post-promotion analysis follows")
            return .requeue(after: .milliseconds(200))
        }
        status.stableRevision = revision
        scheduleScaleDown()
        setPhase(.healthy, "revision \(revision) serves on \(to.rawValue)")
        return .requeue(after: .milliseconds(200))
    }

    /// The revision failed (or was aborted): keep or put traffic back on the stable color.
    mutating func fail(revision: String, active: Color, reason: String, message: String, promoted: Bool) async throws -> ReconcileResult {
        guard rollout.spec.rollsBackOnFailure else {
            setPhase(.degraded, "revision \(revision) failed (\(reason)): \(message); rollbackOnFailure is false, nothing was changed")
            conditions.append(("Ready", .false, reason, status.message ?? ""))
            conditions.append(("Progressing", .false, reason, message))
            record(.warning, reason, status.message ?? "")
            return .done
        }
        var stableColor = active
        if promoted {
            // Traffic moved already: back to the other color, which still runs the stable revision.
            stableColor = active.other
            guard let stable = deployment(stableColor), stable.revision == status.stableRevision, (stable.specReplicas ?? 0) > 0 else {
                setPhase(.degraded, "revision \(revision) failed after promotion (\(reason)): \(message); the previous color is gone, so traffic stays")
                conditions.append(("Ready", .false, reason, status.message ?? ""))
                record(.warning, reason, status.message ?? "")
                return .done
            }
            status.activeColor = stableColor.rawValue
            status.activeRevision = stable.revision
        }
        try await ensureServices(active: stableColor, preview: stableColor)
        _ = try await scaleDeployment(stableColor.other, to: 0)
        status.previewRevision = nil
        status.abortedRevision = revision
        status.failureReason = reason
        status.failureMessage = message
        status.scaleDownAt = nil
        status.stepStartedAt = KubeTimestamp.format(now)
        addHistory(RevisionRecord(revision: revision, color: (promoted ? active : active.other).rawValue,
                                  images: Revision.images(of: rollout.spec.template), outcome: reason == "Aborted" ? "Aborted" : "RolledBack",
                                  message: "\(reason): \(message)"))
        let text = "revision \(revision) \(reason == "Aborted" ? "aborted" : "failed") (\(reason)): \(message); traffic \(promoted ? "returned" : "stayed") on \(stableColor.rawValue) (\(status.stableRevision ?? "?"))"
        setPhase(.rolledBack, text)
        conditions.append(("Ready", .false, reason, text))
        conditions.append(("Progressing", .false, reason, message))
        if promoted { conditions.append(("Promoted", .false, "RolledBack", "traffic returned to \(stableColor.rawValue)")) }
        record(.warning, reason == "Aborted" ? "RolloutAborted" : "RolledBack", text)
        return .done
    }

    /// Points `spec.template` back at the revision the other color runs (the previous one).
    mutating func undo() async throws -> ReconcileResult? {
        guard let active = status.activeColor.flatMap(Color.init(rawValue:)), let previous = deployment(active.other),
              let template = previous.specTemplate else {
            record(.warning, "UndoImpossible", "no previous revision is kept on the other color")
            return nil
        }
        let patch: JSONValue = [["op": "replace", "path": "/spec/template", "value": template]]
        let patched = try await api.patch(BlueGreenController.resource.resource, name: name, namespace: namespace, type: .json, body: patch)
        reconciler.writes.record(BlueGreenController.resource.resource, patched, owner: key)
        record(.normal, "UndoRequested", "spec.template set back to revision \(previous.revision ?? "?")")
        return .requeue(after: .milliseconds(100))
    }

    // MARK: children

    struct ObservedDeployment {
        var object: JSONValue
        var revision: String? { object["metadata"]["annotations"][BlueGreenLabels.revision].stringValue }
        var specReplicas: Int? { object["spec"]["replicas"].intValue }
        var template: JSONValue? { object["spec"]["template"].isNull ? nil : object["spec"]["template"] }
        /// The template as the rollout's spec had it when this color was deployed.
        var specTemplate: JSONValue? {
            object["metadata"]["annotations"][BlueGreenLabels.template].stringValue.flatMap { try? JSONValue(parsing: $0) }
        }
    }

    struct Readiness {
        var ready = 0
        var available = 0
        var desired = 0
        var current = false
        var isReady: Bool { current && available >= desired && ready >= desired }
    }

    func deployment(_ color: Color) -> ObservedDeployment? {
        reconciler.cache.get(BlueGreenController.deployments, ObjectKey(namespace: namespace, name: children.deploymentName(color)))
            .map(ObservedDeployment.init(object:))
    }

    func readiness(_ d: ObservedDeployment?, desired: Int, revision: String? = nil) -> Readiness {
        guard let d else { return Readiness(desired: desired) }
        let s = d.object["status"]
        let observed = s["observedGeneration"].intValue ?? 0
        let generation = d.object["metadata"]["generation"].intValue ?? 0
        let updated = s["updatedReplicas"].intValue ?? 0
        let current = observed >= generation && updated >= desired && (revision == nil || d.revision == revision)
        return Readiness(ready: s["readyReplicas"].intValue ?? 0, available: s["availableReplicas"].intValue ?? 0,
                         desired: desired, current: current)
    }

    mutating func updateReplicaCounts(_ d: ObservedDeployment?, color: Color) {
        let s = d?.object["status"] ?? .null
        status.replicas = s["replicas"].intValue ?? 0
        status.readyReplicas = s["readyReplicas"].intValue ?? 0
        status.availableReplicas = s["availableReplicas"].intValue ?? 0
        if let selector = try? children.selector(color), let ls = try? selector.decode(LabelSelector.self) {
            status.selector = ls.description
        }
    }

    /// The active color's replicas: the spec's, except that an HPA on it is left in charge,
    /// and during a rollout the live stack is never scaled down.
    /// `hpaInCharge` nil asks the cache.
    func desiredActiveReplicas(active: Color, rolloutInProgress: Bool, hpaInCharge: Bool? = nil) -> Int {
        let current = deployment(active)?.specReplicas ?? 0
        if hpaInCharge ?? hpaTargets(children.deploymentName(active)) { return max(current, rolloutInProgress ? 0 : 1) }
        return rolloutInProgress ? max(current, rollout.spec.effectiveReplicas) : rollout.spec.effectiveReplicas
    }

    func hpaTargets(_ deploymentName: String) -> Bool {
        reconciler.cache.list(BlueGreenController.hpas, namespace: namespace).contains { Self.hpa($0, targets: deploymentName) }
    }

    /// Whether an HPA is in charge of the live color. The cache answers, except when the
    /// replicas differ from the spec and it knows no HPA: an HPA's event can trail the scale it
    /// caused, so the server is asked before someone else's replica count is undone.
    func hpaInCharge(of live: ObservedDeployment?, active: Color) async throws -> Bool {
        let name = children.deploymentName(active)
        if hpaTargets(name) { return true }
        guard let current = live?.specReplicas, current != rollout.spec.effectiveReplicas else { return false }
        return try await api.list(BlueGreenController.hpas.resource, namespace: namespace, options: ListOptions()).items
            .contains { Self.hpa($0, targets: name) }
    }

    static func hpa(_ hpa: JSONValue, targets deploymentName: String) -> Bool {
        hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" && hpa["spec"]["scaleTargetRef"]["name"].stringValue == deploymentName
    }

    /// Creates or updates a colored Deployment so it runs `template` at `replicas`.
    mutating func ensureDeployment(_ color: Color, template: JSONValue, revision: String, replicas: Int, keepTemplate: Bool = false) async throws {
        var desired = try children.deployment(color: color, template: template, revision: revision, replicas: replicas)
        if keepTemplate, let existing = deployment(color), let t = existing.template {
            desired["spec"]["template"] = t
        }
        guard let existing = deployment(color)?.object else {
            _ = try await createIgnoringExists(GroupVersionResource.deployments, desired)
            return
        }
        if JSONSubset.contains(existing, desired) { return }
        try await updateRetryingConflicts(.deployments, existing) { object in
            object["spec"] = desired["spec"]
            object["metadata"]["labels"] = object["metadata"]["labels"].merging(desired["metadata"]["labels"])
            object["metadata"]["annotations"] = object["metadata"]["annotations"].merging(desired["metadata"]["annotations"])
            object["metadata"]["ownerReferences"] = desired["metadata"]["ownerReferences"]
        }
    }

    /// A Deployment or Service name the rollout uses: the field that names it, and the way out
    /// of a clash with an object it may not take over.
    struct NamedChild {
        var field: String
        var descriptor: ResourceDescriptor
        var name: String
        var fix: String
    }

    /// The Services and colored Deployments the rollout uses that are in the cache.
    func presentChildren() -> [(child: NamedChild, object: JSONValue)] {
        var named = [NamedChild(field: "spec.activeService.name", descriptor: BlueGreenController.services,
                                name: rollout.spec.activeService.name, fix: "choose another name")]
        if let preview = rollout.spec.previewService {
            named.append(NamedChild(field: "spec.previewService.name", descriptor: BlueGreenController.services,
                                    name: preview.name, fix: "choose another name"))
        }
        for color in Color.allCases {
            named.append(NamedChild(field: "metadata.name", descriptor: BlueGreenController.deployments,
                                    name: children.deploymentName(color), fix: "give the rollout another name"))
        }
        return named.compactMap { child in
            reconciler.cache.get(child.descriptor, ObjectKey(namespace: namespace, name: child.name)).map { (child, $0) }
        }
    }

    /// Updates a child; on 409 (the cache was behind) re-reads it from the server and applies `change` again.
    func updateRetryingConflicts(_ resource: GroupVersionResource, _ cached: JSONValue,
                                 _ change: (inout JSONValue) -> Void) async throws {
        var current = cached
        for attempt in 1...3 {
            var updated = current
            change(&updated)
            if updated == current { return }
            do {
                reconciler.writes.record(resource, try await api.update(resource, updated, namespace: namespace), owner: key)
                return
            } catch let error as KubeError where error.isConflict && attempt < 3 {
                current = try await api.get(resource, name: cached["metadata"]["name"].stringValue ?? "", namespace: namespace)
            }
        }
    }

    /// Sets a Deployment's replicas; returns whether it changed anything.
    mutating func scaleDeployment(_ color: Color, to replicas: Int) async throws -> Bool {
        guard let d = deployment(color), d.specReplicas != replicas else { return false }
        try await updateRetryingConflicts(.deployments, d.object) { $0["spec"]["replicas"] = .int(Int64(replicas)) }
        return true
    }

    mutating func scheduleScaleDown() {
        let at = now.addingTimeInterval(Double(rollout.spec.effectiveScaleDownDelaySeconds))
        status.scaleDownAt = KubeTimestamp.format(at)
    }

    /// Scales the previous color to zero once its delay is over; returns when to look again.
    mutating func scaleDownPrevious(active: Color) async throws -> Duration? {
        guard let previous = deployment(active.other), (previous.specReplicas ?? 0) > 0 else {
            status.scaleDownAt = nil
            return nil
        }
        let at = status.scaleDownAt.flatMap(KubeTimestamp.parse) ?? now
        if at > now { return .seconds(at.timeIntervalSince(now) + 0.1) }
        _ = try await scaleDeployment(active.other, to: 0)
        status.scaleDownAt = nil
        record(.normal, "ScaledDown", "scaled \(active.other.rawValue) (\(previous.revision ?? "?")) down after the switch")
        return nil
    }

    /// Points the active (and preview) Services at colors, creating them when absent.
    mutating func ensureServices(active: Color, preview: Color) async throws {
        try await ensureService(rollout.spec.activeService, role: "active", color: active)
        if let previewRef = rollout.spec.previewService {
            try await ensureService(previewRef, role: "preview", color: preview)
        }
    }

    mutating func ensureService(_ ref: ServiceRef, role: String, color: Color) async throws {
        let desired = try children.service(ref, role: role, color: color)
        guard let existing = reconciler.cache.get(BlueGreenController.services, ObjectKey(namespace: namespace, name: ref.name)) else {
            _ = try await createIgnoringExists(.services, desired)
            return
        }
        let owner = raw
        let step = self
        try await updateRetryingConflicts(.services, existing) { object in
            object["spec"]["selector"] = desired["spec"]["selector"]
            object["spec"]["ports"] = mergePorts(object["spec"]["ports"], desired["spec"]["ports"])
            object["metadata"]["labels"] = object["metadata"]["labels"].merging(desired["metadata"]["labels"])
            if !OwnerReferences.isControlled(object, by: owner) {
                object["metadata"]["ownerReferences"] = step.adoptingReferences(object)
            }
        }
    }

    /// Desired ports, keeping what the server assigned (nodePort) to ports that stay.
    func mergePorts(_ existing: JSONValue, _ desired: JSONValue) -> JSONValue {
        let current = existing.arrayValue ?? []
        return .array((desired.arrayValue ?? []).map { port in
            guard let match = current.first(where: { $0["port"] == port["port"] && $0["protocol"] == port["protocol"] }) else { return port }
            var merged = port
            if !match["nodePort"].isNull { merged["nodePort"] = match["nodePort"] }
            return merged
        })
    }

    /// An existing Service or colored Deployment that this rollout may not take over: one
    /// controlled by something else, or one nobody controls that is not labelled for adoption.
    /// A child of an earlier rollout of this name (deleted and created again) is adopted.
    func conflict(among present: [(child: NamedChild, object: JSONValue)]) -> (field: String, message: String)? {
        for (child, existing) in present where !OwnerReferences.isControlled(existing, by: raw) {
            let what = "\(child.descriptor.kind) \"\(child.name)\" already exists"
            if let controller = OwnerReferences.controller(of: existing) {
                if isEarlierRollout(controller) { continue }
                let other = "\(controller["kind"].stringValue ?? "?") \"\(controller["name"].stringValue ?? "?")\""
                return (child.field, "\(what) and is controlled by \(other); \(child.fix)")
            }
            if existing["metadata"]["labels"][BlueGreenLabels.managedBy].stringValue == name { continue }
            return (child.field, "\(what) and is not managed by this rollout; label it \(BlueGreenLabels.managedBy)=\(name) to let the rollout adopt it, or \(child.fix)")
        }
        return nil
    }

    /// Whether an owner reference names a rollout of this name (this one, or an earlier one).
    func isEarlierRollout(_ reference: JSONValue) -> Bool {
        reference["kind"].stringValue == BlueGreenDeployment.kind && reference["name"].stringValue == name
    }

    /// `child`'s owner references with this rollout as controller, in place of an earlier
    /// rollout of the same name.
    func adoptingReferences(_ child: JSONValue) -> JSONValue {
        var references = (child["metadata"]["ownerReferences"].arrayValue ?? []).filter { !isEarlierRollout($0) }
        references.append(children.ownerReference)
        return .array(references)
    }

    func createIgnoringExists(_ resource: GroupVersionResource, _ object: JSONValue) async throws -> JSONValue? {
        do {
            let created = try await api.create(resource, object, namespace: namespace)
            reconciler.writes.record(resource, created, owner: key)
            return created
        } catch let error as KubeError where error.isAlreadyExists {
            // The cache has not seen our earlier create yet; the next pass updates it.
            return nil
        }
    }

    func pods(_ color: Color, desired: Int) async -> ColorPods {
        var selector = (try? rollout.spec.effectiveSelector().matchLabels) ?? [:]
        selector[BlueGreenLabels.color] = color.rawValue
        let text = selector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let list = (try? await api.list(.pods, namespace: namespace, options: ListOptions(labelSelector: text)))?.items ?? []
        return ColorPods(color: color, pods: list.filter { $0["metadata"]["deletionTimestamp"].isNull }, desired: desired)
    }

    // MARK: bookkeeping

    var wakeSelf: @Sendable () -> Void {
        let key = self.key
        let wake = reconciler.wake
        return { wake(key) }
    }

    func deadlinePassed() -> Bool {
        guard let started = status.stepStartedAt.flatMap(KubeTimestamp.parse) else { return false }
        return now.timeIntervalSince(started) > Double(rollout.spec.effectiveProgressDeadlineSeconds)
    }

    func remainingDeadline() -> Duration {
        guard let started = status.stepStartedAt.flatMap(KubeTimestamp.parse) else { return .seconds(10) }
        let left = Double(rollout.spec.effectiveProgressDeadlineSeconds) - now.timeIntervalSince(started)
        return .milliseconds(Int64(max(0.2, left) * 1000))
    }

    mutating func waitForReady(_ color: Color, _ r: Readiness, what: String) -> ReconcileResult {
        setPhase(.progressing, "waiting for \(what) (\(color.rawValue)): \(r.ready)/\(r.desired) ready")
        conditions.append(("Ready", .false, "WaitingForPods", status.message ?? ""))
        return .requeue(after: min(.seconds(10), remainingDeadline()))
    }

    mutating func setPhase(_ phase: BlueGreenPhase, _ message: String) {
        status.phase = phase.rawValue
        status.message = message
    }

    mutating func addHistory(_ record: RevisionRecord) {
        var history = status.history ?? []
        if let first = history.first, first.revision == record.revision, first.outcome == record.outcome { return }
        history.insert(record, at: 0)
        status.history = Array(history.prefix(rollout.spec.effectiveRevisionHistoryLimit))
    }

    mutating func noteAnalyzer(_ state: AnalysisStatus) {
        guard let verdict = state.analyzer else { return }
        if let reason = verdict.degradedReason {
            conditions.append(("AnalysisDegraded", .true, reason, verdict.degradedMessage ?? "the LLM was not used; the built-in analyzer answered"))
        } else {
            conditions.append(("AnalysisDegraded", .false, "AnalyzerAnswered", "the \(verdict.provider) analyzer answered"))
        }
    }

    mutating func invalid(field: String, _ message: String) -> ReconcileResult {
        setPhase(.degraded, "invalid spec: \(message)")
        conditions.append(("Ready", .false, "InvalidSpec", "\(field): \(message)"))
        conditions.append(("Progressing", .false, "InvalidSpec", "fix \(field) to continue"))
        return .done
    }

    enum EventKind { case normal, warning }

    func record(_ kind: EventKind, _ reason: String, _ message: String) {
        switch kind {
        case .normal: reconciler.events.normal(raw, reason: reason, message: message)
        case .warning: reconciler.events.warning(raw, reason: reason, message: message)
        }
    }

    func pendingOperations() -> Set<BlueGreenOperation> {
        var ops: Set<BlueGreenOperation> = []
        for op in BlueGreenOperation.allCases {
            guard let token = rollout.metadata.annotations?[op.annotation], !token.isEmpty else { continue }
            if status.handledOperations?[op.rawValue] != token { ops.insert(op) }
        }
        return ops
    }

    mutating func markHandled(_ op: BlueGreenOperation) {
        guard let token = rollout.metadata.annotations?[op.annotation] else { return }
        var handled = status.handledOperations ?? [:]
        handled[op.rawValue] = token
        status.handledOperations = handled
    }

    /// Writes the status if anything changed (conditions keep their transition times);
    /// returns the object as written, nil when nothing was sent.
    func writeStatus() async throws -> JSONValue? {
        var withoutConditions = status
        withoutConditions.conditions = nil  // written one by one below, through setCondition
        let typed = withoutConditions
        let changes = conditions
        let generation = self.generation
        let now = self.now
        let outcome = try await reconciler.statusWriter.updateStatus(of: key, current: raw) { current, _ in
            var next = current
            let encoded = try JSONValue(encoding: typed)
            for (k, v) in encoded.objectValue ?? [:] where k != "conditions" { next[k] = v }
            for k in (current.objectValue ?? [:]).keys where k != "conditions" && encoded[k].isNull { next[k] = .null }
            if let replicas = typed.replicas, let ready = typed.readyReplicas { next["readyText"] = .string("\(ready)/\(replicas)") }
            for (type, status, reason, message) in changes {
                next.setCondition(type, status, reason: reason, message: message, observedGeneration: generation, now: now)
            }
            // Available follows the active color.
            if let available = typed.availableReplicas, typed.activeColor != nil {
                let ok = available > 0
                next.setCondition("Available", ok ? .true : .false, reason: ok ? "MinimumReplicasAvailable" : "NoReplicasAvailable",
                                  message: "\(available) pod(s) of the active color available", observedGeneration: generation, now: now)
            }
            next.setObservedGeneration(generation)
            current = next
        }
        return outcome.didWrite ? outcome.object : nil
    }
}

/// Whether every member of `subset` appears, equal, in `object` (server defaults may add more).
enum JSONSubset {
    static func contains(_ object: JSONValue, _ subset: JSONValue) -> Bool {
        switch (object, subset) {
        case (.object(let o), .object(let s)):
            return s.allSatisfy { key, value in value.isNull ? o[key] == nil || o[key] == .null : o[key].map { contains($0, value) } ?? false }
        case (.array(let o), .array(let s)):
            return o.count == s.count && zip(o, s).allSatisfy { contains($0, $1) }
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        default:
            return object == subset
        }
    }
}
