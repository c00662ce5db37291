import KubeClient
@testable import OperatorKit
import Testing

/// How events on other resources become keys to reconcile.
struct WatchTests {
    static let services = ResourceDescriptor(resource: GroupVersionResource(group: "", version: "v1", resource: "services"), kind: "Service")

    @Test func aReferencedObjectWakesEveryPrimaryThatNamesItOwnedOrNot() {
        let primaries = ObjectCache()
        let routes = Indexer(name: "routes") { object in
            (object["spec"]["routes"].arrayValue ?? []).compactMap(\.stringValue)
                .map { ObjectKey(namespace: object["metadata"]["namespace"].stringValue, name: $0).description }
        }
        let watch = Watch.referenced(Self.services, by: routes, in: primaries)
        for (name, namespace, services) in [("a", "shop", ["web"]), ("b", "shop", ["web", "api"]), ("c", "other", ["web"])] {
            let object: JSONValue = ["metadata": ["name": .string(name), "namespace": .string(namespace)],
                                     "spec": ["routes": .array(services.map { .string($0) })]]
            _ = primaries.upsert(object, key: ObjectKey(of: object)!)
        }
        let web: JSONValue = ["metadata": ["name": "web", "namespace": "shop"]]
        #expect(watch.keys(for: .added(web)) == [ObjectKey(namespace: "shop", name: "a"), ObjectKey(namespace: "shop", name: "b")])
        #expect(watch.keys(for: .added(["metadata": ["name": "api", "namespace": "shop"]])) == [ObjectKey(namespace: "shop", name: "b")])
        #expect(watch.keys(for: .added(["metadata": ["name": "db", "namespace": "shop"]])).isEmpty)
    }
}
