import KubeClient

/// Resources stored as another resource (``ResourceType/storedAs``): events.k8s.io/v1 Events
/// live in the core Events' table, so both APIs share one resourceVersion sequence and one
/// watch stream, and an Event written through one is read through the other. Requests to
/// such a resource run against the stored type, converted on the way in and out; errors name
/// the stored resource, as kube-apiserver's shared Event storage does (`events "x" not found`).
extension Registry {
    /// The type whose table holds `type`'s objects, when it is not `type` itself.
    func storageType(of type: ResourceType) -> ResourceType? {
        type.storedAs.flatMap { catalog.type($0) }
    }

    /// A request's object (in `type`'s form) as the stored type holds it.
    func toStorage(_ object: JSONValue, type: ResourceType) -> JSONValue {
        switch type.groupResource {
        case EventsConversion.resource: return EventsConversion.toCore(object)
        default: return object
        }
    }

    /// A stored object in `type`'s form, as served in `version`.
    func fromStorage(_ object: JSONValue, type: ResourceType, version: String) -> JSONValue {
        switch type.groupResource {
        case EventsConversion.resource: return EventsConversion.toEventsV1(object, apiVersion: type.apiVersion(version))
        default: return object
        }
    }

    /// List options with the field selector in the stored type's labels (events.k8s.io's
    /// `regarding.name` selects core's `involvedObject.name`); an unknown label is a 400.
    func storageListOptions(_ options: StoreListOptions, type: ResourceType) throws(APIError) -> StoreListOptions {
        guard let selector = options.fieldSelector, !selector.isEmpty else { return options }
        var converted = options
        switch type.groupResource {
        case EventsConversion.resource: converted.fieldSelector = try EventsConversion.coreFieldSelector(selector)
        default: break
        }
        return converted
    }

    /// Write options that tell admission which API the client wrote through (validation of
    /// Events depends on it, as kube's `ValidateEventCreate` does).
    func storageWriteOptions(_ options: WriteOptions, type: ResourceType, version: String?) -> WriteOptions {
        var converted = options
        converted.requestAPIVersion = type.apiVersion(version ?? type.storageVersion)
        return converted
    }
}
