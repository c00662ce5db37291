import Foundation

/// Writes kubeconfig files the way `kind` does: one cluster with the CA inlined, users with
/// inlined client certificates or tokens, a context per user.
public struct KubeconfigWriter: Sendable {
    public var clusterName: String
    public var server: String
    public var caPEM: String?

    public enum Credential: Sendable {
        case clientCertificate(certificatePEM: String, keyPEM: String)
        case token(String)
        case none
    }

    public struct User: Sendable {
        public var name: String
        public var credential: Credential

        public init(name: String, credential: Credential) {
            self.name = name
            self.credential = credential
        }
    }

    public init(clusterName: String, server: String, caPEM: String?) {
        self.clusterName = clusterName
        self.server = server
        self.caPEM = caPEM
    }

    /// The kubeconfig text; the first user is the current context.
    public func render(users: [User], namespace: String? = nil) -> String {
        func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        var lines = ["apiVersion: v1", "kind: Config", "clusters:", "- cluster:"]
        if let caPEM { lines.append("    certificate-authority-data: \(b64(caPEM))") }
        lines += ["    server: \(server)", "  name: \(clusterName)", "contexts:"]
        for user in users {
            lines += ["- context:", "    cluster: \(clusterName)"]
            if let namespace { lines.append("    namespace: \(namespace)") }
            lines += ["    user: \(user.name)", "  name: \(contextName(user))"]
        }
        lines.append("current-context: \(users.first.map(contextName) ?? clusterName)")
        lines += ["preferences: {}", "users:"]
        for user in users {
            lines += ["- name: \(user.name)", "  user:"]
            switch user.credential {
            case .clientCertificate(let cert, let key):
                lines += ["    client-certificate-data: \(b64(cert))", "    client-key-data: \(b64(key))"]
            case .token(let token):
                lines.append("    token: \(token)")
            case .none:
                lines[lines.count - 1] = "  user: {}"
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each user gets a context of the same name.
    private func contextName(_ user: User) -> String { user.name }

    /// Writes `text` to `path` readable only by its owner (it holds credentials).
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
