import Foundation
import KubeClient
import Logging

/// Runs an ``ObjectReconciler`` as a plain ``Reconciler``: the steps every controller
/// shares, once (see ``ObjectReconciler`` for the order).
public struct TypedReconciler<Wrapped: ObjectReconciler>: Reconciler {
    public let wrapped: Wrapped
    public let context: ControllerContext
    private let decoded = DecodedObjects<Wrapped.Object, Wrapped.Status>()
    /// How long to wait for the watch to deliver the controller's own last write.
    static var behindDelay: Duration { .milliseconds(50) }

    public init(_ wrapped: Wrapped, context: ControllerContext) {
        self.wrapped = wrapped
        self.context = context
    }

    public func reconcile(_ key: ReconcileRequest) async throws -> ReconcileResult {
        let primary = context.primary
        guard let raw = context.cache.get(primary, key) else {
            decoded.forget(key)
            context.writes.forget(owner: key)
            wrapped.forget(key)
            return .done
        }
        if !raw["metadata"]["deletionTimestamp"].isNull {
            return try await finalizeIfNeeded(raw, key: key)
        }
        // Acting on a cached object that has not yet seen our own last write would undo it.
        if context.writes.isBehind(primary.resource, raw) { return .requeue(after: Self.behindDelay) }

        let (object, status): (Wrapped.Object, Wrapped.Status)
        do {
            (object, status) = try read(raw, key: key)
        } catch {
            return try await reportInvalid([error], raw: raw, key: key)
        }
        let problems = wrapped.validate(object)
        if !problems.isEmpty { return try await reportInvalid(problems, raw: raw, key: key) }

        if let finalizer = wrapped.finalizer, !(raw["metadata"]["finalizers"].arrayValue ?? []).contains(.string(finalizer)) {
            let finalizers = Finalizers(api: context.api, resource: primary.resource, finalizer: finalizer)
            if case .added(let written) = try await finalizers.reconcile(raw, cleanup: { _ in }) {
                context.writes.record(primary.resource, written, owner: key)
            }
            return .done  // the patch wakes the controller again
        }

        var pass = Reconciliation(key: key, object: raw, now: context.clock.wallTime, context: context, status: status)
        let result = try await wrapped.reconcile(object, &pass)
        try await write(pass, initial: status)
        return result
    }

    // MARK: steps

    private func read(_ raw: JSONValue, key: ObjectKey) throws(SpecError) -> (Wrapped.Object, Wrapped.Status) {
        switch decoded.lookup(key, raw: raw) {
        case .exact(let object, let status)?:
            return (object, status)
        case .sameSpec(let object)?:
            let status = Self.readStatus(raw)
            decoded.store(key, raw: raw, object: object, status: status)
            return (object, status)
        case nil:
            var specPart = raw
            specPart.removeValue(forKey: "status")
            let object = try wrapped.decode(specPart)
            let status = Self.readStatus(raw)
            decoded.store(key, raw: raw, object: object, status: status)
            return (object, status)
        }
    }

    /// The typed status; one this version cannot read starts afresh (the spec decides).
    static func readStatus(_ raw: JSONValue) -> Wrapped.Status {
        guard !raw["status"].isNull else { return Wrapped.Status() }
        return (try? raw["status"].decode(Wrapped.Status.self)) ?? Wrapped.Status()
    }

    private func finalizeIfNeeded(_ raw: JSONValue, key: ObjectKey) async throws -> ReconcileResult {
        guard let finalizer = wrapped.finalizer else { return .done }
        let finalizers = Finalizers(api: context.api, resource: context.primary.resource, finalizer: finalizer)
        let wrapped = self.wrapped
        _ = try await finalizers.reconcile(raw) { object in try await wrapped.finalize(object, key: key) }
        return .done
    }

    /// Reports a spec the controller cannot act on: `Ready=False`, `Stalled=True`, reason
    /// `InvalidSpec`, every problem with its field; a Warning Event when that is news.
    private func reportInvalid(_ problems: [SpecError], raw: JSONValue, key: ObjectKey) async throws -> ReconcileResult {
        let message = problems.map(\.description).joined(separator: "; ")
        var pass = Reconciliation(key: key, object: raw, now: context.clock.wallTime, context: context,
                                  status: Self.readStatus(raw))
        pass.conditions.stalled(reason: "InvalidSpec", message: message)
        pass.record(.warning, reason: "InvalidSpec", message: message)
        try await write(pass, initial: pass.status, onlyEventsOnChange: true)
        return .done
    }

    /// Writes the pass's status when it changed, then emits its Events.
    private func write(_ pass: Reconciliation<Wrapped.Status>, initial: Wrapped.Status, onlyEventsOnChange: Bool = false) async throws {
        // The members the pass changed, each replaced whole; members the view does not
        // declare, and those the pass left alone, stay as the server has them.
        var members: [(String, JSONValue)] = []
        if pass.status != initial {
            let old = try Self.encode(initial).objectValue ?? [:], new = try Self.encode(pass.status).objectValue ?? [:]
            for key in Set(old.keys).union(new.keys) where old[key] != new[key] {
                members.append((key, new[key] ?? .null))
            }
        }
        let changed = members
        let conditions = pass.conditions
        let now = pass.now
        let outcome = try await context.statusWriter.updateStatus(of: pass.key, current: pass.object) { status, object in
            for (key, value) in changed {
                if value.isNull { status.removeValue(forKey: key) } else { status[key] = value }
            }
            conditions.apply(to: &status, observedGeneration: object.generation, now: now)
            status.setObservedGeneration(object.generation)
        }
        if outcome.didWrite {
            context.writes.record(context.primary.resource, outcome.object, owner: pass.key)
        }
        guard outcome.didWrite || !onlyEventsOnChange else { return }
        for event in pass.events {
            context.events.record(outcome.object, type: event.type, reason: event.reason, message: event.message)
        }
    }

    /// The typed status as JSON, without the members the kit writes itself.
    static func encode(_ status: Wrapped.Status) throws -> JSONValue {
        var json = try JSONValue(encoding: status)
        json.removeValue(forKey: "conditions")
        json.removeValue(forKey: "observedGeneration")
        return json
    }
}
