import Foundation

/// A kubeconfig, read as kubectl reads it.
///
/// Several files (from `KUBECONFIG`) merge with the first file winning for each named
/// cluster, user and context and for `current-context`. Relative file references
/// (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`, and an exec
/// `command` containing a `/`) are resolved against the folder of the file they appear in.
public struct Kubeconfig: Sendable {
    public struct Cluster: Sendable, Hashable {
        public var server: String
        /// A file path (absolute once loaded).
        public var certificateAuthority: String?
        /// Decoded PEM bytes of `certificate-authority-data`.
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
        public var proxyURL: String?
        public var disableCompression: Bool
        /// `extensions` by name (`client.authentication.k8s.io/exec` is handed to exec plugins).
        public var extensions: [String: JSONValue]

        public init(
            server: String, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil,
            disableCompression: Bool = false, extensions: [String: JSONValue] = [:]
        ) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.disableCompression = disableCompression
            self.extensions = extensions
        }
    }

    /// A `users` entry (`AuthInfo` in client-go).
    public struct User: Sendable, Hashable {
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        /// Legacy `auth-provider` (gcp, azure, oidc), kept raw: not supported.
        public var authProvider: JSONValue?

        public init() {}
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?

        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    public var clusters: [String: Cluster]
    public var users: [String: User]
    public var contexts: [String: Context]
    public var currentContext: String?
    /// The files read, in precedence order.
    public var files: [String]

    public init(
        clusters: [String: Cluster] = [:], users: [String: User] = [:], contexts: [String: Context] = [:],
        currentContext: String? = nil, files: [String] = []
    ) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.files = files
    }

    // MARK: loading

    /// Splits a `KUBECONFIG` value on `:` (`;` on Windows), dropping empty entries and
    /// duplicates, keeping order.
    public static func paths(fromEnvironmentValue value: String) -> [String] {
        var seen = Set<String>()
        var paths: [String] = []
        for part in value.split(separator: ":", omittingEmptySubsequences: true) {
            let path = String(part).trimmingCharacters(in: .whitespaces)
            if path.isEmpty || !seen.insert(path).inserted { continue }
            paths.append(path)
        }
        return paths
    }

    /// Reads one kubeconfig file; it must exist.
    public static func load(file path: String) throws -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.configuration(
                "cannot read kubeconfig \(path): the file does not exist or is not readable; check --kubeconfig / KUBECONFIG")
        }
        let directory = (absolute(path) as NSString).deletingLastPathComponent
        var config = try parse(String(decoding: data, as: UTF8.self), directory: directory, source: path)
        config.files = [path]
        return config
    }

    /// Reads and merges several files (the `KUBECONFIG` list): files that do not exist are
    /// skipped, as kubectl skips them; at least one must exist.
    public static func load(files paths: [String]) throws -> Kubeconfig {
        var merged = Kubeconfig()
        var read: [String] = []
        for path in paths where FileManager.default.fileExists(atPath: path) {
            merged = merged.merging(try load(file: path))
            read.append(path)
        }
        guard !read.isEmpty else {
            throw KubeError.configuration(
                "none of the kubeconfig files in KUBECONFIG exist (\(paths.joined(separator: ", "))); "
                    + "fix KUBECONFIG or create one of them")
        }
        merged.files = read
        return merged
    }

    /// This config with `other` merged under it: entries already here win.
    public func merging(_ other: Kubeconfig) -> Kubeconfig {
        var result = self
        for (k, v) in other.clusters where result.clusters[k] == nil { result.clusters[k] = v }
        for (k, v) in other.users where result.users[k] == nil { result.users[k] = v }
        for (k, v) in other.contexts where result.contexts[k] == nil { result.contexts[k] = v }
        if (result.currentContext ?? "").isEmpty { result.currentContext = other.currentContext }
        result.files += other.files
        return result
    }

    /// Parses kubeconfig YAML. Relative paths resolve against `directory` when given.
    public static func parse(_ yaml: String, directory: String? = nil, source: String = "kubeconfig") throws -> Kubeconfig {
        let root: JSONValue
        do {
            root = try YAML.decode(yaml)
        } catch let error as KubeError {
            throw KubeError.configuration("cannot parse \(source): \(error.description)")
        }
        if root.isNull { return Kubeconfig() }
        guard case .object = root else {
            throw KubeError.configuration("cannot parse \(source): the top level must be a mapping with clusters, users and contexts")
        }
        let reader = Reader(source: source, directory: directory)
        var config = Kubeconfig()
        config.currentContext = root["current-context"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
        for (name, entry) in try reader.namedList(root["clusters"], listName: "clusters", itemKey: "cluster") {
            config.clusters[name] = try reader.cluster(entry, name: name)
        }
        for (name, entry) in try reader.namedList(root["users"], listName: "users", itemKey: "user") {
            config.users[name] = try reader.user(entry, name: name)
        }
        for (name, entry) in try reader.namedList(root["contexts"], listName: "contexts", itemKey: "context") {
            config.contexts[name] = Context(
                cluster: entry["cluster"].stringValue ?? "", user: entry["user"].stringValue ?? "",
                namespace: entry["namespace"].stringValue.flatMap { $0.isEmpty ? nil : $0 })
        }
        return config
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    // MARK: resolving a context

    /// The configuration for a context (the current one when nil), with certificates read
    /// and credentials chosen as client-go does.
    public func clusterConfiguration(context requested: String? = nil) throws -> ClusterConfiguration {
        let where_ = files.isEmpty ? "the kubeconfig" : files.joined(separator: ":")
        let available = contexts.keys.sorted()
        let contextName: String
        if let requested, !requested.isEmpty {
            contextName = requested
        } else if let current = currentContext, !current.isEmpty {
            contextName = current
        } else {
            throw KubeError.configuration(
                "\(where_) has no current-context; pass --context"
                    + (available.isEmpty ? "" : " (one of: \(available.joined(separator: ", ")))")
                    + " or run \"kubectl config use-context NAME\"")
        }
        guard let context = contexts[contextName] else {
            throw KubeError.configuration(
                "context \"\(contextName)\" does not exist in \(where_)"
                    + (available.isEmpty ? "; it defines no contexts" : "; available contexts: \(available.joined(separator: ", "))"))
        }
        guard let cluster = clusters[context.cluster] else {
            throw KubeError.configuration(
                "context \"\(contextName)\" refers to cluster \"\(context.cluster)\", which \(where_) does not define; "
                    + "add it with \"kubectl config set-cluster\"")
        }
        guard !cluster.server.isEmpty else {
            throw KubeError.configuration("cluster \"\(context.cluster)\" in \(where_) has no server defined; set its server URL")
        }
        var user = User()
        if !context.user.isEmpty {
            guard let found = users[context.user] else {
                throw KubeError.configuration(
                    "user \"\(context.user)\" was not found for context \"\(contextName)\" in \(where_); "
                        + "add it with \"kubectl config set-credentials\"")
            }
            user = found
        }

        var tls = TLSConfiguration(insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            tls.caPEM = data
        } else if let path = cluster.certificateAuthority, !path.isEmpty {
            tls.caPEM = try Kubeconfig.readFile(path, what: "certificate-authority", of: "cluster \"\(context.cluster)\"")
        }
        if tls.insecureSkipVerify && tls.caPEM != nil {
            throw KubeError.configuration(
                "cluster \"\(context.cluster)\" sets both insecure-skip-tls-verify and a certificate authority, which "
                    + "kubectl refuses (\"specifying a root certificates file with the insecure flag is not allowed\"); "
                    + "remove one of them")
        }
        if let data = user.clientCertificateData, !data.isEmpty {
            tls.clientCertificatePEM = data
        } else if let path = user.clientCertificate, !path.isEmpty {
            tls.clientCertificatePEM = try Kubeconfig.readFile(path, what: "client-certificate", of: "user \"\(context.user)\"")
        }
        if let data = user.clientKeyData, !data.isEmpty {
            tls.clientKeyPEM = data
        } else if let path = user.clientKey, !path.isEmpty {
            tls.clientKeyPEM = try Kubeconfig.readFile(path, what: "client-key", of: "user \"\(context.user)\"")
        }
        if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
            throw KubeError.configuration(
                "user \"\(context.user)\" has a client certificate without a key or a key without a certificate; "
                    + "set both client-certificate(-data) and client-key(-data)")
        }

        let hasToken = !(user.token ?? "").isEmpty || !(user.tokenFile ?? "").isEmpty
        let hasBasic = !(user.username ?? "").isEmpty || !(user.password ?? "").isEmpty
        if hasToken && hasBasic {
            throw KubeError.configuration(
                "more than one authentication method found for user \"\(context.user)\"; found [token basicAuth], "
                    + "only one is allowed: remove the token or the username/password")
        }
        if user.exec != nil && user.authProvider != nil {
            throw KubeError.configuration(
                "user \"\(context.user)\": authProvider cannot be provided in combination with an exec plugin; remove one")
        }
        let credential: Credential
        if let exec = user.exec {
            credential = .exec(exec)
        } else if let file = user.tokenFile, !file.isEmpty {
            credential = .tokenFile(path: file)
        } else if let token = user.token, !token.isEmpty {
            credential = .bearerToken(token)
        } else if hasBasic {
            credential = .basic(username: user.username ?? "", password: user.password ?? "")
        } else if let provider = user.authProvider {
            let name = provider["name"].stringValue ?? "unknown"
            throw KubeError.configuration(
                "user \"\(context.user)\" uses the \"\(name)\" auth-provider, which kubectl removed; switch to its exec "
                    + "plugin (gke-gcloud-auth-plugin, kubelogin) with \"kubectl config set-credentials\"")
        } else {
            credential = .none
        }

        return ClusterConfiguration(
            server: cluster.server, tls: tls, credential: credential, namespace: context.namespace ?? "default",
            proxyURL: cluster.proxyURL.flatMap { $0.isEmpty ? nil : $0 },
            execClusterConfig: cluster.extensions["client.authentication.k8s.io/exec"],
            disableCompression: cluster.disableCompression, source: "\(where_), context \"\(contextName)\"")
    }

    static func readFile(_ path: String, what: String, of owner: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError.configuration(
                "unable to read \(what) \(path) for \(owner): the file does not exist or is not readable")
        }
        return [UInt8](data)
    }

    // MARK: field reader

    struct Reader {
        var source: String
        var directory: String?

        func fail(_ message: String) -> KubeError { KubeError.configuration("invalid kubeconfig \(source): \(message)") }

        /// `[{name, <itemKey>: {...}}]` as (name, item) pairs, first occurrence of a name kept.
        func namedList(_ value: JSONValue, listName: String, itemKey: String) throws -> [(String, JSONValue)] {
            if value.isNull { return [] }
            guard let items = value.arrayValue else { throw fail("\(listName) must be a list") }
            var seen = Set<String>()
            var out: [(String, JSONValue)] = []
            for (i, item) in items.enumerated() {
                guard let name = string(item["name"]), !name.isEmpty else {
                    throw fail("\(listName)[\(i)] has no name")
                }
                if !seen.insert(name).inserted { continue }
                let body = item[itemKey]
                out.append((name, body.isNull ? .emptyObject : body))
            }
            return out
        }

        /// Strings, and scalars YAML typed otherwise (a numeric token, say), as text.
        func string(_ value: JSONValue) -> String? {
            switch value {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            default: return nil
            }
        }

        func bool(_ value: JSONValue, _ field: String) throws -> Bool {
            switch value {
            case .null: return false
            case .bool(let b): return b
            case .string(let s) where s == "true" || s == "false": return s == "true"
            default: throw fail("\(field) must be true or false")
            }
        }

        func path(_ value: JSONValue) -> String? {
            guard let p = string(value), !p.isEmpty else { return nil }
            return resolve(p)
        }

        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") { return p }
            guard let directory else { return p }
            return directory + "/" + p
        }

        func base64(_ value: JSONValue, _ field: String) throws -> [UInt8]? {
            guard let text = string(value), !text.isEmpty else { return nil }
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw fail("\(field) is not valid base64")
            }
            return [UInt8](data)
        }

        func cluster(_ entry: JSONValue, name: String) throws -> Cluster {
            var extensions: [String: JSONValue] = [:]
            if let list = entry["extensions"].arrayValue {
                for ext in list {
                    if let extName = string(ext["name"]) { extensions[extName] = ext["extension"] }
                }
            }
            return Cluster(
                server: string(entry["server"]) ?? "",
                certificateAuthority: path(entry["certificate-authority"]),
                certificateAuthorityData: try base64(
                    entry["certificate-authority-data"], "clusters[\(name)].certificate-authority-data"),
                insecureSkipTLSVerify: try bool(
                    entry["insecure-skip-tls-verify"], "clusters[\(name)].insecure-skip-tls-verify"),
                tlsServerName: string(entry["tls-server-name"]).flatMap { $0.isEmpty ? nil : $0 },
                proxyURL: string(entry["proxy-url"]).flatMap { $0.isEmpty ? nil : $0 },
                disableCompression: try bool(entry["disable-compression"], "clusters[\(name)].disable-compression"),
                extensions: extensions)
        }

        func user(_ entry: JSONValue, name: String) throws -> User {
            var user = User()
            user.clientCertificate = path(entry["client-certificate"])
            user.clientCertificateData = try base64(entry["client-certificate-data"], "users[\(name)].client-certificate-data")
            user.clientKey = path(entry["client-key"])
            user.clientKeyData = try base64(entry["client-key-data"], "users[\(name)].client-key-data")
            user.token = string(entry["token"]).flatMap { $0.isEmpty ? nil : $0 }
            user.tokenFile = path(entry["tokenFile"])
            user.username = string(entry["username"]).flatMap { $0.isEmpty ? nil : $0 }
            user.password = string(entry["password"]).flatMap { $0.isEmpty ? nil : $0 }
            if !entry["auth-provider"].isNull { user.authProvider = entry["auth-provider"] }
            if !entry["exec"].isNull { user.exec = try exec(entry["exec"], user: name) }
            return user
        }

        func exec(_ entry: JSONValue, user: String) throws -> ExecConfig {
            guard let command = string(entry["command"]), !command.isEmpty else {
                throw fail("command must be specified for user \"\(user)\" to use exec authentication plugin")
            }
            guard let apiVersion = string(entry["apiVersion"]), !apiVersion.isEmpty else {
                throw fail(
                    "apiVersion must be specified for user \"\(user)\" to use exec authentication plugin "
                        + "(client.authentication.k8s.io/v1 or v1beta1)")
            }
            guard apiVersion == ExecConfig.v1 || apiVersion == ExecConfig.v1beta1 else {
                throw fail(
                    "exec plugin apiVersion \"\(apiVersion)\" for user \"\(user)\" is not supported; use "
                        + "\(ExecConfig.v1) or \(ExecConfig.v1beta1)")
            }
            var args: [String] = []
            if let list = entry["args"].arrayValue { args = list.compactMap { string($0) } }
            var env: [ExecConfig.EnvVar] = []
            if let list = entry["env"].arrayValue {
                for (i, item) in list.enumerated() {
                    guard let n = string(item["name"]) else { throw fail("users[\(user)].exec.env[\(i)] has no name") }
                    env.append(ExecConfig.EnvVar(name: n, value: string(item["value"]) ?? ""))
                }
            }
            let mode: ExecConfig.InteractiveMode
            if let text = string(entry["interactiveMode"]), !text.isEmpty {
                guard let m = ExecConfig.InteractiveMode(rawValue: text) else {
                    throw fail(
                        "invalid interactiveMode \"\(text)\" for user \"\(user)\": valid values are Never, IfAvailable, Always")
                }
                mode = m
            } else if apiVersion == ExecConfig.v1beta1 {
                mode = .ifAvailable
            } else {
                throw fail(
                    "interactiveMode must be specified for user \"\(user)\" to use exec authentication plugin "
                        + "(Never, IfAvailable or Always)")
            }
            // A command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH.
            let resolvedCommand = command.contains("/") ? resolve(command) : command
            return ExecConfig(
                command: resolvedCommand, args: args, env: env, apiVersion: apiVersion,
                installHint: string(entry["installHint"]).flatMap { $0.isEmpty ? nil : $0 },
                provideClusterInfo: try bool(entry["provideClusterInfo"], "users[\(user)].exec.provideClusterInfo"),
                interactiveMode: mode)
        }
    }
}
