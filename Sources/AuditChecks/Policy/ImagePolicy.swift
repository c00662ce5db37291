/// Rules for image references: where images may come from and how they must be pinned.
public struct ImagePolicy: Sendable, Hashable, Codable {
    /// Registry hosts (`ghcr.io`, `registry.example:5000`) or host/path prefixes
    /// (`ghcr.io/acme/`) images may come from; empty allows every registry. Images
    /// without a host come from `docker.io`.
    public var allowedRegistries: [String]
    /// Whether every image must be pinned by `@sha256:` digest.
    public var requireDigest: Bool
    /// Whether `:latest` and untagged images are reported.
    public var forbidLatest: Bool

    public init(allowedRegistries: [String] = [], requireDigest: Bool = false, forbidLatest: Bool = true) {
        self.allowedRegistries = allowedRegistries
        self.requireDigest = requireDigest
        self.forbidLatest = forbidLatest
    }

    enum CodingKeys: String, CodingKey { case allowedRegistries, requireDigest, forbidLatest }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            allowedRegistries: try c.decodeIfPresent([String].self, forKey: .allowedRegistries) ?? [],
            requireDigest: try c.decodeIfPresent(Bool.self, forKey: .requireDigest) ?? false,
            forbidLatest: try c.decodeIfPresent(Bool.self, forKey: .forbidLatest) ?? true)
    }

    /// Whether `image` comes from an allowed registry.
    func allows(_ image: ImageReference) -> Bool {
        if allowedRegistries.isEmpty { return true }
        let full = image.registry + "/" + image.repository
        return allowedRegistries.contains { entry in
            let allowed = entry.hasSuffix("/") ? String(entry.dropLast()) : entry
            return image.registry == allowed || full.hasPrefix(allowed + "/")
        }
    }
}
