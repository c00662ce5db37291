import KubeClient
import NIOConcurrencyHelpers
import OperatorKit

/// A small but real reconciler for tests: each Widget gets a ConfigMap it owns, and a status
/// with `observedGeneration`, `replicas` and `Ready=True`. A negative size is a terminal
/// error, a size of 13 a retryable one.
struct WidgetReconciler: Reconciler {
    let manager: Manager
    let tally: ReconcileTally
    /// Reconciles of these names wait for the gate to open.
    let gate: Gate?

    init(manager: Manager, tally: ReconcileTally = ReconcileTally(), gate: Gate? = nil) {
        self.manager = manager
        self.tally = tally
        self.gate = gate
    }

    func reconcile(_ request: ReconcileRequest) async throws -> ReconcileResult {
        tally.begin(request)
        defer { tally.end(request) }
        if let gate, gate.holds(request.name) { try await gate.wait() }
        guard let widget = manager.cache.get(Fixtures.widgets, request) else { return .done }
        let size = widget["spec"]["size"].intValue ?? 0
        if size < 0 {
            throw ReconcileError.terminal(reason: "InvalidSize", message: "spec.size is \(size); it must be 0 or more")
        }
        if size == 13 {
            throw ReconcileError(reason: "UnluckySize", message: "spec.size 13 is not supported yet; try again")
        }
        let childKey = ObjectKey(namespace: request.namespace, name: request.name + "-config")
        if manager.cache.get(Fixtures.configMaps, childKey) == nil {
            let child = Fixtures.configMap(childKey.name, namespace: request.namespace ?? "default", ownedBy: widget)
            do {
                _ = try await manager.api.create(Fixtures.configMaps.resource, child, namespace: request.namespace)
            } catch let error as KubeError where error.isAlreadyExists {}
        }
        try await manager.statusWriter(for: Fixtures.widgets).updateStatus(of: request, current: widget) { status, object in
            status.setObservedGeneration(object.generation)
            status["replicas"] = .int(Int64(size))
            status.setCondition("Ready", .true, reason: "Reconciled", message: "\(size) replicas", observedGeneration: object.generation)
        }
        return .done
    }
}

/// Counts reconciles per key and the most that ran at once.
final class ReconcileTally: Sendable {
    private struct State {
        var counts: [ObjectKey: Int] = [:]
        var running = 0
        var cancelled = 0
    }

    private let state = NIOLockedValueBox(State())

    func begin(_ key: ObjectKey) {
        state.withLockedValue { $0.counts[key, default: 0] += 1; $0.running += 1 }
    }

    func end(_ key: ObjectKey) {
        state.withLockedValue { $0.running -= 1 }
    }

    func noteCancelled() { state.withLockedValue { $0.cancelled += 1 } }

    func count(_ name: String, namespace: String = "default") -> Int {
        state.withLockedValue { $0.counts[ObjectKey(namespace: namespace, name: name), default: 0] }
    }

    var total: Int { state.withLockedValue { $0.counts.values.reduce(0, +) } }
    var running: Int { state.withLockedValue { $0.running } }
    var cancelled: Int { state.withLockedValue { $0.cancelled } }
}

/// Holds reconciles of chosen names until opened.
final class Gate: Sendable {
    private let names: Set<String>
    private let opened = NIOLockedValueBox(false)
    private let tally: ReconcileTally

    init(holding names: Set<String>, tally: ReconcileTally) {
        self.names = names
        self.tally = tally
    }

    func holds(_ name: String) -> Bool { names.contains(name) }

    func open() { opened.withLockedValue { $0 = true } }

    /// Polls until opened; rethrows cancellation (and counts it).
    func wait() async throws {
        while !opened.withLockedValue({ $0 }) {
            do { try await Task.sleep(for: .milliseconds(2)) } catch {
                tally.noteCancelled()
                throw error
            }
        }
    }
}
