import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// The endpoints and endpointslice controllers: for every Service with a selector, an
/// Endpoints object of the same name (ready pods in `addresses`, the others in
/// `notReadyAddresses`) and EndpointSlices (`kubernetes.io/service-name`, at most 100
/// endpoints each, conditions ready/serving/terminating), following pod readiness.
final class EndpointsController: Reconciler, FeedObserver {
    let name = "endpoint-controller"
    static let managedBy = "endpointslice-controller.k8s.io"
    static let maxEndpointsPerSlice = 100
    private let client: ClusterClient
    private let pool: NodePool
    private let queue: SimWorkQueue<StoreKey>
    private struct Indexes: Sendable {
        var pods = LabelIndex()
        var services = SelectorIndex()
    }
    private let indexes = NIOLockedValueBox(Indexes())

    init(client: ClusterClient, pool: NodePool, queue: SimWorkQueue<StoreKey>) {
        self.client = client
        self.pool = pool
        self.queue = queue
    }

    // MARK: Feed

    var followedResources: [GroupResource] { [WorkloadResource.services, WorkloadResource.pods] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        if resource == WorkloadResource.services {
            let selector = SimFields.strings(object.object["spec"]["selector"])
            indexes.withLockedValue { i in
                if type == .deleted { i.services.remove(object.key) } else { i.services.set(object.key, selector: selector) }
            }
            queue.add(object.key)
            return
        }
        let affected = indexes.withLockedValue { i -> Set<StoreKey> in
            let old = type == .deleted ? i.pods.remove(object.key) : i.pods.set(object.key, labels: object.labels)
            var services = i.services.selecting(namespace: object.key.namespace, labels: object.labels)
            if let old, old != object.labels {
                services.formUnion(i.services.selecting(namespace: object.key.namespace, labels: old))
            }
            return services
        }
        for service in affected { queue.add(service) }
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == WorkloadResource.services {
            indexes.withLockedValue { i in
                i.services.removeAll()
                for object in objects {
                    i.services.set(object.key, selector: SimFields.strings(object.object["spec"]["selector"]))
                }
            }
            for object in objects { queue.add(object.key) }
        } else {
            indexes.withLockedValue { i in
                i.pods.removeAll()
                for object in objects { i.pods.set(object.key, labels: object.labels) }
            }
        }
    }

    // MARK: Reconcile

    func reconcile(_ key: StoreKey) throws -> ReconcileResult {
        guard let service = client.object(WorkloadResource.services, key) else {
            // The Service is gone: so are its Endpoints (its slices go with it by ownerReference).
            if let endpoints = client.object(WorkloadResource.endpoints, key), isManaged(endpoints) {
                try client.delete(WorkloadResource.endpoints, key)
            }
            return .done
        }
        let selector = SimFields.strings(service["spec"]["selector"])
        guard !selector.isEmpty, !service.sim.isDeleting else { return .done }  // endpoints managed by hand
        let podKeys = indexes.withLockedValue { $0.pods.matching(namespace: key.namespace, selector: selector) }
        let pods = podKeys.compactMap { client.object(WorkloadResource.pods, $0) }
        let set = EndpointSet(service: service, pods: pods)
        try syncEndpoints(service, set)
        try syncSlices(service, set)
        return .done
    }

    private func isManaged(_ endpoints: JSONValue) -> Bool {
        endpoints["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"].stringValue == "true"
    }

