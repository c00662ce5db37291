import KubeClient
import OperatorKit
import Testing

/// A controller's expectations of its own writes: a cached object older than the last write
/// must not be acted on (a Deployment scaled down a moment ago would still look ready).
@Suite struct WriteExpectationsTests {
    func object(_ name: String, rv: Int, namespace: String = "shop") -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(String(rv))]]
    }

    @Test func aCachedChildIsBehindUntilTheWatchDeliversTheWrite() {
        let writes = WriteExpectations()
        let owner = ObjectKey(namespace: "shop", name: "cart")
        writes.record(GroupVersionResource.deployments, object("cart-green", rv: 42), owner: owner)
        #expect(writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 41)))
        // Another kind or another namespace with the same name is a different object.
        #expect(!writes.isBehind(GroupVersionResource.services, object("cart-green", rv: 41)))
        #expect(!writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 41, namespace: "other")))
        #expect(!writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 43)))
        // Once seen, the expectation is met for good.
        #expect(!writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 41)))
    }

    @Test func forgettingARolloutDropsWhatWasNotedForItsChildren() {
        let writes = WriteExpectations()
        writes.record(GroupVersionResource.deployments, object("cart-green", rv: 42), owner: ObjectKey(namespace: "shop", name: "cart"))
        writes.record(GroupVersionResource.deployments, object("pay-green", rv: 43), owner: ObjectKey(namespace: "shop", name: "pay"))
        writes.forget(owner: ObjectKey(namespace: "shop", name: "cart"))
        #expect(!writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 1)))
        #expect(writes.isBehind(GroupVersionResource.deployments, object("pay-green", rv: 1)))
    }

    @Test func anExpectationLapsesSoAWriteWhoseEventNeverComesCannotStallTheController() {
        let clock = ManualClock()
        let writes = WriteExpectations(clock: clock, lapse: .seconds(5))
        writes.record(GroupVersionResource.deployments, object("cart-green", rv: 42), owner: ObjectKey(namespace: "shop", name: "cart"))
        clock.advance(by: .seconds(4))
        #expect(writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 41)))
        clock.advance(by: .seconds(2))
        #expect(!writes.isBehind(GroupVersionResource.deployments, object("cart-green", rv: 41)))
        #expect(writes.count == 0)
    }
}
