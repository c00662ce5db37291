import Foundation

/// A client for one Kubernetes API server: the REST verbs, subresources, logs, watches
/// and discovery, over a pooled libcurl transport.
///
/// Objects travel as ``JSONValue`` so that every field survives a read-modify-write.
/// Typed views are layered on top (see `get(_:name:namespace:)` for `KubeObject` types).
public final class KubernetesClient: Sendable {
    public let configuration: ClusterConfiguration
    public let transport: any HTTPTransport
    let credentials: CredentialProvider
    let discoveryCache: DiscoveryCache

    public init(configuration: ClusterConfiguration, transport: any HTTPTransport = CurlTransport.shared) {
        self.configuration = configuration
        self.transport = transport
        self.credentials = CredentialProvider(configuration.credential, cluster: configuration.execClusterInfo)
        self.discoveryCache = DiscoveryCache()
    }

    /// Loads configuration as controller-runtime does (explicit path, `KUBECONFIG`, in-cluster, `~/.kube/config`).
    public convenience init(kubeconfigPath: String? = nil, context: String? = nil) throws {
        self.init(configuration: try ClusterConfiguration.load(kubeconfigPath: kubeconfigPath, context: context))
    }

    /// The namespace of the current context (or the service account's, in cluster).
    public var defaultNamespace: String { configuration.namespace }

    // MARK: reads

    public func get(_ resource: GroupVersionResource, name: String, namespace: String? = nil,
                    subresource: String? = nil) async throws -> JSONValue {
        try await requestJSON("GET", resource.path(namespace: namespace, name: name, subresource: subresource))
    }

    /// One page of a list.
    public func list(_ resource: GroupVersionResource, namespace: String? = nil,
                     options: ListOptions = ListOptions()) async throws -> ObjectList {
        let value = try await requestJSON("GET", resource.path(namespace: namespace), query: options.query,
                                          parsing: JSONParseOptions(omitManagedFields: options.omitManagedFields))
        return ObjectList(
            items: value["items"].arrayValue ?? [],
            resourceVersion: value["metadata"]["resourceVersion"].stringValue ?? "",
            continueToken: value["metadata"]["continue"].stringValue.flatMap { $0.isEmpty ? nil : $0 },
            remainingItemCount: value["metadata"]["remainingItemCount"].intValue)
    }

    /// Every item, following `continue` tokens page by page (the list resourceVersion is the first page's).
    public func listAll(_ resource: GroupVersionResource, namespace: String? = nil,
                        options: ListOptions = ListOptions(limit: 500)) async throws -> ObjectList {
        var options = options
        var page = try await list(resource, namespace: namespace, options: options)
        var all = page.items
        let resourceVersion = page.resourceVersion
        while let token = page.continueToken {
            options.continueToken = token
            options.resourceVersion = nil
            page = try await list(resource, namespace: namespace, options: options)
            all.append(contentsOf: page.items)
        }
        return ObjectList(items: all, resourceVersion: resourceVersion)
    }

    // MARK: writes

    public func create(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String? = nil,
                       options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        let ns = namespace ?? object["metadata"]["namespace"].stringValue
        return try await requestJSON("POST", resource.path(namespace: ns), query: options.query, body: object)
    }

    /// Replaces the object; `metadata.resourceVersion` must be the one read, or the server answers 409 Conflict.
    public func update(_ resource: GroupVersionResource, _ object: JSONValue, namespace: String? = nil,
                       subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        let (name, ns) = try identity(of: object, namespace: namespace)
        return try await requestJSON("PUT", resource.path(namespace: ns, name: name, subresource: subresource),
                                     query: options.query, body: object)
    }

    /// Writes only `.status` through the status subresource.
    public func updateStatus(_ resource: GroupVersionResource, _ object: JSONValue,
                             namespace: String? = nil) async throws -> JSONValue {
        try await update(resource, object, namespace: namespace, subresource: "status")
    }

    public func patch(_ resource: GroupVersionResource, name: String, namespace: String? = nil,
                      type: PatchType, body: JSONValue, subresource: String? = nil,
                      options: WriteOptions = WriteOptions()) async throws -> JSONValue {
        var query = options.query
        if case .apply(let force) = type {
            guard options.fieldManager != nil else {
                throw KubeError.configuration("server-side apply needs a field manager: pass WriteOptions(fieldManager: \"your-controller\")")
            }
            if force { query.append(("force", "true")) }
        }
        return try await requestJSON("PATCH", resource.path(namespace: namespace, name: name, subresource: subresource),
                                     query: query, body: body, contentType: type.contentType)
    }

    /// Server-side apply of `object` (its own name and namespace) as `fieldManager`.
    public func apply(_ resource: GroupVersionResource, _ object: JSONValue, fieldManager: String,
                      force: Bool = false, subresource: String? = nil) async throws -> JSONValue {
        let (name, ns) = try identity(of: object, namespace: nil)
        return try await patch(resource, name: name, namespace: ns, type: .apply(force: force), body: object,
                               subresource: subresource, options: WriteOptions(fieldManager: fieldManager))
    }

    public func delete(_ resource: GroupVersionResource, name: String, namespace: String? = nil,
                       options: DeleteOptions = DeleteOptions()) async throws -> DeleteResult {
        let value = try await requestJSON("DELETE", resource.path(namespace: namespace, name: name), body: options.body)
        if value["kind"].stringValue == "Status" {
            return .deleted(Status(json: value) ?? Status(status: Status.success))
        }
        return .pending(value)
    }

