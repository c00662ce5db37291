import Foundation
import Logging

/// Everything `opsagent run` is configured with, from flags and the matching environment
/// variables (a flag wins over its variable, a variable over the default).
public struct RunSettings: Sendable, Equatable {
    public var kubeconfig: String?
    public var context: String?
    public var namespaces: NamespaceScope = .all
    public var workers = 1
    public var leaderElect = false
    public var leaderElectionID = "opsagent-leader"
    public var leaderElectionNamespace: String?
    public var metricsAddress: BindAddressSpec? = BindAddressSpec(host: "0.0.0.0", port: 8080)
    public var healthAddress: BindAddressSpec? = BindAddressSpec(host: "0.0.0.0", port: 8081)
    /// Who may read `/metrics`: anyone who reaches it, or only users RBAC allows (``MetricsAccess``).
    public var metricsAuth: MetricsAuthMode = .none
    /// Serve `/metrics` over TLS, with the certificate in `metricsCertDirectory` or a self-signed one.
    public var metricsSecure = false
    /// Where `tls.crt` and `tls.key` for `/metrics` are; nil: a self-signed certificate.
    public var metricsCertDirectory: String?
    public var shutdownTimeout: Duration = .seconds(25)
    public var logFormat: LogFormat = .auto
    public var logLevel: Logger.Level = .info
    /// How the informers keep cached objects (``CacheStorage``).
    public var cacheStorage: CacheStorage = ManagerConfiguration().cacheStorage

    public init() {}

    /// The flag values a command line gave (nil: not given).
    public struct Flags: Sendable {
        public var kubeconfig: String?
        public var context: String?
        public var namespaces: String?
        public var workers: Int?
        public var leaderElect: Bool?
        public var leaderElectionID: String?
        public var leaderElectionNamespace: String?
        public var metricsBindAddress: String?
        public var healthProbeBindAddress: String?
        public var metricsAuth: String?
        public var metricsSecure: Bool?
        public var metricsCertDirectory: String?
        public var shutdownTimeoutSeconds: Int?
        public var logFormat: String?
        public var logLevel: String?
        public var cacheStorage: String?

        public init() {}
    }

    /// The environment variable of each setting.
    public enum Variable: String, CaseIterable, Sendable {
        case kubeconfig = "OPSAGENT_KUBECONFIG"
        case context = "OPSAGENT_CONTEXT"
        case namespaces = "OPSAGENT_NAMESPACES"
        case workers = "OPSAGENT_WORKERS"
        case leaderElect = "OPSAGENT_LEADER_ELECT"
        case leaderElectionID = "OPSAGENT_LEADER_ELECTION_ID"
        case leaderElectionNamespace = "OPSAGENT_LEADER_ELECTION_NAMESPACE"
        case metricsBindAddress = "OPSAGENT_METRICS_BIND_ADDRESS"
        case healthProbeBindAddress = "OPSAGENT_HEALTH_PROBE_BIND_ADDRESS"
        case metricsAuth = "OPSAGENT_METRICS_AUTH"
        case metricsSecure = "OPSAGENT_METRICS_SECURE"
        case metricsCertDirectory = "OPSAGENT_METRICS_CERT_DIR"
        case shutdownTimeout = "OPSAGENT_SHUTDOWN_TIMEOUT_SECONDS"
        case logFormat = "OPSAGENT_LOG_FORMAT"
        case logLevel = "OPSAGENT_LOG_LEVEL"
        case cacheStorage = "OPSAGENT_CACHE_STORAGE"
    }

