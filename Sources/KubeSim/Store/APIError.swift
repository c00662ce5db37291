import KubeClient

/// A failed API request, carried as the `Status` body kube-apiserver sends, with the same
/// codes, reasons and message wording so clients that parse them behave as against a real cluster.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: Details?

    public struct Details: Sendable, Equatable {
        public var name: String?
        public var group: String?
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]
        public var retryAfterSeconds: Int?

        public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
                    causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    /// One reason a request was rejected, pointing at a field when there is one.
    public struct Cause: Sendable, Equatable {
        public var type: String
        public var message: String
        public var field: String?

        public init(type: String, message: String, field: String? = nil) {
            self.type = type
            self.message = message
            self.field = field
        }
    }

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` a client receives, as kube-apiserver encodes it: members in the Go struct's
    /// order (`kind`, `apiVersion`, `metadata`, `status`, `message`, `reason`, `details`, `code`),
    /// so bodies compare equal as text.
    public var statusBytes: [UInt8] {
        Array(Self.encodeStatus(status: "Failure", message: message, reason: reason, details: details, code: code).utf8)
    }

    /// `metav1.Status` in field order; empty members are left out (`omitempty`).
    public static func encodeStatus(status: String, message: String, reason: String, details: Details?, code: Int) -> String {
        func quoted(_ text: String) -> String { JSONValue.string(text).serialized() }
        func members(_ pairs: [(String, String?)]) -> String {
            "{" + pairs.compactMap { key, value in value.map { "\(quoted(key)):\($0)" } }.joined(separator: ",") + "}"
        }
        func text(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : quoted($0) } }
        var detailsText: String?
        if let details {
            let causes = details.causes.isEmpty ? nil : "[" + details.causes.map { cause in
                members([("reason", text(cause.type)), ("message", text(cause.message)), ("field", text(cause.field))])
            }.joined(separator: ",") + "]"
            detailsText = members([("name", text(details.name)), ("group", text(details.group)), ("kind", text(details.kind)),
                                   ("uid", text(details.uid)), ("causes", causes),
                                   ("retryAfterSeconds", details.retryAfterSeconds.map(String.init))])
        }
        return members([("kind", quoted("Status")), ("apiVersion", quoted("v1")), ("metadata", "{}"),
                        ("status", text(status)), ("message", text(message)), ("reason", text(reason)),
                        ("details", detailsText), ("code", code == 0 ? nil : String(code))])
    }

    /// The `Status` object a client receives.
    public var status: JSONValue {
        var body: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject,
            "status": "Failure", "message": .string(message), "reason": .string(reason),
            "code": .int(Int64(code)),
        ]
        if reason.isEmpty { body.removeValue(forKey: "reason") }
        if let details {
            var d: JSONValue = .emptyObject
            if let name = details.name, !name.isEmpty { d["name"] = .string(name) }
            if let group = details.group, !group.isEmpty { d["group"] = .string(group) }
            if let kind = details.kind, !kind.isEmpty { d["kind"] = .string(kind) }
            if let uid = details.uid, !uid.isEmpty { d["uid"] = .string(uid) }
            if !details.causes.isEmpty {
                d["causes"] = .array(details.causes.map { cause in
                    var c: JSONValue = ["reason": .string(cause.type), "message": .string(cause.message)]
                    if let field = cause.field { c["field"] = .string(field) }
                    return c
                })
            }
            if let retry = details.retryAfterSeconds { d["retryAfterSeconds"] = .int(Int64(retry)) }
            body["details"] = d
        }
        return body
    }
}

// MARK: - Constructors matching k8s.io/apimachinery/pkg/api/errors

extension APIError {
    public static func notFound(_ resource: GroupResource, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
                 details: .init(name: name, group: resource.group, kind: resource.resource))
    }

    /// A path that names no API resource.
    public static func pathNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                 details: .init())
    }

    public static func alreadyExists(_ resource: GroupResource, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
                 details: .init(name: name, group: resource.group, kind: resource.resource))
    }

    public static func conflict(_ resource: GroupResource, name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(why)",
                 details: .init(name: name, group: resource.group, kind: resource.resource))
    }

    public static func staleResourceVersion(_ resource: GroupResource, name: String) -> APIError {
        conflict(resource, name: name,
                 "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 Invalid, worded `Kind.group "name" is invalid: field: Invalid value: …`.
    public static func invalid(kind: String, group: String, name: String, causes: [Cause]) -> APIError {
        let rendered = causes.map { cause in cause.field.map { "\($0): \(cause.message)" } ?? cause.message }
        return APIError(code: 422, reason: "Invalid",
                        message: Status.invalidMessage(kind: kind, group: group, name: name, errors: rendered),
                        details: .init(name: name, group: group, kind: kind, causes: causes))
    }

    /// The 422 of failed validation, as `NewInvalid` builds it from a `field.ErrorList`.
    public static func invalid(kind: String, group: String, name: String, errors: [FieldError]) -> APIError {
        invalid(kind: kind, group: group, name: name,
                causes: errors.map { Cause(type: $0.type.rawValue, message: $0.body, field: $0.field) })
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func forbidden(_ resource: GroupResource, name: String, _ why: String) -> APIError {
        let subject = name.isEmpty ? "\(resource)" : "\(resource) \"\(name)\""
        return APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(why)",
                        details: .init(name: name, group: resource.group, kind: resource.resource))
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Gone", message: message)
    }

    public static func methodNotSupported(_ resource: GroupResource, verb: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed",
                 message: "the server does not allow this method on the requested resource",
                 details: .init(group: resource.group, kind: resource.resource))
    }

    public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType",
                 message: "the body of the request was in an unknown format - accepted media types include: "
                     + accepted.joined(separator: ", "))
    }

    public static func notAcceptable(_ accepted: [String]) -> APIError {
        APIError(code: 406, reason: "NotAcceptable",
                 message: "only the following media types are accepted: " + accepted.joined(separator: ", "))
    }

    public static func timeout(_ message: String, retryAfterSeconds: Int? = nil) -> APIError {
        APIError(code: 504, reason: "Timeout", message: message,
                 details: retryAfterSeconds.map { .init(retryAfterSeconds: $0) })
    }

    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int) -> APIError {
        APIError(code: 429, reason: "TooManyRequests", message: message,
                 details: .init(retryAfterSeconds: retryAfterSeconds))
    }

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                 details: .init(causes: [Cause(type: "UnexpectedServerResponse", message: message)]))
    }

    public static func serviceUnavailable(_ message: String) -> APIError {
        APIError(code: 503, reason: "ServiceUnavailable", message: message)
    }

    /// `Too large resource version` as the watch cache answers a version it has not reached.
    public static func tooLargeResourceVersion(requested: UInt64, current: UInt64) -> APIError {
        APIError(code: 504, reason: "Timeout",
                 message: "Too large resource version: \(requested), current: \(current)",
                 details: .init(causes: [Cause(type: "ResourceVersionTooLarge", message: "Too large resource version")],
                                retryAfterSeconds: 1))
    }
}
