import Foundation

/// Everything the transport needs to talk to one API server: where, how to trust it, who
/// to be, and which namespace is the default.
public struct ClusterConfiguration: Sendable {
    /// `https://127.0.0.1:6443`, no trailing slash.
    public var server: String
    public var tls: TLSConfiguration
    public var credential: Credential
    /// The context's namespace, or `default`.
    public var namespace: String
    /// The kubeconfig's `proxy-url`; nil = honour `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`
    /// (the transport leaves that to libcurl).
    public var proxyURL: String?
    /// Defaults to ``BuildInfo/userAgent``.
    public var userAgent: String
    /// Defaults to 10 s.
    public var connectTimeout: Duration
    /// nil = none; applies to non-watch requests.
    public var requestTimeout: Duration?
    /// The cluster's `extensions["client.authentication.k8s.io/exec"]`, handed to exec
    /// plugins that ask for cluster info.
    public var execClusterConfig: JSONValue?
    /// The cluster's `disable-compression`.
    public var disableCompression: Bool
    /// Where this configuration came from, for messages: a kubeconfig path and context, or
    /// `in-cluster`.
    public var source: String
    /// Who requests act as, when not the credential's own user: sent as `Impersonate-User`,
    /// `Impersonate-Group` and `Impersonate-Uid` headers (the credential's user needs the
    /// `impersonate` verb on users, groups and uids).
    public var impersonation: Impersonation? = nil

    public init(
        server: String, tls: TLSConfiguration = TLSConfiguration(), credential: Credential = .none,
        namespace: String = "default", proxyURL: String? = nil, userAgent: String = BuildInfo.userAgent,
        connectTimeout: Duration = .seconds(10), requestTimeout: Duration? = nil, execClusterConfig: JSONValue? = nil,
        disableCompression: Bool = false, source: String = "explicit configuration"
    ) {
        self.server = ClusterConfiguration.normalizeServer(server)
        self.tls = tls
        self.credential = credential
        self.namespace = namespace
        self.proxyURL = proxyURL
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.execClusterConfig = execClusterConfig
        self.disableCompression = disableCompression
        self.source = source
    }

    /// What an exec plugin with `provideClusterInfo: true` is told about the cluster.
    public var execClusterInfo: ExecClusterInfo {
        ExecClusterInfo(
            server: server, tlsServerName: tls.serverName, insecureSkipTLSVerify: tls.insecureSkipVerify,
            certificateAuthorityData: tls.caPEM, proxyURL: proxyURL, disableCompression: disableCompression,
            config: execClusterConfig)
    }

    /// A credential provider for this configuration's credential.
    public func makeCredentialProvider() -> CredentialProvider {
        CredentialProvider(credential, cluster: execClusterInfo)
    }

    /// Loads the configuration as controller-runtime does: an explicit kubeconfig path, else
    /// the files in `KUBECONFIG`, else the in-cluster service account, else
    /// `~/.kube/config`. An explicit `context` skips the in-cluster step.
    ///
    /// - Throws: ``KubeError/configuration(_:)`` saying what is missing or wrong.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClusterConfiguration {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            let config = try Kubeconfig.load(file: expandHome(kubeconfigPath, environment: environment))
            return try config.clusterConfiguration(context: context)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = Kubeconfig.paths(fromEnvironmentValue: list)
            let config = try Kubeconfig.load(files: paths.map { expandHome($0, environment: environment) })
            return try config.clusterConfiguration(context: context)
        }
        if context == nil, InClusterPaths.isInCluster(environment: environment) {
            return try inCluster(environment: environment)
        }
        let home = homeDirectory(environment)
        let path = home + "/.kube/config"
        guard FileManager.default.fileExists(atPath: path) else {
            throw KubeError.configuration(
                "no Kubernetes configuration found: \(path) does not exist, KUBECONFIG is not set, and this is not "
                    + "running in a pod (KUBERNETES_SERVICE_HOST is unset); pass --kubeconfig, set KUBECONFIG, or "
                    + "create \(path)")
        }
        return try Kubeconfig.load(file: path).clusterConfiguration(context: context)
    }

    /// The configuration of a pod's service account, as client-go's `rest.InClusterConfig`
    /// builds it: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (IPv6 hosts
    /// bracketed), the mounted token (re-read as it rotates), the mounted CA, and the pod's
    /// namespace (`POD_NAMESPACE`, else the mounted namespace file, else `default`).
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, paths: InClusterPaths = .standard
    ) throws -> ClusterConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeError.configuration(
                "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must "
                    + "be defined (they are set inside a pod); outside a cluster use a kubeconfig")
        }
        guard FileManager.default.isReadableFile(atPath: paths.token) else {
            throw KubeError.configuration(
                "unable to load in-cluster configuration: the service account token \(paths.token) is missing or "
                    + "unreadable; check that the pod mounts a service account token (automountServiceAccountToken)")
        }
        var tls = TLSConfiguration()
        if let ca = FileManager.default.contents(atPath: paths.caCertificate), !ca.isEmpty {
            tls.caPEM = [UInt8](ca)
        }
        var namespace = "default"
        if let ns = environment["POD_NAMESPACE"], !ns.isEmpty {
            namespace = ns
        } else if let data = FileManager.default.contents(atPath: paths.namespace) {
            let ns = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !ns.isEmpty { namespace = ns }
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return ClusterConfiguration(
            server: "https://\(hostPart):\(port)", tls: tls, credential: .tokenFile(path: paths.token),
            namespace: namespace, source: "in-cluster service account")
    }

    static func normalizeServer(_ server: String) -> String {
        var s = server.trimmingCharacters(in: .whitespaces)
        if !s.isEmpty, !s.contains("://") { s = "https://" + s }
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    static func homeDirectory(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    static func expandHome(_ path: String, environment: [String: String]) -> String {
        if path == "~" { return homeDirectory(environment) }
        if path.hasPrefix("~/") { return homeDirectory(environment) + String(path.dropFirst()) }
        return path
    }
}

/// Where a pod's service account is mounted; replaceable for tests.
public struct InClusterPaths: Sendable, Hashable {
    public var token: String
    public var caCertificate: String
    public var namespace: String

    public init(token: String, caCertificate: String, namespace: String) {
        self.token = token
        self.caCertificate = caCertificate
        self.namespace = namespace
    }

    /// Paths under a folder holding `token`, `ca.crt` and `namespace`.
    public init(directory: String) {
        self.init(
            token: directory + "/token", caCertificate: directory + "/ca.crt", namespace: directory + "/namespace")
    }

    public static let standard = InClusterPaths(directory: "/var/run/secrets/kubernetes.io/serviceaccount")

    static func isInCluster(environment: [String: String]) -> Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
    }
}

