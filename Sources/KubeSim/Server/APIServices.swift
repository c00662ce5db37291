import HTTPTypes
import KubeClient

/// Everything request handling needs, shared by all requests.
public final class APIServices: Sendable {
    public let registry: Registry
    let authenticator: Authenticator
    let authorizer: any Authorizing
    let reviews: AccessReviews
    let discovery: DiscoveryDocuments
    let openAPI: any OpenAPIServing
    let watchSettings: WatchSettings
    let subresources: [String: any SubresourceResponder]
    /// Every request is treated as `system:admin` when it brings no credentials (`--insecure-http`).
    let anonymousIsAdmin: Bool
    /// Workload and fault endpoints, and the fault screen (see ``SimulatorExtensions``).
    let extensions: SimulatorExtensions?

    /// The request's user: the one its credentials name, or with `--insecure-http` the admin
    /// when it brings none; 401 otherwise.
    /// Impersonation headers then replace it, when it may impersonate what they name.
    func user(headers: HTTPFields, certificateUser: UserInfo?) throws(APIError) -> UserInfo {
        try Impersonation.effectiveUser(try user(authorization: headers[.authorization], certificateUser: certificateUser),
                                        headers: headers, authorizer: authorizer)
    }

    func user(authorization: String?, certificateUser: UserInfo?) throws(APIError) -> UserInfo {
        // kube-apiserver's union authenticator asks the x509 authenticator first: a valid
        // client certificate wins over a bearer token.
        if let certificateUser { return certificateUser }
        guard let user = try authenticator.authenticate(authorization: authorization)
            ?? (anonymousIsAdmin ? UserInfo.insecureAdmin : nil) else {
            throw APIError.unauthorized
        }
        return user
    }

    init(registry: Registry, authenticator: Authenticator, authorizer: any Authorizing,
         openAPI: any OpenAPIServing, watchSettings: WatchSettings, subresources: [String: any SubresourceResponder],
         anonymousIsAdmin: Bool, extensions: SimulatorExtensions? = nil) {
        self.registry = registry
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.reviews = AccessReviews(authorizer: authorizer, authenticator: authenticator)
        self.discovery = DiscoveryDocuments(catalog: registry.catalog)
        self.openAPI = openAPI
        self.watchSettings = watchSettings
        self.subresources = subresources
        self.anonymousIsAdmin = anonymousIsAdmin
        self.extensions = extensions
    }
}

/// Serves `/openapi/v2` and `/openapi/v3`.
public protocol OpenAPIServing: Sendable {
    /// The `/openapi/v3` index: `{"paths": {"api/v1": {"serverRelativeURL": …}}}`.
    func v3Index(catalog: ResourceCatalog) -> JSONValue
    /// The document of one group version, nil when it is not served.
    func v3Document(group: String, version: String, catalog: ResourceCatalog) -> JSONValue?
    /// The Swagger 2.0 document, as JSON.
    func v2Document(catalog: ResourceCatalog) -> JSONValue
}