    private func syncEndpoints(_ service: JSONValue, _ set: EndpointSet) throws {
        var labels = service["metadata"]["labels"].objectValue ?? [:]
        labels["endpointslice.kubernetes.io/skip-mirror"] = "true"
        let subsets = set.subsets
        if var existing = client.object(WorkloadResource.endpoints, service.sim.key) {
            if existing["subsets"] == subsets && existing["metadata"]["labels"] == .object(labels) { return }
            existing["subsets"] = subsets
            existing[path: ["metadata", "labels"]] = .object(labels)
            existing[path: ["metadata", "annotations", "endpoints.kubernetes.io/last-change-trigger-time"]] =
                .string(KubeTimestamp.format(Date(), fractionalDigits: 9).replacingOccurrences(of: ".000000000", with: ""))
            try client.update(WorkloadResource.endpoints, existing)
        } else {
            var endpoints: JSONValue = [
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": ["name": .string(service.sim.name), "namespace": .string(service.sim.namespace),
                             "labels": .object(labels)],
            ]
            if !subsets.isNull { endpoints["subsets"] = subsets }
            // Created meanwhile by someone else: the 409 makes the loop compare again.
            try client.create(WorkloadResource.endpoints, endpoints)
        }
    }

    private func syncSlices(_ service: JSONValue, _ set: EndpointSet) throws {
        let existing = client.dependents(of: service.sim.uid, WorkloadResource.endpointSlices).map(\.object)
            .filter { $0["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"].stringValue == Self.managedBy }
            .sorted { $0.sim.name < $1.sim.name }
        var desired: [(ports: [EndpointSet.Port], endpoints: ArraySlice<EndpointSet.Endpoint>)] = []
        for group in set.byPorts {
            var start = 0
            while start < group.endpoints.count {
                let end = min(start + Self.maxEndpointsPerSlice, group.endpoints.count)
                desired.append((group.ports, group.endpoints[start..<end]))
                start = end
            }
        }
        if desired.isEmpty { desired.append(([], [])) }  // an empty slice says "no endpoints"

        var labels = service["metadata"]["labels"].objectValue ?? [:]
        labels["kubernetes.io/service-name"] = .string(service.sim.name)
        labels["endpointslice.kubernetes.io/managed-by"] = .string(Self.managedBy)
        var unused = existing
        for slice in desired {
            let body = sliceBody(ports: slice.ports, endpoints: slice.endpoints)
            // Reuse a slice that already serves these ports, else any spare one.
            let index = unused.firstIndex { $0["ports"] == body["ports"] } ?? (unused.isEmpty ? nil : 0)
            if let index {
                var current = unused.remove(at: index)
                if current["endpoints"] == body["endpoints"] && current["ports"] == body["ports"]
                    && current["metadata"]["labels"] == .object(labels) { continue }
                current["endpoints"] = body["endpoints"]
                current["ports"] = body["ports"]
                current["addressType"] = "IPv4"
                current[path: ["metadata", "labels"]] = .object(labels)
                try client.update(WorkloadResource.endpointSlices, current)
            } else {
                var created = body
                created["apiVersion"] = "discovery.k8s.io/v1"
                created["kind"] = "EndpointSlice"
                created["addressType"] = "IPv4"
                created["metadata"] = [
                    "generateName": .string("\(service.sim.name)-"), "namespace": .string(service.sim.namespace),
                    "labels": .object(labels),
                    "ownerReferences": [service.controllerReference(kind: "Service", apiVersion: "v1")],
                ]
                try client.create(WorkloadResource.endpointSlices, created)
            }
        }
        for slice in unused { try client.delete(WorkloadResource.endpointSlices, slice.sim.key, uid: slice.sim.uid) }
    }

    private func sliceBody(ports: [EndpointSet.Port], endpoints: ArraySlice<EndpointSet.Endpoint>) -> JSONValue {
        let items: [JSONValue] = endpoints.map { e in
            var value: JSONValue = [
                "addresses": [.string(e.ip)],
                "conditions": ["ready": .bool(e.ready), "serving": .bool(e.ready), "terminating": false],
                "targetRef": e.targetRef,
            ]
            if !e.nodeName.isEmpty {
                value["nodeName"] = .string(e.nodeName)
                if let zone = pool.labels(of: e.nodeName)["topology.kubernetes.io/zone"] { value["zone"] = .string(zone) }
            }
            if let hostname = e.hostname { value["hostname"] = .string(hostname) }
            return value
        }
        return ["endpoints": .array(items), "ports": ports.isEmpty ? .null : .array(ports.map(\.json))]
    }
}