/// How to trust the server and, with client certificates, prove who we are.
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM of the CA bundle that signs the server certificate; nil = the system's roots.
    public var caPEM: [UInt8]?
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// Skip verifying the server certificate (`insecure-skip-tls-verify: true`).
    public var insecureSkipVerify: Bool
    /// The name to verify the server certificate against (`tls-server-name`), and SNI.
    public var serverName: String?

    public init(
        caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false, serverName: String? = nil
    ) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// Who the client authenticates as (besides a client certificate in ``TLSConfiguration``).
public enum Credential: Sendable, Hashable {
    case none
    case bearerToken(String)
    /// A token file re-read as it rotates (service account tokens, `tokenFile`).
    case tokenFile(path: String)
    case basic(username: String, password: String)
    case exec(ExecConfig)
}

/// A `client.authentication.k8s.io` exec credential plugin, as a kubeconfig user declares it.
public struct ExecConfig: Sendable, Hashable {
    public enum InteractiveMode: String, Sendable, Hashable {
        case never = "Never"
        case ifAvailable = "IfAvailable"
        case always = "Always"
    }

    public struct EnvVar: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The program: a name looked up on `PATH`, or a path (made absolute against the
    /// kubeconfig's folder when it contains a `/`).
    public var command: String
    public var args: [String]
    public var env: [EnvVar]
    /// `client.authentication.k8s.io/v1` or `/v1beta1`.
    public var apiVersion: String
    public var installHint: String?
    public var provideClusterInfo: Bool
    public var interactiveMode: InteractiveMode

    public static let v1 = "client.authentication.k8s.io/v1"
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    public init(
        command: String, args: [String] = [], env: [EnvVar] = [], apiVersion: String = ExecConfig.v1,
        installHint: String? = nil, provideClusterInfo: Bool = false, interactiveMode: InteractiveMode = .ifAvailable
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }
}

/// The cluster an exec plugin is told about in `KUBERNETES_EXEC_INFO` when it sets
/// `provideClusterInfo`.
public struct ExecClusterInfo: Sendable, Hashable {
    public var server: String
    public var tlsServerName: String?
    public var insecureSkipTLSVerify: Bool
    public var certificateAuthorityData: [UInt8]?
    public var proxyURL: String?
    public var disableCompression: Bool
    /// `extensions["client.authentication.k8s.io/exec"]` of the cluster.
    public var config: JSONValue?

    public init(
        server: String, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool = false,
        certificateAuthorityData: [UInt8]? = nil, proxyURL: String? = nil, disableCompression: Bool = false,
        config: JSONValue? = nil
    ) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityData = certificateAuthorityData
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
        self.config = config
    }

    /// The `spec.cluster` object of an ExecCredential.
    var json: JSONValue {
        var o: [String: JSONValue] = ["server": .string(server)]
        if let tlsServerName, !tlsServerName.isEmpty { o["tls-server-name"] = .string(tlsServerName) }
        if insecureSkipTLSVerify { o["insecure-skip-tls-verify"] = true }
        if let certificateAuthorityData, !certificateAuthorityData.isEmpty {
            o["certificate-authority-data"] = .string(Data(certificateAuthorityData).base64EncodedString())
        }
        if let proxyURL, !proxyURL.isEmpty { o["proxy-url"] = .string(proxyURL) }
        if disableCompression { o["disable-compression"] = true }
        if let config, !config.isNull { o["config"] = config }
        return .object(o)
    }
}
