import Logging

/// What a reconcile asks for next.
enum ReconcileResult: Sendable, Equatable {
    /// Nothing until something changes.
    case done
    /// Look again after this long even if nothing changes (a timer: a container becoming
    /// ready, a deadline passing).
    case after(Duration)
}

/// A level-based controller of the simulated cluster: a plain function of a key that reads
/// the current state and writes what it should be.
protocol Reconciler: Sendable {
    associatedtype Key: Hashable & Sendable
    /// The name used in logs (`deployment-controller`).
    var name: String { get }
    func reconcile(_ key: Key) throws -> ReconcileResult
}

/// Runs a reconciler over a work queue: one key at a time, retrying failures with
/// back-off, conflicts at once (the next read sees the newer object).
final class ControllerLoop<R: Reconciler>: Sendable {
    let reconciler: R
    let queue: SimWorkQueue<R.Key>
    private let logger: Logger

    init(_ reconciler: R, queue: SimWorkQueue<R.Key>, logger: Logger) {
        self.reconciler = reconciler
        self.queue = queue
        var logger = logger
        logger[metadataKey: "controller"] = .string(reconciler.name)
        self.logger = logger
    }

    func enqueue(_ key: R.Key) { queue.add(key) }

    func enqueue(_ key: R.Key, after delay: Duration) { queue.add(key, after: delay) }

    /// Processes keys until `stop()`.
    func run() async {
        while let key = await queue.next() {
            do {
                switch try reconciler.reconcile(key) {
                case .done:
                    queue.forget(key)
                case .after(let delay):
                    queue.forget(key)
                    queue.add(key, after: delay)
                }
            } catch let error as APIError where error.code == 409 || error.code == 404 {
                // Someone wrote first (or the object went away): read again.
                queue.add(key, after: queue.failed(key, cap: .seconds(1)))
            } catch {
                let delay = queue.failed(key)
                logger.debug("reconcile failed; retrying", metadata: [
                    "key": "\(key)", "error": "\(error)", "retryIn": "\(delay)",
                ])
                queue.add(key, after: delay)
            }
            queue.done(key)
            await Task.yield()
        }
    }

    func stop() { queue.shutDown() }
}
