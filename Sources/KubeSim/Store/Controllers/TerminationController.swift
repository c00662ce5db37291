import KubeClient

/// Drives one kind of "delete the contents, then release the container" cleanup: a
/// terminating namespace (its objects, then the `kubernetes` finalizer) or a terminating
/// CRD (its custom resources, then the cleanup finalizer). Contents that wait on their own
/// finalizers are re-checked with a short backoff until they are gone.
final class TerminationController: Sendable {
    struct Cleanup: Sendable {
        /// The resource whose terminating objects this controller cleans up.
        var container: GroupResource
        /// Deletes what is left; returns how many objects remain.
        var deleteContents: @Sendable (_ registry: Registry, _ container: StoredObject) -> Int
        /// Releases the container once it is empty.
        var release: @Sendable (_ registry: Registry, _ container: StoredObject) -> Void
    }

    private let registry: Registry
    private let cleanup: Cleanup
    private let active = InFlight()

    init(registry: Registry, cleanup: Cleanup) {
        self.registry = registry
        self.cleanup = cleanup
    }

    func run() async {
        guard let watch = try? registry.store.watch(cleanup.container, from: .currentState, encodedLines: false) else { return }
        await withTaskGroup(of: Void.self) { group in
            for await item in watch.events {
                guard case .change(let type, let object, _) = item, type != .deleted, object.isTerminating else { continue }
                let key = object.key
                guard await active.begin(key) else { continue }
                group.addTask { [self] in
                    await drain(key)
                    await active.end(key)
                }
            }
            group.cancelAll()
        }
    }

    private func drain(_ key: StoreKey) async {
        var delay: Duration = .milliseconds(20)
        while !Task.isCancelled {
            guard let container = registry.store.get(cleanup.container, key), container.isTerminating else { return }
            if cleanup.deleteContents(registry, container) == 0 {
                cleanup.release(registry, container)
                return
            }
            do { try await Task.sleep(for: delay) } catch { return }
            delay = min(delay * 2, .seconds(1))
        }
    }

    static func namespaces(catalog: ResourceCatalog) -> Cleanup {
        Cleanup(
            container: Registry.namespaces,
            deleteContents: { registry, namespace in
                var remaining = 0
                for type in registry.catalog.allTypes where type.namespaced && !type.isVirtual && type.storedAs == nil {
                    _ = try? registry.deleteCollection(type, namespace: namespace.key.name, listOptions: StoreListOptions(),
                                                       options: StoreDeleteOptions(propagationPolicy: .background))
                    remaining += registry.store.count(type.groupResource, namespace: namespace.key.name)
                }
                return remaining
            },
            release: { registry, namespace in
                guard let type = registry.catalog.type(Registry.namespaces) else { return }
                _ = try? registry.guaranteedUpdate(type, namespace: "", name: namespace.key.name, subresource: nil,
                                                   options: WriteOptions(fieldManager: "namespace-controller"),
                                                   precondition: nil) { current throws(APIError) in
                    var updated = current ?? namespace.object
                    let finalizers = (updated["spec"]["finalizers"].arrayValue ?? []).filter { $0.stringValue != "kubernetes" }
                    updated[path: ["spec", "finalizers"]] = finalizers.isEmpty ? .null : .array(finalizers)
                    return updated
                }
            })
    }

    static func customResourceDefinitions() -> Cleanup {
        Cleanup(
            container: CustomResourceDefinitions.resource,
            deleteContents: { registry, crd in
                guard let defined = CustomResourceDefinitions.resourceType(crd.object),
                      let type = registry.catalog.type(defined.groupResource), type.isCustom else { return 0 }
                _ = try? registry.deleteCollection(type, namespace: nil, listOptions: StoreListOptions(),
                                                   options: StoreDeleteOptions(propagationPolicy: .background))
                return registry.store.count(type.groupResource)
            },
            release: { registry, crd in
                guard let type = registry.catalog.type(CustomResourceDefinitions.resource) else { return }
                _ = try? registry.guaranteedUpdate(type, namespace: "", name: crd.key.name, subresource: nil,
                                                   options: WriteOptions(fieldManager: "apiextensions-apiserver"),
                                                   precondition: nil) { current throws(APIError) in
                    var updated = current ?? crd.object
                    ObjectMetadata.setFinalizers(ObjectMetadata.finalizers(updated)
                        .filter { $0 != CustomResourceDefinitions.cleanupFinalizer }, on: &updated)
                    return updated
                }
            })
    }
}

/// Keys being worked on, so one container is cleaned by one task at a time.
actor InFlight {
    private var keys: Set<StoreKey> = []

    func begin(_ key: StoreKey) -> Bool { keys.insert(key).inserted }
    func end(_ key: StoreKey) { keys.remove(key) }
}

/// Gives every new namespace its `default` ServiceAccount, as the serviceaccounts controller does.
final class ServiceAccountController: Sendable {
    private let registry: Registry
    static let serviceAccounts = GroupResource(group: "", resource: "serviceaccounts")

    init(registry: Registry) { self.registry = registry }

    func run() async {
        guard let watch = try? registry.store.watch(Registry.namespaces, from: .currentState, encodedLines: false),
              let type = registry.catalog.type(Self.serviceAccounts) else { return }
        for await item in watch.events {
            guard case .change(let eventType, let namespace, _) = item, eventType != .deleted,
                  !namespace.isTerminating else { continue }
            let key = StoreKey(namespace: namespace.key.name, name: "default")
            if registry.store.get(Self.serviceAccounts, key) != nil { continue }
            _ = try? registry.create(type, namespace: namespace.key.name,
                                     object: ["apiVersion": "v1", "kind": "ServiceAccount",
                                              "metadata": ["name": "default"]])
        }
    }
}
