import Logging

/// Something the simulated controllers run on: it is told about every committed change of
/// the resource types it follows, in resourceVersion order per type.
///
/// Calls for one resource type come from one task, one at a time; calls for different
/// types may run concurrently. They must be quick (update an index, queue a key) and must
/// not write to the store.
protocol FeedObserver: Sendable {
    /// The resource types to be told about.
    var followedResources: [GroupResource] { get }
    /// One committed change (for a deletion, `object` is the object's last state).
    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject)
    /// The feed started or lost track of changes and listed again: `objects` is the whole
    /// current state of `resource`; anything the observer knew that is not in it is gone.
    func resync(_ resource: GroupResource, _ objects: [StoredObject])
}

/// The in-process informers of the simulated controllers: one watch per followed resource
/// type, fanned out to the observers of that type. Like a client-go reflector, each resumes
/// from the last resourceVersion it saw when its watch ends (for instance after falling too
/// far behind) and lists everything again when that version has been compacted.
final class StoreFeed: Sendable {
    private let store: ObjectStore
    private let observers: [GroupResource: [any FeedObserver]]
    private let logger: Logger

    init(store: ObjectStore, observers: [any FeedObserver], logger: Logger) {
        self.store = store
        var byResource: [GroupResource: [any FeedObserver]] = [:]
        for observer in observers {
            for resource in observer.followedResources { byResource[resource, default: []].append(observer) }
        }
        self.observers = byResource
        self.logger = logger
    }

    var resources: [GroupResource] { observers.keys.sorted() }

    /// Follows every resource type until the task is cancelled or the store closes.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            for (resource, list) in observers {
                group.addTask { await self.follow(resource, list) }
            }
        }
    }

    private func follow(_ resource: GroupResource, _ list: [any FeedObserver]) async {
        var last: UInt64?
        while !Task.isCancelled {
            let watch: StoreWatch
            do {
                if let last {
                    watch = try store.watch(resource, from: .after(last))
                } else {
                    // Watch from a known revision first, then list: nothing falls in between.
                    let revision = store.revision
                    watch = try store.watch(resource, from: .after(revision))
                    last = revision
                    let objects = try store.list(resource).items
                    for observer in list { observer.resync(resource, objects) }
                }
            } catch where error.code == 410 {
                logger.info("simulated controllers lost their place in the history of \(resource); listing again")
                last = nil
                continue
            } catch {
                // The store is closed (503) or refuses the watch: nothing more to follow.
                logger.debug("simulated controllers stop following \(resource): \(error)")
                return
            }
            await withTaskCancellationHandler {
                for await item in watch.events {
                    switch item {
                    case .change(let type, let object, _):
                        last = object.resourceVersion
                        for observer in list { observer.observe(type, resource, object) }
                    case .bookmark:
                        break
                    case .failure(let error):
                        if error.code == 410 { last = nil }
                    }
                }
            } onCancel: {
                watch.stop()
            }
        }
    }
}
