import KubeClient

/// Why a patch could not be applied.
///
/// `kind` tells the server which status to answer with: a patch that cannot be read is a
/// `400 BadRequest`; a well-formed patch that does not fit the object (a failed `test`, a
/// path that does not exist) is a `422 Unprocessable Entity`, as kube-apiserver answers.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The patch document itself is malformed (HTTP 400).
        case badRequest
        /// The patch is well formed but cannot be applied to this object (HTTP 422).
        case unprocessable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The HTTP status code kube-apiserver answers with for this error.
    public var httpStatus: Int { kind == .badRequest ? 400 : 422 }

    static func bad(_ message: String) -> PatchError { PatchError(.badRequest, message) }
    static func unprocessable(_ message: String) -> PatchError { PatchError(.unprocessable, message) }
}
