import KubeClient

/// The built-in resource types the simulated controllers read and write.
enum WorkloadResource {
    static let pods = GroupResource(group: "", resource: "pods")
    static let services = GroupResource(group: "", resource: "services")
    static let endpoints = GroupResource(group: "", resource: "endpoints")
    static let events = GroupResource(group: "", resource: "events")
    static let nodes = GroupResource(group: "", resource: "nodes")
    static let namespaces = GroupResource(group: "", resource: "namespaces")
    static let deployments = GroupResource(group: "apps", resource: "deployments")
    static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    static let replicationControllers = GroupResource(group: "", resource: "replicationcontrollers")
    static let jobs = GroupResource(group: "batch", resource: "jobs")
    static let cronJobs = GroupResource(group: "batch", resource: "cronjobs")
    static let endpointSlices = GroupResource(group: "discovery.k8s.io", resource: "endpointslices")
}

/// How the simulated controllers talk to the API: in process, through the same registry the
/// REST handlers use, so their writes get resourceVersions, generations, admission, watch
/// events and garbage collection exactly like a client's.
struct ClusterClient: Sendable {
    let registry: Registry
    /// Recorded in managedFields, as kube-controller-manager records itself.
    let fieldManager: String

    var store: ObjectStore { registry.store }

    func type(_ resource: GroupResource) throws(APIError) -> ResourceType {
        guard let type = registry.catalog.type(resource) else {
            throw APIError.internalError("the resource type \(resource) is not served")
        }
        return type
    }

    func stored(_ resource: GroupResource, _ key: ObjectKey) -> StoredObject? {
        store.get(resource, key)
    }

    func object(_ resource: GroupResource, _ key: ObjectKey) -> JSONValue? {
        store.get(resource, key)?.object
    }

    /// Every object of a type, optionally in one namespace, in key order.
    func list(_ resource: GroupResource, namespace: String? = nil) -> [StoredObject] {
        (try? store.list(resource, filter: ObjectFilter(namespace: namespace)).items) ?? []
    }

    /// Objects of `resource` whose ownerReferences name `uid`.
    func dependents(of uid: String, _ resource: GroupResource) -> [StoredObject] {
        store.dependents(ofOwner: uid).compactMap { ref in
            ref.resource == resource ? store.get(resource, ref.key) : nil
        }
    }

    @discardableResult
    func create(_ resource: GroupResource, _ object: JSONValue) throws(APIError) -> StoredObject {
        let type = try type(resource)
        return try registry.create(type, namespace: object.sim.namespace, object: object,
                                   options: WriteOptions(fieldManager: fieldManager)).object
    }

    /// Replaces the object, failing with 409 if it changed since it was read (its
    /// `metadata.resourceVersion` is the precondition).
    @discardableResult
    func update(_ resource: GroupResource, _ object: JSONValue) throws(APIError) -> StoredObject {
        let type = try type(resource)
        return try registry.update(type, namespace: object.sim.namespace, name: object.sim.name, object: object,
                                   options: WriteOptions(fieldManager: fieldManager)).object
    }

    /// Replaces the object's status through the status subresource.
    @discardableResult
    func updateStatus(_ resource: GroupResource, _ object: JSONValue) throws(APIError) -> StoredObject {
        let type = try type(resource)
        return try registry.update(type, namespace: object.sim.namespace, name: object.sim.name, object: object,
                                   subresource: "status", options: WriteOptions(fieldManager: fieldManager)).object
    }

    /// Deletes an object; a missing one is not an error.
    func delete(_ resource: GroupResource, _ key: ObjectKey, uid: String? = nil,
                propagation: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil) throws(APIError) {
        let type = try type(resource)
        var options = DeleteOptions(propagationPolicy: propagation, preconditionUID: uid)
        options.gracePeriodSeconds = gracePeriodSeconds
        do {
            _ = try registry.delete(type, namespace: key.namespace, name: key.name, options: options)
        } catch where error.code == 404 {
            return
        }
    }
}