    /// Resolves flags over environment over defaults, validating every value.
    public static func resolve(flags: Flags, environment: [String: String]) throws -> RunSettings {
        func value(_ flag: String?, _ variable: Variable) -> (String, String)? {
            if let flag { return (flag, "flag for \(variable)") }
            if let text = environment[variable.rawValue], !text.isEmpty { return (text, variable.rawValue) }
            return nil
        }
        var settings = RunSettings()
        settings.kubeconfig = value(flags.kubeconfig, .kubeconfig)?.0 ?? environment["KUBECONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        settings.context = value(flags.context, .context)?.0
        if let (text, _) = value(flags.namespaces, .namespaces) { settings.namespaces = NamespaceScope(parsing: text) }
        if let workers = flags.workers {
            settings.workers = workers
        } else if let (text, source) = value(nil, .workers) {
            guard let workers = Int(text) else { throw RunSettingsError.invalid(source, text, "a whole number such as 2") }
            settings.workers = workers
        }
        guard settings.workers >= 1 else {
            throw RunSettingsError.invalid("--workers", String(settings.workers), "at least 1")
        }
        if let flag = flags.leaderElect {
            settings.leaderElect = flag
        } else if let (text, source) = value(nil, .leaderElect) {
            switch text.lowercased() {
            case "1", "true", "yes", "on": settings.leaderElect = true
            case "0", "false", "no", "off": settings.leaderElect = false
            default: throw RunSettingsError.invalid(source, text, "true or false")
            }
        }
        if let (text, _) = value(flags.leaderElectionID, .leaderElectionID) { settings.leaderElectionID = text }
        settings.leaderElectionNamespace =
            value(flags.leaderElectionNamespace, .leaderElectionNamespace)?.0 ?? environment["POD_NAMESPACE"]
        if let (text, _) = value(flags.metricsBindAddress, .metricsBindAddress) {
            settings.metricsAddress = try BindAddressSpec.parse(text)
        }
        if let (text, _) = value(flags.healthProbeBindAddress, .healthProbeBindAddress) {
            settings.healthAddress = try BindAddressSpec.parse(text)
        }
        if let (text, source) = value(flags.metricsAuth, .metricsAuth) {
            guard let mode = MetricsAuthMode(rawValue: text.lowercased()) else {
                throw RunSettingsError.invalid(source, text, "none or kubernetes")
            }
            settings.metricsAuth = mode
        }
        if let flag = flags.metricsSecure {
            settings.metricsSecure = flag
        } else if let (text, source) = value(nil, .metricsSecure) {
            switch text.lowercased() {
            case "1", "true", "yes", "on": settings.metricsSecure = true
            case "0", "false", "no", "off": settings.metricsSecure = false
            default: throw RunSettingsError.invalid(source, text, "true or false")
            }
        }
        settings.metricsCertDirectory = value(flags.metricsCertDirectory, .metricsCertDirectory)?.0
        if let seconds = flags.shutdownTimeoutSeconds {
            settings.shutdownTimeout = .seconds(seconds)
        } else if let (text, source) = value(nil, .shutdownTimeout) {
            guard let seconds = Int(text), seconds >= 0 else {
                throw RunSettingsError.invalid(source, text, "a number of seconds such as 25")
            }
            settings.shutdownTimeout = .seconds(seconds)
        }
        if let (text, source) = value(flags.logFormat, .logFormat) {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw RunSettingsError.invalid(source, text, "json, text or auto")
            }
            settings.logFormat = format
        }
        if let (text, source) = value(flags.cacheStorage, .cacheStorage) {
            guard let storage = CacheStorage(rawValue: text.lowercased()) else {
                throw RunSettingsError.invalid(source, text, "compact or decoded")
            }
            settings.cacheStorage = storage
        }
        if let (text, source) = value(flags.logLevel, .logLevel) {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw RunSettingsError.invalid(source, text, "trace, debug, info, notice, warning, error or critical")
            }
            settings.logLevel = level
        }
        return settings
    }
}

/// Who may read `/metrics`.
public enum MetricsAuthMode: String, Sendable, CaseIterable {
    /// Anyone who can reach the port (bind it to 127.0.0.1 to keep it in the pod).
    case none
    /// Bearer tokens checked with a TokenReview, then a SubjectAccessReview for `get /metrics`.
    case kubernetes
}

/// A setting with a value `opsagent run` cannot use.
public enum RunSettingsError: Error, CustomStringConvertible {
    case invalid(String, String, String)

    public var description: String {
        switch self {
        case .invalid(let source, let value, let expected):
            return "\(source) is \"\(value)\"; expected \(expected)"
        }
    }
}
