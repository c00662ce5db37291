import KubeClient
import Metrics
import NIOConcurrencyHelpers

/// The API request an HTTP request makes, as kube-apiserver's `RequestInfo` reads it from the
/// path: the verb RBAC checks and the resource it names.
public struct APIRequestInfo: Sendable, Hashable, CustomStringConvertible {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`; for a
    /// path that is no resource (`/version`, `/apis`), the lower-cased HTTP method.
    public var verb: String
    public var isResourceRequest: Bool
    public var apiGroup: String
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String
    /// The URL path, without the query.
    public var path: String

    /// `resource[/subresource]`, as RBAC rules name it.
    public var qualifiedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    public var description: String {
        guard isResourceRequest else { return "\(verb) \(path)" }
        let group = apiGroup.isEmpty ? "core" : apiGroup
        let scope = namespace.isEmpty ? "" : " in \(namespace)"
        return "\(verb) \(qualifiedResource) (\(group))\(name.isEmpty ? "" : " \(name)")\(scope)"
    }

    /// Reads `method` and `url` (absolute or a path, with or without a query).
    public init(method: String, url: String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        let query: Substring
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        } else {
            query = ""
        }
        path = String(rest)
        var parts = rest.split(separator: "/").map(String.init)
        apiGroup = ""
        resource = ""
        subresource = ""
        namespace = ""
        name = ""
        isResourceRequest = false
        if parts.first == "api", parts.count >= 3 {
            parts.removeFirst(2)
            isResourceRequest = true
        } else if parts.first == "apis", parts.count >= 4 {
            apiGroup = parts[1]
            parts.removeFirst(3)
            isResourceRequest = true
        }
        if isResourceRequest {
            if parts.first == "namespaces", parts.count >= 3 {
                namespace = parts[1]
                parts.removeFirst(2)
            } else if parts.first == "namespaces", parts.count == 2 {
                // A namespace object itself.
                resource = "namespaces"
                name = parts[1]
                parts.removeAll()
            }
            if !parts.isEmpty { resource = parts[0] }
            if parts.count >= 2 { name = parts[1] }
            if parts.count >= 3 { subresource = parts[2] }
        }
        let watching = query.split(separator: "&").contains { $0 == "watch=true" || $0 == "watch=1" }
        switch method.uppercased() {
        case "GET", "HEAD":
            verb = !isResourceRequest ? "get" : watching ? "watch" : name.isEmpty ? "list" : "get"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name.isEmpty && isResourceRequest ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
    }
}

/// An ``HTTPTransport`` that counts every request the operator sends to the API server as
/// client-go's `rest_client_requests_total{code,method,host}` does, and shows each one, with
/// its status, to an optional observer (tests record the verbs and resources the operator
/// uses with it). A request that fails before a response counts with `code="<error>"`.
public final class InstrumentedTransport: HTTPTransport {
    public static let requestsName = "rest_client_requests_total"

    public typealias Observer = @Sendable (_ request: APIRequestInfo, _ status: Int?) -> Void

    public let base: any HTTPTransport
    private let factory: any MetricsFactory
    private let observer: Observer?
    private let counters = NIOLockedValueBox<[CounterKey: Counter]>([:])

    private struct CounterKey: Hashable {
        var code: String
        var method: String
        var host: String
    }

    public init(base: any HTTPTransport = CurlTransport.shared, metricsFactory: any MetricsFactory,
                observer: Observer? = nil) {
        self.base = base
        self.factory = metricsFactory
        self.observer = observer
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            let response = try await base.send(request)
            record(request, status: response.status)
            return response
        } catch {
            record(request, status: nil)
            throw error
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        do {
            let response = try await base.stream(request)
            record(request, status: response.head.status)
            return response
        } catch {
            record(request, status: nil)
            throw error
        }
    }

    private func record(_ request: HTTPRequest, status: Int?) {
        let key = CounterKey(code: status.map(String.init) ?? "<error>", method: request.method.uppercased(),
                             host: Self.host(of: request.url))
        let counter = counters.withLockedValue { counters -> Counter in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: Self.requestsName,
                                  dimensions: [("code", key.code), ("method", key.method), ("host", key.host)],
                                  factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        observer?(APIRequestInfo(method: request.method, url: request.url), status)
    }

    /// `host[:port]` of an absolute URL.
    static func host(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return "" }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<end]
        return String(authority.split(separator: "@").last ?? authority)
    }
}
