import Foundation

/// The shared `~/.aws/credentials` and `~/.aws/config` files: INI sections of `key = value`.
/// In `config`, profiles other than `default` are written `[profile name]`.
public struct AWSSharedConfig: Sendable, Hashable {
    /// Settings per profile: the credentials file's over the config file's.
    public var profiles: [String: [String: String]]

    public init(profiles: [String: [String: String]] = [:]) { self.profiles = profiles }

    /// Reads both files where the environment (or the defaults under `$HOME/.aws`) says.
    public static func load(environment: [String: String]) -> AWSSharedConfig {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        var profiles: [String: [String: String]] = [:]
        if let text = try? String(contentsOfFile: configPath, encoding: .utf8) {
            for (section, values) in parseINI(text) {
                let name: String
                if section == "default" { name = "default" }
                else if section.hasPrefix("profile ") { name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces) }
                else { continue } // sso-session, services: not profiles
                profiles[name, default: [:]].merge(values) { _, new in new }
            }
        }
        if let text = try? String(contentsOfFile: credentialsPath, encoding: .utf8) {
            for (section, values) in parseINI(text) {
                profiles[section, default: [:]].merge(values) { _, new in new }
            }
        }
        return AWSSharedConfig(profiles: profiles)
    }

    /// The profile the environment selects (`AWS_PROFILE`, else `default`).
    public static func profileName(environment: [String: String]) -> String {
        environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
    }

    public func value(_ key: String, profile: String) -> String? {
        guard let v = profiles[profile]?[key], !v.isEmpty else { return nil }
        return v
    }

    /// Sections in order, keys lowercased; `#` and `;` start comments; indented lines
    /// (nested `s3 =` blocks) are skipped.
    static func parseINI(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            if raw.first == " " || raw.first == "\t" { continue }
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                sections.append((String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces), [:]))
                continue
            }
            guard let eq = line.firstIndex(of: "="), !sections.isEmpty else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }
}

/// Credentials written in a profile of the shared files.
public struct ProfileAWSCredentials: AWSCredentialProvider {
    public var config: AWSSharedConfig
    public var profile: String

    public init(config: AWSSharedConfig, profile: String) {
        self.config = config
        self.profile = profile
    }

    public func credentials() async throws -> AWSCredentials? {
        let id = config.value("aws_access_key_id", profile: profile)
        let secret = config.value("aws_secret_access_key", profile: profile)
        switch (id, secret) {
        case (nil, nil): return nil
        case (let id?, let secret?):
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret,
                                  sessionToken: config.value("aws_session_token", profile: profile), source: "profile \(profile)")
        default:
            throw CloudError(.credentials, "the profile \(profile) has only one of aws_access_key_id and aws_secret_access_key; set both")
        }
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
public struct EnvironmentAWSCredentials: AWSCredentialProvider {
    public var environment: [String: String]
    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws -> AWSCredentials? {
        let id = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, secret) {
        case (nil, nil): return nil
        case (let id?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token, source: "environment")
        default:
            throw CloudError(.credentials, "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set both")
        }
    }
}