    /// Deletes every object matching the selectors (`deletecollection`).
    public func deleteCollection(_ resource: GroupVersionResource, namespace: String? = nil,
                                 labelSelector: String? = nil, fieldSelector: String? = nil,
                                 options: DeleteOptions = DeleteOptions()) async throws {
        let query = ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector).query
        _ = try await requestJSON("DELETE", resource.path(namespace: namespace), query: query, body: options.body)
    }

    // MARK: scale

    /// The `autoscaling/v1 Scale` of a resource with the scale subresource.
    public func getScale(_ resource: GroupVersionResource, name: String, namespace: String?) async throws -> JSONValue {
        try await get(resource, name: name, namespace: namespace, subresource: "scale")
    }

    /// Sets `spec.replicas` through the scale subresource.
    public func scale(_ resource: GroupVersionResource, name: String, namespace: String?, replicas: Int) async throws -> JSONValue {
        try await patch(resource, name: name, namespace: namespace, type: .merge,
                        body: ["spec": ["replicas": .int(Int64(replicas))]], subresource: "scale")
    }

    // MARK: watch

    /// Opens a watch. The stream ends when the server closes it; resume from the last event's resourceVersion.
    public func watch(_ resource: GroupVersionResource, namespace: String? = nil,
                      options: WatchOptions = WatchOptions()) async throws -> WatchStream {
        var timeout: Duration? = nil
        if let seconds = options.timeoutSeconds { timeout = .seconds(seconds + 30) }
        let response = try await stream("GET", resource.path(namespace: namespace), query: options.query, timeout: timeout)
        return WatchStream(body: response.body, options: JSONParseOptions(omitManagedFields: options.omitManagedFields))
    }

    // MARK: logs

    public func logs(pod: String, namespace: String, options: LogOptions = LogOptions()) async throws -> String {
        let response = try await request("GET", GroupVersionResource.pods.path(namespace: namespace, name: pod, subresource: "log"),
                                         query: options.query(follow: false), accept: "text/plain")
        return response.bodyText
    }

    /// Follows a pod's log; the stream yields chunks as the container writes them.
    public func followLogs(pod: String, namespace: String, options: LogOptions = LogOptions()) async throws -> ResponseBodyStream {
        try await stream("GET", GroupVersionResource.pods.path(namespace: namespace, name: pod, subresource: "log"),
                         query: options.query(follow: true), accept: "text/plain", timeout: nil).body
    }

    // MARK: raw

    /// Sends a request with credentials and returns the response, throwing ``KubeError`` for any non-2xx answer.
    public func request(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                        contentType: String = "application/json", accept: String = "application/json",
                        timeout: Duration? = nil) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            let request = try await makeRequest(method, path, query: query, body: body.map { $0.serializedBytes() },
                                                contentType: contentType, accept: accept,
                                                timeout: timeout ?? configuration.requestTimeout)
            let response = try await transport.send(request)
            if (200..<300).contains(response.status) { return response }
            if response.status == 401, attempt == 0, configuration.credential.canRefresh {
                // An expired exec credential or a rotated token: fetch a fresh one and retry once.
                await credentials.invalidate()
                attempt += 1
                continue
            }
            throw KubeError.fromResponse(code: response.status, body: response.body, retryAfterHeader: response.headers["Retry-After"])
        }
    }

    func requestJSON(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     contentType: String = "application/json", parsing options: JSONParseOptions = .default) async throws -> JSONValue {
        let response = try await request(method, path, query: query, body: body, contentType: contentType)
        do {
            return try JSONValue(parsing: response.body, options: options)
        } catch {
            throw KubeError.decoding("\(method) \(path) returned a body that is not JSON: \(error)")
        }
    }

    func stream(_ method: String, _ path: String, query: [(String, String)], accept: String = "application/json",
                timeout: Duration?) async throws -> HTTPStreamingResponse {
        let request = try await makeRequest(method, path, query: query, body: nil, contentType: nil, accept: accept, timeout: timeout)
        let response = try await transport.stream(request)
        if (200..<300).contains(response.head.status) { return response }
        let body = (try? await response.body.collect(upTo: 1 << 20)) ?? []
        throw KubeError.fromResponse(code: response.head.status, body: body, retryAfterHeader: response.head.headers["Retry-After"])
    }

    func makeRequest(_ method: String, _ path: String, query: [(String, String)], body: [UInt8]?,
                     contentType: String?, accept: String, timeout: Duration?) async throws -> HTTPRequest {
        let resolved = try await credentials.current()
        var url = configuration.server + path
        if !query.isEmpty { url += "?" + URLQuery.string(query) }
        var headers: HTTPHeaders = ["Accept": accept, "User-Agent": configuration.userAgent]
        if configuration.disableCompression { headers.add("Accept-Encoding", "identity") }
        if body != nil, let contentType { headers.add("Content-Type", contentType) }
        if let auth = resolved.authorizationHeader { headers.add("Authorization", auth) }
        if let impersonation = configuration.impersonation {
            for (name, value) in impersonation.headers { headers.add(name, value) }
        }
        var tls = configuration.tls
        if let cert = resolved.clientCertificatePEM, let key = resolved.clientKeyPEM {
            tls.clientCertificatePEM = cert
            tls.clientKeyPEM = key
        }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, tls: tls,
                           proxyURL: configuration.proxyURL, connectTimeout: configuration.connectTimeout,
                           timeout: timeout)
    }

    func identity(of object: JSONValue, namespace: String?) throws -> (name: String, namespace: String?) {
        guard let name = object["metadata"]["name"].stringValue, !name.isEmpty else {
            throw KubeError.configuration("the object has no metadata.name; set it before updating or applying")
        }
        return (name, namespace ?? object["metadata"]["namespace"].stringValue)
    }
}

extension Credential {
    /// Whether asking again can produce a different credential (so a 401 is worth one retry).
    var canRefresh: Bool {
        switch self {
        case .exec, .tokenFile: return true
        default: return false
        }
    }
}
