import Foundation
import KubeClient
import OperatorKit

/// The kit's example controller, a complete one in under a hundred lines (the README's
/// "Writing a controller" walks through it). A Gadget asks for `spec.size` copies of a
/// message: the controller keeps a ConfigMap holding them, computes a checksum in a
/// background job (standing in for slow work such as an LLM call), and reports kstatus
/// conditions with Events on transitions.
struct Gadget: Decodable, Sendable {
    struct Spec: Decodable, Sendable {
        var size: Int
        var message: String?
    }
    var metadata: ObjectMeta
    var spec: Spec
}

struct GadgetStatus: ObjectStatus {
    var size: Int?
    var checksum: String?
    var phase: String?
}

struct GadgetReconciler: ObjectReconciler {
    static let gadgets = ResourceDescriptor(
        resource: GroupVersionResource(group: "example.dev", version: "v1", resource: "gadgets"), kind: "Gadget")
    static let configMaps = ResourceDescriptor(resource: .configmaps, kind: "ConfigMap")
    let kit: ControllerContext

    func validate(_ gadget: Gadget) -> [SpecError] {
        var problems: [SpecError] = []
        if gadget.spec.size < 0 { problems.append(SpecError(field: "spec.size", message: "must be 0 or more, not \(gadget.spec.size)")) }
        if gadget.spec.message?.isEmpty == true { problems.append(SpecError(field: "spec.message", message: "must not be empty")) }
        return problems
    }

    func reconcile(_ gadget: Gadget, _ pass: inout Reconciliation<GadgetStatus>) async throws -> ReconcileResult {
        let text = Array(repeating: gadget.spec.message ?? "hello", count: gadget.spec.size).joined(separator: "\n")
        let childKey = ObjectKey(namespace: pass.key.namespace, name: pass.name + "-data")
        var desired: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(childKey.name), "namespace": .string(pass.namespace)],
            "data": ["copies": .string(text)],
        ]
        try OwnerReferences.setController(pass.object, of: &desired)
        let cached = kit.cache.get(Self.configMaps, childKey)
        if let cached, pass.children.isBehind(Self.configMaps, cached) { return .requeue(after: .milliseconds(20)) }
        try await pass.children.createOrUpdate(Self.configMaps, desired: desired, cached: cached) { $0["data"] = desired["data"] }

        // Slow work runs as a background job; its completion wakes this gadget again.
        let jobID = "gadget/\(pass.key)/\(gadget.metadata.generation ?? 0)"
        guard let checksum = kit.jobs.result(of: jobID, as: String.self, start: { Self.checksum(text) }, then: pass.wake) else {
            pass.status.phase = "Computing"
            pass.conditions.reconciling(reason: "ChecksumPending", message: "computing the checksum of \(gadget.spec.size) copies")
            return .done
        }
        if pass.status.size != gadget.spec.size {
            pass.record(.normal, reason: "Resized", message: "now \(gadget.spec.size) copies")
        }
        pass.status.size = gadget.spec.size
        pass.status.checksum = checksum
        pass.status.phase = "Ready"
        pass.conditions.ready(reason: "Reconciled", message: "\(gadget.spec.size) copies, checksum \(checksum)")
        return .done
    }

    func forget(_ key: ObjectKey) { kit.jobs.forget(prefix: "gadget/\(key)/") }

    static func checksum(_ text: String) -> String {
        String(text.utf8.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 }, radix: 16)
    }

    static func gadget(_ name: String, size: Int, message: String? = nil) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "example.dev/v1", "kind": "Gadget",
            "metadata": ["name": .string(name), "namespace": "default"], "spec": ["size": .int(Int64(size))],
        ]
        if let message { object["spec"]["message"] = .string(message) }
        return object
    }
}
