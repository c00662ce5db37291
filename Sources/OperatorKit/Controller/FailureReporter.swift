import KubeClient
import Logging

/// Makes a failed reconcile visible on the object itself: a Warning Event and a
/// `Ready=False` condition with the failure's reason and message. Both are best effort and
/// both are skipped when nothing changed (the event aggregates, the status writer compares).
struct FailureReporter: Sendable {
    let cache: ObjectCache
    let statusWriter: StatusWriter
    let recorder: EventRecorder
    let conditionType: String
    let clock: any OperatorClock
    let logger: Logger

    func report(_ failure: ReconcileError, for key: ObjectKey) async {
        guard let object = cache.get(key) else { return }
        recorder.warning(object, reason: failure.reason, message: failure.message)
        let conditionType = self.conditionType
        let now = clock.wallTime
        do {
            try await statusWriter.updateStatus(of: key, current: object) { status, object in
                var changes = ConditionChanges()
                if conditionType == ConditionType.ready {
                    // kstatus: a failure retrying cannot fix stalls; one that is retried is
                    // still being reconciled.
                    if failure.isTerminal {
                        changes.stalled(reason: failure.reason, message: failure.message)
                    } else {
                        changes.reconciling(reason: failure.reason, message: failure.message)
                    }
                } else {
                    changes.set(conditionType, .false, reason: failure.reason, message: failure.message)
                }
                changes.apply(to: &status, observedGeneration: object.generation, now: now)
            }
        } catch let error as KubeError where error.isNotFound {
            return
        } catch {
            logger.warning(
                "could not record the failure on the object's status",
                metadata: ["key": "\(key)", "error": "\(error)"])
        }
    }
}
