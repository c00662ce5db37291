import Cloud
import KubeClient

/// Why a tool call failed, phrased as what to fix. Returned to the agent as a tool result
/// with `isError: true`, never as a protocol error or a crash.
public enum ToolError: Error, Sendable, Equatable {
    /// An argument is missing, of the wrong type or out of range.
    case invalidArgument(name: String, problem: String)
    case notFound(what: String, hint: String)
    /// The API server refused: the identity lacks the RBAC `verb` on `resource`.
    case forbidden(identity: String, verb: String, resource: String, namespace: String?, detail: String)
    /// The server's own policy (`--denied-resources`) refuses it.
    case denied(what: String, entry: String)
    /// The tool needs `--allow-write` or `--allow-destructive`.
    case notAllowed(tool: String, flag: String)
    case unknownTool(String)
    /// The tool works on a cloud this server has no configuration for.
    case notConfigured(tool: String, cloud: CloudProvider)
    /// The cloud refused or failed the call; the message names the operation, the
    /// provider's error code and what to do (it never holds a credential).
    case cloud(CloudError)
    /// Anything else the API server answered, with its message.
    case failed(String)

    /// Short name of the outcome, for the call log.
    public var outcome: String {
        switch self {
        case .invalidArgument: "invalid-argument"
        case .notFound: "not-found"
        case .forbidden: "forbidden"
        case .denied: "denied"
        case .notAllowed: "not-allowed"
        case .unknownTool: "unknown-tool"
        case .notConfigured: "not-configured"
        case .cloud(let error): "cloud-\(error.kind.rawValue)"
        case .failed: "failed"
        }
    }

    public var message: String {
        switch self {
        case .invalidArgument(let name, let problem):
            return "invalid argument '\(name)': \(problem)"
        case .notFound(let what, let hint):
            return "\(what) not found. \(hint)"
        case .forbidden(let identity, let verb, let resource, let namespace, let detail):
            let scope = namespace.map { "in namespace \($0)" } ?? "cluster-wide"
            return "forbidden: \(identity) may not \(verb) \(resource) \(scope). Grant it RBAC verb '\(verb)' on "
                + "'\(resource)' (a Role\(namespace == nil ? "/ClusterRole" : "") and a binding), or use another identity. "
                + "API server: \(detail)"
        case .denied(let what, let entry):
            // `Secret:data` would read as a credential to the redactor: the scope is spelled out.
            let parts = entry.split(separator: ":", maxSplits: 1)
            let named = parts.count == 2 ? "'\(parts[0])' with scope '\(parts[1])'" : "'\(entry)'"
            return "\(what) is denied by this MCP server's policy (--denied-resources entry \(named)). "
                + "Ask the operator running it to change --denied-resources if agents should reach it."
        case .notAllowed(let tool, let flag):
            return "the tool '\(tool)' changes the cluster and this server runs without \(flag); restart it with \(flag) to allow it."
        case .unknownTool(let name):
            return "there is no tool named '\(name)'; call tools/list for the tools this server offers."
        case .notConfigured(let tool, let cloud):
            return "the tool '\(tool)' works on \(cloud.rawValue), which this server has no configuration for; restart it with "
                + "\(cloud.howToConfigure)."
        case .cloud(let error):
            return error.description
        case .failed(let message):
            return message
        }
    }

    /// Turns an API error about `verb` on `resource` into what the agent should do.
    static func from(_ error: any Error, verb: String, resource: String, name: String?, namespace: String?,
                     identity: String) -> ToolError {
        if let error = error as? ToolError { return error }
        guard let kube = error as? KubeError else { return .failed("\(verb) \(resource) failed: \(error)") }
        let object = [resource, name].compactMap { $0 }.joined(separator: "/")
        let place = namespace.map { " in namespace \($0)" } ?? ""
        if kube.isNotFound {
            guard name != nil else {
                // A list answered 404: the type itself is not served.
                return .notFound(what: "the resource type \(resource)", hint: "The cluster does not serve it: install its "
                                 + "CustomResourceDefinition (opsagent's: opsagent crds | kubectl apply -f -) or check the type's name.")
            }
            return .notFound(what: "\(object)\(place)", hint: "Check the name and namespace; list them with the matching list tool.")
        }
        if kube.isForbidden {
            return .forbidden(identity: identity, verb: verb, resource: resource, namespace: namespace,
                              detail: kube.status?.message ?? "\(kube)")
        }
        if kube.isInvalid {
            let causes = kube.causes.map { "\($0.field ?? "?"): \($0.message ?? $0.reason ?? "")" }
            return .failed("the API server rejected \(object)\(place) as invalid: "
                           + (causes.isEmpty ? (kube.status?.message ?? "\(kube)") : causes.joined(separator: "; ")))
        }
        if kube.isConflict || kube.isAlreadyExists {
            return .failed("\(object)\(place): \(kube.status?.message ?? "\(kube)"). Read it again and retry, or choose another name.")
        }
        return .failed("\(verb) \(object)\(place) failed: \(kube.status?.message ?? "\(kube)")")
    }
}
