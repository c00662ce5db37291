import Foundation
import KubeClient
import OperatorKit
import OpsAPI

extension RolloutPass {
    /// A colored Deployment as cached.
    struct ObservedDeployment {
        var object: JSONValue
        var revision: String? { object["metadata"]["annotations"][BlueGreenLabels.revision].stringValue }
        var specReplicas: Int? { object["spec"]["replicas"].intValue }
        var template: JSONValue? { object["spec"]["template"].isNull ? nil : object["spec"]["template"] }
        /// The template as the rollout's spec had it when this color was deployed.
        var specTemplate: JSONValue? {
            object["metadata"]["annotations"][BlueGreenLabels.template].stringValue.flatMap { try? JSONValue(parsing: $0) }
        }
        /// Whether its pods carry the revision label (those deployed by earlier versions do not).
        var labelsRevision: String? { object["spec"]["template"]["metadata"]["labels"][BlueGreenLabels.revision].stringValue }
    }

    /// A Deployment or Service name the rollout uses: the field that names it, and the way out
    /// of a clash with an object it may not take over.
    struct NamedChild {
        var field: String
        var descriptor: ResourceDescriptor
        var name: String
        var fix: String
    }

    /// A child that turned out, mid-pass, to be an object this rollout may not take over:
    /// the cache delivered it after the pass's first look. The pass stops before writing to
    /// it and reports the conflict as the first look would have.
    struct NameTaken: Error {
        var field: String
        var message: String
    }

    func deploymentChild(_ color: Color) -> NamedChild {
        NamedChild(field: "metadata.name", descriptor: BlueGreenController.deployments,
                   name: children.deploymentName(color), fix: "give the rollout another name")
    }

    func serviceChild(_ ref: ServiceRef, field: String) -> NamedChild {
        NamedChild(field: field, descriptor: BlueGreenController.services, name: ref.name, fix: "choose another name")
    }

    /// Throws ``NameTaken`` if `existing` is an object this rollout may not write to.
    func checkTakeOver(_ child: NamedChild, _ existing: JSONValue?) throws {
        guard let existing, let conflict = conflict(among: [(child, existing)]) else { return }
        throw NameTaken(field: conflict.field, message: conflict.message)
    }

    var cache: InformerCache { pass.context.cache }

    func deployment(_ color: Color) -> ObservedDeployment? {
        cache.get(BlueGreenController.deployments, ObjectKey(namespace: namespace, name: children.deploymentName(color)))
            .map(ObservedDeployment.init(object:))
    }

    /// Creates or updates a colored Deployment so it runs `template` at `replicas`.
    mutating func ensureDeployment(_ color: Color, template: JSONValue, revision: String, replicas: Int, keepTemplate: Bool = false) async throws {
        var desired = try children.deployment(color: color, template: template, revision: revision, replicas: replicas)
        let existing = deployment(color)
        try checkTakeOver(deploymentChild(color), existing?.object)
        if keepTemplate, let t = existing?.template { desired["spec"]["template"] = t }
        if let existing, JSONSubset.contains(existing.object, desired) { return }
        if let labelled = desired["spec"]["template"]["metadata"]["labels"][BlueGreenLabels.revision].stringValue {
            writtenRevisions[color] = labelled
        }
        try await pass.children.createOrUpdate(BlueGreenController.deployments, desired: desired, cached: existing?.object) { object in
            object["spec"] = desired["spec"]
            object["metadata"]["labels"] = object["metadata"]["labels"].merging(desired["metadata"]["labels"])
            object["metadata"]["annotations"] = object["metadata"]["annotations"].merging(desired["metadata"]["annotations"])
            object["metadata"]["ownerReferences"] = desired["metadata"]["ownerReferences"]
        }
    }

    /// Points the active (and preview) Services at one revision of a color each, creating
    /// them when absent.
    mutating func ensureServices(active: (Color, String), preview: (Color, String)) async throws {
        try await ensureService(rollout.spec.activeService, role: "active", field: "spec.activeService.name",
                                color: active.0, revision: active.1)
        if let previewRef = rollout.spec.previewService {
            try await ensureService(previewRef, role: "preview", field: "spec.previewService.name",
                                    color: preview.0, revision: preview.1)
        }
    }

    mutating func ensureService(_ ref: ServiceRef, role: String, field: String, color: Color, revision: String) async throws {
        // Select by revision once the color's pods carry the label (the Deployment may have been
        // created by an earlier version, or in this very pass, not yet cached).
        let labelled = writtenRevisions[color] ?? deployment(color)?.labelsRevision
        let selectable = labelled == revision ? revision : nil
        let desired = children.service(ref, role: role, color: color, revision: selectable)
        let existing = cache.get(BlueGreenController.services, ObjectKey(namespace: namespace, name: ref.name))
        try checkTakeOver(serviceChild(ref, field: field), existing)
        let owner = pass.object
        let adopting = existing.map { adoptingReferences($0) }
        try await pass.children.createOrUpdate(BlueGreenController.services, desired: desired, cached: existing) { object in
            object["spec"]["selector"] = desired["spec"]["selector"]
            object["spec"]["ports"] = Self.mergePorts(object["spec"]["ports"], desired["spec"]["ports"])
            object["metadata"]["labels"] = object["metadata"]["labels"].merging(desired["metadata"]["labels"])
            if !OwnerReferences.isControlled(object, by: owner), let adopting {
                object["metadata"]["ownerReferences"] = adopting
            }
        }
    }

