import KubeClient
import Logging
import NIOConcurrencyHelpers

/// Keeps an ``ObjectCache`` equal to the server's objects of one resource in one namespace (or
/// all): list, then watch from the list's resourceVersion, for as long as it runs
/// (client-go's `Reflector`, kube-rs's `watcher`).
///
/// - A watch that closes or fails resumes from the last resourceVersion seen (events and
///   bookmarks both advance it), so no event is lost and none is replayed.
/// - A `410 Gone` (the resourceVersion was compacted) triggers a relist whose differences
///   are delivered as events — deletes that happened during the gap included.
/// - Failures wait a jittered exponential backoff (800 ms doubling to 30 s, reset after two
///   quiet minutes) before the next attempt.
final class Reflector: Sendable {
    struct Configuration: Sendable {
        var resource: GroupVersionResource
        var namespace: String?
        var labelSelector: String?
        var fieldSelector: String?
        var pageSize = 500
        /// Watches ask the server to close after a random time in this range, so that
        /// reconnects of many clients spread out.
        var watchTimeoutSeconds: ClosedRange<Int> = 300...600
        /// A watch that ends sooner than this without any event counts as a failure.
        var minimumWatchDuration: Duration = .seconds(1)
        var backoff: Backoff = .watchRestart
        /// Objects are cached without `metadata.managedFields` (client-go's
        /// `TransformStripManagedFields`): controllers never read field ownership, and it is
        /// the largest part of most objects. An update built from a cached object leaves the
        /// server's managedFields as they are, since it carries none.
        var omitManagedFields = true
    }

    /// Where the reflector delivers what it learns; the informer applies it to the cache and
    /// tells its handlers.
    protocol Sink: Sendable {
        /// A listed page as the cache will store it, taken page by page so that a long list
        /// is never held as parsed trees.
        func stage(_ items: [JSONValue]) -> [StagedObject]
        func replace(with items: [StagedObject], inNamespace namespace: String?)
        func apply(_ event: WatchEvent)
    }

    private struct Progress {
        var resourceVersion: String?
        var hasSynced = false
        var syncWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let configuration: Configuration
    private let api: any KubernetesAPI
    private let sink: any Sink
    private let clock: any OperatorClock
    private let metrics: InformerMetrics
    private let logger: Logger
    private let progress = NIOLockedValueBox(Progress())

    init(
        configuration: Configuration, api: any KubernetesAPI, sink: any Sink, clock: any OperatorClock,
        metrics: InformerMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.api = api
        self.sink = sink
        self.clock = clock
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "resource"] = "\(configuration.resource)"
        if let namespace = configuration.namespace { logger[metadataKey: "namespace"] = "\(namespace)" }
        self.logger = logger
    }

    /// Whether the first list has been applied to the cache.
    var hasSynced: Bool { progress.withLockedValue { $0.hasSynced } }

    /// The resourceVersion the next watch resumes from (nil: the next step is a list).
    var resourceVersion: String? { progress.withLockedValue { $0.resourceVersion } }

