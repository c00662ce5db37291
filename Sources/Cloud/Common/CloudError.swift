import Foundation

/// A failure of a cloud call, worded for a status message or a tool reply: what failed,
/// the provider's own code and text, and what to do about it. Never holds a secret.
public struct CloudError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No credentials could be found, or they are malformed.
        case credentials
        /// The credentials were refused (invalid, expired, or not allowed to do this).
        case unauthorized
        /// The provider throttled the call and retries ran out.
        case throttled
        /// The provider refused the request (bad parameter, unknown resource…).
        case request
        /// The provider could not be reached.
        case unreachable
        /// The provider answered something this program cannot read.
        case malformed
        /// Configuration (region, project, endpoint) is missing or invalid.
        case configuration
    }

    public var kind: Kind
    /// The provider's error code (`UnauthorizedOperation`, `PERMISSION_DENIED`), if any.
    public var code: String?
    public var message: String
    /// The operation that failed (`ec2:DescribeInstances`, `compute.instances.start`).
    public var operation: String?
    public var httpStatus: Int?

    public init(_ kind: Kind, _ message: String, code: String? = nil, operation: String? = nil, httpStatus: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.operation = operation
        self.httpStatus = httpStatus
    }

    public var description: String {
        var head = operation.map { "\($0) failed" } ?? "cloud call failed"
        if let code { head += " (\(code))" }
        return "\(head): \(message)\(Self.advice(kind, code: code))"
    }

    static func advice(_ kind: Kind, code: String?) -> String {
        switch kind {
        case .credentials: return "; configure credentials (see the README's Cloud section)"
        case .unauthorized:
            if let code, code.lowercased().contains("expired") { return "; the credentials expired: refresh them or let the operator fetch new ones" }
            return "; grant the permission listed in the README's least-privilege policy, or check the credentials"
        case .throttled: return "; the provider kept throttling after retries: lower the call rate (a longer interval)"
        case .unreachable: return "; check the endpoint, the network and any endpoint override"
        case .configuration, .request, .malformed: return ""
        }
    }
}
