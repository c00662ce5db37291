/// A user requests act as, through the API server's impersonation headers (as
/// `kubectl --as USER --as-group GROUP` sends them).
public struct Impersonation: Sendable, Hashable {
    public var user: String
    public var groups: [String]
    public var uid: String?

    public init(user: String, groups: [String] = [], uid: String? = nil) {
        self.user = user
        self.groups = groups
        self.uid = uid
    }

    /// The request headers, in order.
    public var headers: [(String, String)] {
        var headers = [("Impersonate-User", user)]
        for group in groups { headers.append(("Impersonate-Group", group)) }
        if let uid { headers.append(("Impersonate-Uid", uid)) }
        return headers
    }
}
