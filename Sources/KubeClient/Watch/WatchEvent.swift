/// One event of a Kubernetes watch.
public enum WatchEvent: Sendable, Equatable {
    case added(JSONValue)
    case modified(JSONValue)
    case deleted(JSONValue)
    /// A progress marker: the stream has seen everything up to `resourceVersion`.
    /// `initialEventsEnd` marks the end of the initial ADDED burst of `sendInitialEvents`.
    case bookmark(resourceVersion: String, initialEventsEnd: Bool)
    /// The requested resourceVersion is older than the server's history (HTTP 410 Gone):
    /// list again and watch from the list's resourceVersion.
    case expired(Status)
    /// Any other error the server reported inside the stream.
    case error(Status)

    /// The object of an ADDED, MODIFIED or DELETED event.
    public var object: JSONValue? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o
        default: return nil
        }
    }

    /// The resourceVersion this event brings the watcher to, if it carries one.
    public var resourceVersion: String? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o["metadata"]["resourceVersion"].stringValue
        case .bookmark(let rv, _): return rv
        case .expired, .error: return nil
        }
    }

    /// Decodes one line of a watch stream (`{"type": …, "object": …}`).
    public init(line: [UInt8], options: JSONParseOptions = .default) throws {
        let value: JSONValue
        do { value = try JSONValue(parsing: line, options: options) } catch {
            throw KubeError.decoding("watch event is not valid JSON: \(error)")
        }
        let object = value["object"]
        switch value["type"].stringValue {
        case "ADDED": self = .added(object)
        case "MODIFIED": self = .modified(object)
        case "DELETED": self = .deleted(object)
        case "BOOKMARK":
            self = .bookmark(
                resourceVersion: object["metadata"]["resourceVersion"].stringValue ?? "",
                initialEventsEnd: object["metadata"]["annotations"]["k8s.io/initial-events-end"].stringValue == "true")
        case "ERROR":
            let status = Status(json: object) ?? Status(message: "watch error: \(object)", code: object["code"].intValue)
            if status.code == 410 || status.reason == "Expired" || status.reason == "Gone" {
                self = .expired(status)
            } else {
                self = .error(status)
            }
        case let other:
            throw KubeError.decoding("unknown watch event type \(other.map { "'\($0)'" } ?? "(missing)")")
        }
    }
}
