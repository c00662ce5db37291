/// A container image reference split into repository, tag and digest, enough to judge
/// whether it names one image (digest), a version (tag) or whatever is newest.
struct ImageName: Sendable, Hashable {
    var repository: String
    var tag: String?
    /// `sha256:<64 hex>` when pinned.
    var digest: String?

    init(_ reference: String) {
        var rest = reference
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        // A colon after the last slash separates the tag; one before it is a registry port.
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        repository = rest
    }

    var isDigestPinned: Bool { digest != nil }

    /// The problem with this reference, or nil when it is usable.
    var problem: String? {
        if repository.isEmpty || repository.contains(where: { $0.isWhitespace || $0.isUppercase }) {
            return "is not an image reference (the repository must be lowercase, without spaces)"
        }
        if let digest {
            let hex = digest.dropFirst("sha256:".count)
            guard digest.hasPrefix("sha256:"), hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                return "has a malformed digest (expected sha256: and 64 lowercase hex digits)"
            }
        }
        if let tag {
            let allowed = tag.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
            if tag.isEmpty || tag.count > 128 || !allowed || tag.first == "." || tag.first == "-" {
                return "has a malformed tag"
            }
        }
        if digest == nil && (tag == nil || tag == "latest") {
            return "names no version (untagged or :latest), so what runs changes under the workload"
        }
        return nil
    }

    /// The tag, or the start of the digest, as `app.kubernetes.io/version`.
    var version: String? {
        if let tag { return tag }
        return digest.map { String($0.dropFirst("sha256:".count).prefix(12)) }
    }
}
