import Foundation

/// Image references as containerd reports them in container statuses.
enum ImageReference {
    /// `nginx:1.27` → `docker.io/library/nginx:1.27`; `nginx` → `docker.io/library/nginx:latest`.
    static func normalized(_ image: String) -> String {
        var name = image
        var suffix = ""
        if let at = name.firstIndex(of: "@") {
            suffix = String(name[at...])
            name = String(name[..<at])
        } else if ImageTagConvention.tag(of: name) == nil {
            suffix = ":latest"
        }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let hasRegistry = parts.count == 2 && (parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost")
        if !hasRegistry {
            name = (parts.count == 1 ? "docker.io/library/" : "docker.io/") + name
        }
        return name + suffix
    }

    /// `docker.io/library/nginx@sha256:…`, a stable digest derived from the reference.
    static func digestReference(_ image: String) -> String {
        let normalized = normalized(image)
        var repository = normalized
        if repository.contains("@") { return normalized }
        if let tag = ImageTagConvention.tag(of: repository) { repository.removeLast(tag.count + 1) }
        return "\(repository)@sha256:\(NodeTemplate.hex("image:" + normalized, 64))"
    }

    /// A plausible, stable image size in bytes.
    static func size(_ image: String) -> Int {
        let digits = NodeTemplate.hex("size:" + image, 8)
        return 20_000_000 + Int(UInt32(digits, radix: 16) ?? 0) % 180_000_000
    }
}
