import KubeClient

/// What an informer keeps of each object it caches (client-go's `cache.TransformFunc`,
/// set with `SetTransform`).
///
/// Applied to every listed object and to the object of every watch event before it reaches
/// the cache and the handlers, so handlers, reads and indexes all see the transformed
/// object. A transform must keep `metadata` (names, resourceVersion, owner references,
/// labels: keys and indexes are computed from it) and must be a pure function of the object.
///
/// Use it for owned children that a controller needs only to find, never to read in full:
/// a child's bulk (a report's findings) then costs its bytes once on the wire, not for as
/// long as the cache holds it.
///
/// ```swift
/// try cache.setTransform(.keeping(["report.runID", "report.auditedAt"]), for: reports)
/// ```
public struct ObjectTransform: Sendable {
    /// A short description for logs and errors, e.g. `keeping metadata, report.runID`.
    public let name: String
    let apply: @Sendable (JSONValue) -> JSONValue

    public init(name: String, _ apply: @escaping @Sendable (JSONValue) -> JSONValue) {
        self.name = name
        self.apply = apply
    }

    public func callAsFunction(_ object: JSONValue) -> JSONValue { apply(object) }

    /// Keeps `apiVersion`, `kind`, `metadata` and the dotted `paths` (e.g. `report.runID`);
    /// everything else is dropped. A path the object lacks is left out.
    public static func keeping(_ paths: [String]) -> ObjectTransform {
        let split = paths.map { $0.split(separator: ".").map(String.init) }
        return ObjectTransform(name: "keeping metadata, " + paths.joined(separator: ", ")) { object in
            var kept: JSONValue = [:]
            for field in ["apiVersion", "kind", "metadata"] where !object[field].isNull {
                kept[field] = object[field]
            }
            for path in split {
                let value = object[path: path]
                if !value.isNull { kept[path: path] = value }
            }
            return kept
        }
    }
}

/// The informer of a resource already exists, so a transform can no longer apply to
/// everything it caches: set transforms before anything asks for the informer.
public struct TransformAfterInformerCreated: Error, CustomStringConvertible {
    public let resource: String
    public var description: String {
        "the informer of \(resource) already exists: set its transform before any controller watches or reads it"
    }
}
