import KubeClient
import NIOConcurrencyHelpers

/// Enqueues keys of one controller from work that runs outside its reconciles — a finished
/// background job, a notification sent, a webhook received (controller-runtime's channel
/// source, kube-rs's `reconcile_on`).
///
/// It exists before its controller does, so a reconciler can be built with it; the manager
/// binds it when the controller is registered. Keys enqueued before that, or while this
/// replica does not lead, are dropped: a new term reconciles every object anyway.
public final class ReconcileTrigger: Sendable {
    private let controller = NIOLockedValueBox<Controller?>(nil)

    public init() {}

    func bind(_ controller: Controller) { self.controller.withLockedValue { $0 = controller } }

    /// Reconciles `key` soon (or after `delay`).
    public func enqueue(_ key: ObjectKey, after delay: Duration? = nil) {
        controller.withLockedValue { $0 }?.enqueue(key, after: delay)
    }

    /// A closure that enqueues `key`, for callbacks.
    public func callback(for key: ObjectKey) -> @Sendable () -> Void {
        { [self] in enqueue(key) }
    }
}