    /// Desired ports, keeping what the server assigned (nodePort) to ports that stay.
    static func mergePorts(_ existing: JSONValue, _ desired: JSONValue) -> JSONValue {
        let current = existing.arrayValue ?? []
        return .array((desired.arrayValue ?? []).map { port in
            guard let match = current.first(where: { $0["port"] == port["port"] && $0["protocol"] == port["protocol"] }) else { return port }
            var merged = port
            if !match["nodePort"].isNull { merged["nodePort"] = match["nodePort"] }
            return merged
        })
    }

    /// Sets a Deployment's replicas; returns whether it changed anything.
    mutating func scaleDeployment(_ color: Color, to replicas: Int) async throws -> Bool {
        guard let d = deployment(color), d.specReplicas != replicas else { return false }
        try checkTakeOver(deploymentChild(color), d.object)
        try await pass.children.update(BlueGreenController.deployments, d.object) { $0["spec"]["replicas"] = .int(Int64(replicas)) }
        return true
    }

    mutating func scheduleScaleDown() {
        status.scaleDownAt = KubeTimestamp.format(now.addingTimeInterval(Double(rollout.spec.effectiveScaleDownDelaySeconds)), fractionalDigits: 3)
    }

    /// Scales the previous color to zero once its delay is over; returns when to look again.
    mutating func scaleDownPrevious(active: Color) async throws -> Duration? {
        guard let previous = deployment(active.other), (previous.specReplicas ?? 0) > 0 else {
            status.scaleDownAt = nil
            return nil
        }
        if let wait = timers.untilScaleDown(at: now) { return wait }
        _ = try await scaleDeployment(active.other, to: 0)
        status.scaleDownAt = nil
        record(.normal, "ScaledDown", "scaled \(active.other.rawValue) (\(previous.revision ?? "?")) down after the switch")
        return nil
    }

    /// The pods of `revision` on `color`, not being deleted.
    func pods(_ color: Color, revision: String) async -> [JSONValue] {
        let labels = children.revisionLabels(color, deployment(color)?.labelsRevision == revision ? revision : nil)
        return await pass.context.listPods(namespace: namespace, labels: labels)
    }

    // MARK: names the rollout uses

    /// The Services and colored Deployments the rollout uses that are in the cache.
    func presentChildren() -> [(child: NamedChild, object: JSONValue)] {
        var named = [serviceChild(rollout.spec.activeService, field: "spec.activeService.name")]
        if let preview = rollout.spec.previewService { named.append(serviceChild(preview, field: "spec.previewService.name")) }
        named += Color.allCases.map(deploymentChild)
        return named.compactMap { child in
            cache.get(child.descriptor, ObjectKey(namespace: namespace, name: child.name)).map { (child, $0) }
        }
    }

    /// An existing Service or colored Deployment that this rollout may not take over: one
    /// controlled by something else, or one nobody controls that is not labelled for adoption.
    /// A child of an earlier rollout of this name (deleted and created again) is adopted.
    func conflict(among present: [(child: NamedChild, object: JSONValue)]) -> (field: String, message: String)? {
        for (child, existing) in present where !OwnerReferences.isControlled(existing, by: pass.object) {
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

    // MARK: replicas and HPAs

    /// The active color's replicas: the spec's, except that an HPA on it is left in charge,
    /// and during a rollout the live stack is never scaled down. `hpaInCharge` nil asks the cache.
    func desiredActiveReplicas(active: Color, rolloutInProgress: Bool, hpaInCharge: Bool? = nil) -> Int {
        let current = deployment(active)?.specReplicas ?? 0
        if hpaInCharge ?? hpaTargets(children.deploymentName(active)) { return max(current, rolloutInProgress ? 0 : 1) }
        return rolloutInProgress ? max(current, rollout.spec.effectiveReplicas) : rollout.spec.effectiveReplicas
    }

    func hpaTargets(_ deploymentName: String) -> Bool {
        cache.list(BlueGreenController.hpas, namespace: namespace).contains { Self.hpa($0, targets: deploymentName) }
    }

    /// Whether an HPA is in charge of the live color. The cache answers, except when the
    /// replicas differ from the spec and it knows no HPA: an HPA's event can trail the scale it
    /// caused, so the server is asked before someone else's replica count is undone.
    func hpaInCharge(of live: ObservedDeployment?, active: Color) async throws -> Bool {
        let name = children.deploymentName(active)
        if hpaTargets(name) { return true }
        guard let current = live?.specReplicas, current != rollout.spec.effectiveReplicas else { return false }
        return try await pass.context.api.list(BlueGreenController.hpas.resource, namespace: namespace, options: ListOptions()).items
            .contains { Self.hpa($0, targets: name) }
    }

    static func hpa(_ hpa: JSONValue, targets deploymentName: String) -> Bool {
        hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment" && hpa["spec"]["scaleTargetRef"]["name"].stringValue == deploymentName
    }
}

extension ControllerContext {
    /// Pods with `labels` in `namespace`, from the API server (the operator does not cache pods).
    func listPods(namespace: String, labels: [String: String]) async -> [JSONValue] {
        let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let list = (try? await api.list(.pods, namespace: namespace, options: ListOptions(labelSelector: text)))?.items ?? []
        return list.filter { $0["metadata"]["deletionTimestamp"].isNull }
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
