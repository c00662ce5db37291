import Foundation
import KubeClient

extension CloudClients {
    /// Every credential value these clients hold or may send: AWS secret keys and session
    /// tokens (configured, from the SDK variables, or fetched by the chain and cached), the
    /// GCP service-account private key (and each line of its PEM body) and the access tokens
    /// cached now. Consumers that show cloud answers to someone (the MCP tools) redact these
    /// wherever they appear; nothing here is ever rendered.
    public func credentialValues() async -> Set<String> {
        var values = Set<String>()
        func add(_ value: String?) {
            guard let value, value.count >= 8 else { return }
            values.insert(value)
        }
        if let settings = awsSettings {
            add(settings.staticCredentials?.secretAccessKey)
            add(settings.staticCredentials?.sessionToken)
            add(settings.environment["AWS_SECRET_ACCESS_KEY"])
            add(settings.environment["AWS_SESSION_TOKEN"])
        }
        for client in awsClients.withLock({ Array($0.values) }) {
            if let cached = await client.credentials.cached {
                add(cached.secretAccessKey)
                add(cached.sessionToken)
            }
        }
        if let settings = gcpSettings {
            var keys: [[UInt8]] = settings.serviceAccountKey.map { [$0] } ?? []
            if let path = settings.environment["GOOGLE_APPLICATION_CREDENTIALS"], let data = FileManager.default.contents(atPath: path) {
                keys.append(Array(data))
            }
            for key in keys {
                guard let pem = (try? JSONValue(parsing: key))?["private_key"].stringValue else { continue }
                add(pem)
                for line in pem.split(whereSeparator: \.isNewline) where !line.hasPrefix("-----") { add(String(line)) }
            }
        }
        if let client = gcpClient.withLock({ $0 }), let token = await client.tokens.cached { add(token.value) }
        return values
    }
}
