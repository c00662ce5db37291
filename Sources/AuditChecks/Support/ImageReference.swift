/// A container image reference split into registry, repository, tag and digest, the way
/// container runtimes read it: the first path component is a registry host when it has a
/// `.` or a `:`, or is `localhost`; otherwise the image comes from `docker.io`.
struct ImageReference: Sendable, Hashable {
    var registry: String
    var repository: String
    var tag: String?
    var digest: String?

    init(_ reference: String) {
        var rest = Substring(reference)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/")
        let nameStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[nameStart...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        let components = rest.split(separator: "/", maxSplits: 1)
        if components.count == 2,
            components[0].contains(".") || components[0].contains(":") || components[0] == "localhost"
        {
            registry = String(components[0])
            repository = String(components[1])
        } else {
            registry = "docker.io"
            repository = String(rest)
        }
    }

    var isDigestPinned: Bool { digest?.hasPrefix("sha256:") ?? false }

    /// `:latest` or no tag, without a digest (a digest decides what is pulled, whatever the tag).
    var usesLatest: Bool { digest == nil && (tag == nil || tag == "latest") }
}