    /// Returns once the first list has been applied (or the task is cancelled).
    func waitUntilSynced() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let synced = progress.withLockedValue { progress in
                    if progress.hasSynced { return true }
                    progress.syncWaiters.append(continuation)
                    return false
                }
                if synced { continuation.resume() }
            }
        } onCancel: {
            let waiters = progress.withLockedValue { progress in
                defer { progress.syncWaiters.removeAll() }
                return progress.syncWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Lists and watches until the task is cancelled.
    func run() async {
        var backoff = configuration.backoff
        var listed = false
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    if listed { metrics.relists.increment() }
                    try await list()
                    listed = true
                }
                let outcome = try await watchOnce()
                switch outcome {
                case .closedAfterProgress:
                    backoff.reset()
                    metrics.watchRestarts.increment()
                    logger.debug("watch closed by the server; resuming", metadata: ["resourceVersion": "\(resourceVersion ?? "")"])
                    continue
                case .expired(let status):
                    logger.info(
                        "watch resourceVersion expired; listing again",
                        metadata: ["reason": "\(status.message ?? "410 Gone")"])
                    metrics.watchRestarts.increment()
                    continue
                case .closedTooSoon:
                    metrics.watchRestarts.increment()
                    try await pause(&backoff, reason: "the watch closed at once without any event")
                }
            } catch is CancellationError {
                return
            } catch let error as KubeError where error.isCancelled {
                if Task.isCancelled { return }
                metrics.watchRestarts.increment()
                try? await pause(&backoff, reason: "\(error)")
            } catch let error as KubeError where error.isGone {
                // The list's continue token or the watch's resourceVersion expired.
                setResourceVersion(nil)
                metrics.watchRestarts.increment()
                logger.info("resourceVersion expired; listing again", metadata: ["error": "\(error)"])
            } catch {
                if Task.isCancelled { return }
                metrics.watchRestarts.increment()
                do { try await pause(&backoff, reason: "\(error)") } catch { return }
            }
        }
    }

    // MARK: steps

    private enum WatchOutcome {
        case closedAfterProgress
        case closedTooSoon
        case expired(Status)
    }

    private func list() async throws {
        var options = ListOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            limit: configuration.pageSize, omitManagedFields: configuration.omitManagedFields)
        var items: [StagedObject] = []
        var listResourceVersion = ""
        repeat {
            let page = try await api.list(configuration.resource, namespace: configuration.namespace, options: options)
            if options.continueToken == nil { listResourceVersion = page.resourceVersion }
            items.append(contentsOf: sink.stage(page.items))
            options.continueToken = page.continueToken
        } while options.continueToken != nil
        try Task.checkCancellation()
        sink.replace(with: items, inNamespace: configuration.namespace)
        let waiters = progress.withLockedValue { progress in
            progress.resourceVersion = listResourceVersion
            progress.hasSynced = true
            defer { progress.syncWaiters.removeAll() }
            return progress.syncWaiters
        }
        for waiter in waiters { waiter.resume() }
        logger.debug("listed", metadata: ["count": .stringConvertible(items.count), "resourceVersion": "\(listResourceVersion)"])
    }

    private func watchOnce() async throws -> WatchOutcome {
        let options = WatchOptions(
            resourceVersion: resourceVersion, labelSelector: configuration.labelSelector,
            fieldSelector: configuration.fieldSelector,
            timeoutSeconds: Int.random(in: configuration.watchTimeoutSeconds), allowBookmarks: true,
            omitManagedFields: configuration.omitManagedFields)
        let started = clock.now
        var sawEvent = false
        let events = try await api.watchEvents(configuration.resource, namespace: configuration.namespace, options: options)
        for try await event in events {
            switch event {
            case .added, .modified, .deleted, .bookmark:
                sawEvent = true
                metrics.watchEvents.increment()
                if case .bookmark = event {} else { sink.apply(event) }
                if let version = event.resourceVersion, !version.isEmpty { setResourceVersion(version) }
            case .expired(let status):
                setResourceVersion(nil)
                return .expired(status)
            case .error(let status):
                let error = KubeError.status(status, httpCode: status.code ?? 500)
                if error.isGone {
                    setResourceVersion(nil)
                    return .expired(status)
                }
                throw error
            }
        }
        try Task.checkCancellation()
        if !sawEvent, clock.elapsed(since: started) < configuration.minimumWatchDuration { return .closedTooSoon }
        return .closedAfterProgress
    }

    private func pause(_ backoff: inout Backoff, reason: String) async throws {
        let delay = backoff.nextDelay(now: clock.now)
        logger.warning(
            "list/watch failed; retrying",
            metadata: ["error": "\(reason)", "retryIn": .stringConvertible(delay), "attempt": .stringConvertible(backoff.consecutiveFailures)])
        try await clock.sleep(for: delay)
    }

    private func setResourceVersion(_ version: String?) {
        progress.withLockedValue { $0.resourceVersion = version }
    }
}
