import Hummingbird
import KubeClient

/// Answers a subresource the generic handler does not know (`pods/log`, `serviceaccounts/token`…).
public protocol SubresourceResponder: Sendable {
    func respond(to request: SubresourceRequest) async throws(APIError) -> Response
}

/// One request to a subresource, already authenticated and authorized.
public struct SubresourceRequest: Sendable {
    public var method: HTTPRequest.Method
    public var type: ResourceType
    public var version: String
    public var namespace: String
    public var name: String
    public var subresource: String
    public var query: QueryParameters
    public var body: [UInt8]
    public var user: UserInfo
    public var registry: Registry
}
