/// Why a request failed, as the API server names it in `Status.reason`.
///
/// An open set: a server may send a reason this program does not know; compare with the
/// constants below.
public struct StatusReason: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static let unknown: StatusReason = ""
    public static let unauthorized: StatusReason = "Unauthorized"
    public static let forbidden: StatusReason = "Forbidden"
    public static let notFound: StatusReason = "NotFound"
    public static let alreadyExists: StatusReason = "AlreadyExists"
    public static let conflict: StatusReason = "Conflict"
    public static let gone: StatusReason = "Gone"
    public static let invalid: StatusReason = "Invalid"
    public static let serverTimeout: StatusReason = "ServerTimeout"
    public static let storeReadError: StatusReason = "StorageReadError"
    public static let timeout: StatusReason = "Timeout"
    public static let tooManyRequests: StatusReason = "TooManyRequests"
    public static let badRequest: StatusReason = "BadRequest"
    public static let methodNotAllowed: StatusReason = "MethodNotAllowed"
    public static let notAcceptable: StatusReason = "NotAcceptable"
    public static let requestEntityTooLarge: StatusReason = "RequestEntityTooLarge"
    public static let unsupportedMediaType: StatusReason = "UnsupportedMediaType"
    public static let internalError: StatusReason = "InternalError"
    public static let expired: StatusReason = "Expired"
    public static let serviceUnavailable: StatusReason = "ServiceUnavailable"

    /// Reasons kube-apiserver sends; for any other reason predicates fall back on the HTTP code.
    public static let known: Set<StatusReason> = [
        .unauthorized, .forbidden, .notFound, .alreadyExists, .conflict, .gone, .invalid, .serverTimeout,
        .storeReadError, .timeout, .tooManyRequests, .badRequest, .methodNotAllowed, .notAcceptable,
        .requestEntityTooLarge, .unsupportedMediaType, .internalError, .expired, .serviceUnavailable,
    ]

    /// The reason an HTTP code stands for when a server sent no (known) reason, as client-go
    /// classifies it.
    public static func forHTTPCode(_ code: Int, verb: String? = nil) -> StatusReason {
        switch code {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 406: return .notAcceptable
        case 409: return verb?.uppercased() == "POST" ? .alreadyExists : .conflict
        case 410: return .gone
        case 413: return .requestEntityTooLarge
        case 415: return .unsupportedMediaType
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 503: return .serviceUnavailable
        case 504: return .timeout
        case 500...599: return .internalError
        default: return .unknown
        }
    }
}

/// `metav1.StatusCause`: one field-level problem inside a `Status` (for `Invalid`, a
/// server-side-apply conflict, …). The JSON key of ``reason`` is `reason` (`Type` in Go).
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// `metav1.StatusDetails`.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
        causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil
    ) {
        // Empty strings are absent, as Go's omitempty writes them.
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.group = group.flatMap { $0.isEmpty ? nil : $0 }
        self.kind = kind.flatMap { $0.isEmpty ? nil : $0 }
        self.uid = uid.flatMap { $0.isEmpty ? nil : $0 }
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    enum CodingKeys: String, CodingKey { case name, group, kind, uid, causes, retryAfterSeconds }

    public func encode(to encoder: any Encoder) throws {
        // Go's omitempty: empty strings, empty lists and zero retry are left out.
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let name, !name.isEmpty { try c.encode(name, forKey: .name) }
        if let group, !group.isEmpty { try c.encode(group, forKey: .group) }
        if let kind, !kind.isEmpty { try c.encode(kind, forKey: .kind) }
        if let uid, !uid.isEmpty { try c.encode(uid, forKey: .uid) }
        if let causes, !causes.isEmpty { try c.encode(causes, forKey: .causes) }
        if let retryAfterSeconds, retryAfterSeconds != 0 { try c.encode(retryAfterSeconds, forKey: .retryAfterSeconds) }
    }
}

/// `metav1.Status`: what the API server returns for a failed request (and for some
/// successful deletes). The embedded API server builds its errors with the constructors
/// below, whose messages read exactly as kube-apiserver's.
public struct Status: Codable, Sendable, Hashable {
    public var kind: String
    public var apiVersion: String
    public var metadata: ListMeta
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    public var reason: StatusReason?
    public var details: StatusDetails?
    /// The HTTP status code this Status was sent with.
    public var code: Int?

    public static let success = "Success"
    public static let failure = "Failure"

    public init(
        status: String? = Status.failure, message: String? = nil, reason: StatusReason? = nil,
        details: StatusDetails? = nil, code: Int? = nil, metadata: ListMeta = ListMeta()
    ) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    enum CodingKeys: String, CodingKey { case kind, apiVersion, metadata, status, message, reason, details, code }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "Status"
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? "v1"
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        status = try c.decodeIfPresent(String.self, forKey: .status)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        reason = try c.decodeIfPresent(StatusReason.self, forKey: .reason)
        details = try c.decodeIfPresent(StatusDetails.self, forKey: .details)
        code = try c.decodeIfPresent(Int.self, forKey: .code)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(apiVersion, forKey: .apiVersion)
        try c.encode(metadata, forKey: .metadata)
        if let status, !status.isEmpty { try c.encode(status, forKey: .status) }
        if let message, !message.isEmpty { try c.encode(message, forKey: .message) }
        if let reason, !reason.rawValue.isEmpty { try c.encode(reason, forKey: .reason) }
        if let details { try c.encode(details, forKey: .details) }
        if let code, code != 0 { try c.encode(code, forKey: .code) }
    }

    /// Reads a `Status` from a response body; nil when the body is not a `Status` object.
    public init?(body: some Collection<UInt8>) {
        guard let value = try? JSONValue(parsing: body) else { return nil }
        self.init(json: value)
    }

    /// Reads a `Status` from a decoded object (a watch `ERROR` event's object, say); nil when
    /// it is not one.
    public init?(json value: JSONValue) {
        guard value["kind"].stringValue == "Status",
              let status = try? value.decode(Status.self)
        else { return nil }
        self = status
    }

    /// The Status as a JSON object, ready to serve.
    public var json: JSONValue {
        (try? JSONValue(encoding: self)) ?? ["kind": "Status", "apiVersion": "v1", "metadata": [:]]
    }

    /// The causes of an `Invalid` (or apply-conflict) status.
    public var causes: [StatusCause] { details?.causes ?? [] }
}

// MARK: - Constructors with kube-apiserver's wording (k8s.io/apimachinery/pkg/api/errors)

extension Status {
    /// `<resource>[.<group>]`, as `schema.GroupResource.String()` prints it.
    public static func qualified(_ resource: String, group: String) -> String {
        group.isEmpty ? resource : resource + "." + group
    }

    /// 404: `pods "x" not found`, `deployments.apps "x" not found`.
    public static func notFound(resource: String, group: String = "", name: String) -> Status {
        Status(
            message: "\(qualified(resource, group: group)) \(goQuote(name)) not found", reason: .notFound,
            details: StatusDetails(name: name, group: group, kind: resource), code: 404)
    }

    /// 409: `deployments.apps "x" already exists`.
    public static func alreadyExists(resource: String, group: String = "", name: String) -> Status {
        Status(
            message: "\(qualified(resource, group: group)) \(goQuote(name)) already exists", reason: .alreadyExists,
            details: StatusDetails(name: name, group: group, kind: resource), code: 409)
    }

    /// 409 for a `generateName` create whose generated names all collided.
    public static func generateNameConflict(
        resource: String, group: String = "", name: String, retryAfterSeconds: Int = 1
    ) -> Status {
        Status(
            message: "\(qualified(resource, group: group)) \(goQuote(name)) already exists, "
                + "the server was not able to generate a unique name for the object",
            reason: .alreadyExists,
            details: StatusDetails(name: name, group: group, kind: resource, retryAfterSeconds: retryAfterSeconds),
            code: 409)
    }

    /// The message of a stale-resourceVersion conflict.
    public static let objectModifiedMessage =
        "the object has been modified; please apply your changes to the latest version and try again"

    /// 409: `Operation cannot be fulfilled on deployments.apps "x": <message>`.
    public static func conflict(
        resource: String, group: String = "", name: String, message: String = Status.objectModifiedMessage
    ) -> Status {
        Status(
            message: "Operation cannot be fulfilled on \(qualified(resource, group: group)) \(goQuote(name)): \(message)",
            reason: .conflict, details: StatusDetails(name: name, group: group, kind: resource), code: 409)
    }

    /// 409 from server-side apply: the causes name the fields another manager owns.
    public static func applyConflict(causes: [StatusCause], message: String) -> Status {
        Status(message: message, reason: .conflict, details: StatusDetails(causes: causes), code: 409)
    }

    /// 422: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
    /// Several errors print as `[e1, e2]`; duplicates are dropped.
    public static func invalid(kind: String, group: String = "", name: String, errors: [FieldError]) -> Status {
        let causes = errors.map { StatusCause(reason: $0.type.rawValue, message: $0.body, field: $0.field) }
        return Status(
            message: invalidMessage(kind: kind, group: group, name: name, errors: errors.map(\.description)),
            reason: .invalid, details: StatusDetails(name: name, group: group, kind: kind, causes: causes), code: 422)
    }

    /// The message of a 422: `Kind.group "name" is invalid: e1` or `…: [e1, e2]`, each
    /// distinct error once, as `field.ErrorList.ToAggregate` prints them.
    public static func invalidMessage(kind: String, group: String, name: String, errors: [String]) -> String {
        var seen = Set<String>()
        let messages = errors.filter { seen.insert($0).inserted }
        let head = "\(qualified(kind, group: group)) \(goQuote(name)) is invalid"
        switch messages.count {
        case 0: return head
        case 1: return head + ": " + messages[0]
        default: return head + ": [" + messages.joined(separator: ", ") + "]"
        }
    }

    /// 403 with a reason text: `pods "x" is forbidden: <reason>` (`pods is forbidden: …` without a name).
    public static func forbidden(resource: String, group: String = "", name: String = "", reason: String) -> Status {
        let message: String
        if resource.isEmpty && group.isEmpty {
            message = "forbidden: \(reason)"
        } else if name.isEmpty {
            message = "\(qualified(resource, group: group)) is forbidden: \(reason)"
        } else {
            message = "\(qualified(resource, group: group)) \(goQuote(name)) is forbidden: \(reason)"
        }
        return Status(
            message: message, reason: .forbidden, details: StatusDetails(name: name, group: group, kind: resource),
            code: 403)
    }

    /// 403 from RBAC: `pods is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "default"`
    /// (`at the cluster scope` without a namespace).
    public static func forbidden(
        user: String, verb: String, resource: String, group: String = "", subresource: String = "",
        namespace: String = "", name: String = "", reason: String = ""
    ) -> Status {
        let target = subresource.isEmpty ? resource : resource + "/" + subresource
        var text = "User \(goQuote(user)) cannot \(verb) resource \(goQuote(target)) in API group \(goQuote(group))"
        text += namespace.isEmpty ? " at the cluster scope" : " in the namespace \(goQuote(namespace))"
        if !reason.isEmpty { text += ": " + reason }
        return forbidden(resource: resource, group: group, name: name, reason: text)
    }

    /// 403 from RBAC for a non-resource URL: `forbidden: User "u" cannot get path "/metrics"`.
    public static func forbidden(user: String, verb: String, path: String) -> Status {
        forbidden(resource: "", reason: "User \(goQuote(user)) cannot \(verb) path \(goQuote(path))")
    }

    /// 401; the message defaults to `Unauthorized`, as kube-apiserver's authentication filter says.
    public static func unauthorized(_ message: String = "Unauthorized") -> Status {
        Status(message: message.isEmpty ? "not authorized" : message, reason: .unauthorized, code: 401)
    }

    /// 400 with a free-form message.
    public static func badRequest(_ message: String) -> Status {
        Status(message: message, reason: .badRequest, code: 400)
    }

    /// 405: `PATCH is not supported on resources of kind "pods"`.
    public static func methodNotSupported(resource: String, group: String = "", action: String) -> Status {
        Status(
            message: "\(action) is not supported on resources of kind \(goQuote(qualified(resource, group: group)))",
            reason: .methodNotAllowed, details: StatusDetails(group: group, kind: resource), code: 405)
    }

    /// 410 Gone (deprecated by the API server in favour of ``expired(_:)``).
    public static func gone(_ message: String) -> Status {
        Status(message: message, reason: .gone, code: 410)
    }

    /// 410 Expired: a resourceVersion or continue token too old to serve.
    public static func expired(_ message: String) -> Status {
        Status(message: message, reason: .expired, code: 410)
    }

    /// 410 Expired for a watch or list from a compacted resourceVersion:
    /// `too old resource version: 5 (120)`.
    public static func tooOldResourceVersion(requested: String, current: String) -> Status {
        expired("too old resource version: \(requested) (\(current))")
    }

    /// 410 Expired for a stale `continue` token.
    public static func continueTokenExpired() -> Status {
        expired(
            "The provided continue parameter is too old to display a consistent list result. You can start a new "
                + "list without the continue parameter, or use the continue token in this response to retrieve the "
                + "remainder of the results. Continuing with the provided token results in an inconsistent list - "
                + "objects that were created, modified, or deleted between the time the first chunk was returned "
                + "and now may show up in the list.")
    }

    /// 429 with a retry hint.
    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int) -> Status {
        Status(
            message: message, reason: .tooManyRequests, details: StatusDetails(retryAfterSeconds: retryAfterSeconds),
            code: 429)
    }

    /// 429 as API Priority and Fairness rejects: `Too many requests: <message>`.
    public static func tooManyRequests(_ message: String) -> Status {
        Status(message: "Too many requests: \(message)", reason: .tooManyRequests, code: 429)
    }

    /// 503 with a free-form message.
    public static func serviceUnavailable(_ message: String) -> Status {
        Status(message: message, reason: .serviceUnavailable, code: 503)
    }

    /// 500: `Internal error occurred: <message>`.
    public static func internalError(_ message: String) -> Status {
        Status(
            message: "Internal error occurred: \(message)", reason: .internalError,
            details: StatusDetails(causes: [StatusCause(message: message)]), code: 500)
    }

    /// 504: `Timeout: <message>`.
    public static func timeout(_ message: String, retryAfterSeconds: Int = 0) -> Status {
        Status(
            message: "Timeout: \(message)", reason: .timeout,
            details: StatusDetails(retryAfterSeconds: retryAfterSeconds), code: 504)
    }

    /// 500 ServerTimeout: `The get operation against pods could not be completed at this time, please try again.`
    public static func serverTimeout(
        resource: String, group: String = "", operation: String, retryAfterSeconds: Int
    ) -> Status {
        Status(
            message: "The \(operation) operation against \(qualified(resource, group: group)) could not be completed "
                + "at this time, please try again.",
            reason: .serverTimeout,
            details: StatusDetails(name: operation, group: group, kind: resource, retryAfterSeconds: retryAfterSeconds),
            code: 500)
    }

    /// 413: `Request entity too large: <message>`.
    public static func requestEntityTooLarge(_ message: String) -> Status {
        Status(message: "Request entity too large: \(message)", reason: .requestEntityTooLarge, code: 413)
    }

    /// 415: `the body of the request was in an unknown format - accepted media types include: …`.
    public static func unsupportedMediaType(accepted: [String]) -> Status {
        Status(
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", "),
            reason: .unsupportedMediaType, code: 415)
    }

    /// 406: `only the following media types are accepted: …`.
    public static func notAcceptable(accepted: [String]) -> Status {
        Status(
            message: "only the following media types are accepted: " + accepted.joined(separator: ", "),
            reason: .notAcceptable, code: 406)
    }

    /// 200 Success, as an immediate delete answers: `{status: Success, details{name, group, kind, uid}}`.
    public static func success(name: String, group: String = "", kind: String, uid: String? = nil) -> Status {
        Status(status: Status.success, details: StatusDetails(name: name, group: group, kind: kind, uid: uid))
    }
}

// MARK: - Field errors (k8s.io/apimachinery/pkg/util/validation/field)

/// One validation failure of one field, printed as kube-apiserver prints it
/// (k8s.io/apimachinery/pkg/util/validation/field, v1.32):
/// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. The operator's own
/// checks and the embedded cluster's schema validation both report with it.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct ErrorType: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let notFound = ErrorType(rawValue: "FieldValueNotFound")
        public static let required = ErrorType(rawValue: "FieldValueRequired")
        public static let duplicate = ErrorType(rawValue: "FieldValueDuplicate")
        public static let invalid = ErrorType(rawValue: "FieldValueInvalid")
        public static let notSupported = ErrorType(rawValue: "FieldValueNotSupported")
        public static let forbidden = ErrorType(rawValue: "FieldValueForbidden")
        public static let tooLong = ErrorType(rawValue: "FieldValueTooLong")
        public static let tooMany = ErrorType(rawValue: "FieldValueTooMany")
        public static let tooFew = ErrorType(rawValue: "FieldValueTooFew")
        public static let tooShort = ErrorType(rawValue: "FieldValueTooShort")
        public static let `internal` = ErrorType(rawValue: "InternalError")
        public static let typeInvalid = ErrorType(rawValue: "FieldValueTypeInvalid")

        /// The words kube-apiserver prints for the type.
        public var text: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid, .typeInvalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .tooFew: return "Too few"
            case .tooShort: return "Too short"
            case .internal: return "Internal error"
            default: return rawValue
            }
        }
    }

    public var type: ErrorType
    /// The field path, `spec.template.spec.containers[0].image`.
    public var field: String
    /// The offending value; nil leaves it out of the message (`.null` prints `null`).
    public var badValue: JSONValue?
    public var detail: String

    public init(type: ErrorType, field: String, badValue: JSONValue? = nil, detail: String = "") {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    public static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(type: .invalid, field: field, badValue: value, detail: detail)
    }
    public static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(type: .required, field: field, detail: detail)
    }
    public static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(type: .forbidden, field: field, detail: detail)
    }
    public static func duplicate(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(type: .duplicate, field: field, badValue: value)
    }
    public static func notFound(_ field: String, _ value: JSONValue) -> FieldError {
        FieldError(type: .notFound, field: field, badValue: value)
    }
    public static func notSupported(_ field: String, _ value: JSONValue, supported: [String]) -> FieldError {
        let detail = supported.isEmpty ? "" : "supported values: " + supported.map(goQuote).joined(separator: ", ")
        return FieldError(type: .notSupported, field: field, badValue: value, detail: detail)
    }
    public static func tooLong(_ field: String, maxLength: Int) -> FieldError {
        FieldError(type: .tooLong, field: field, detail: "may not be longer than \(maxLength)")
    }
    public static func tooMany(_ field: String, actual: Int, max: Int) -> FieldError {
        FieldError(type: .tooMany, field: field, badValue: .int(Int64(actual)), detail: "must have at most \(max) items")
    }
    public static func typeInvalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(type: .typeInvalid, field: field, badValue: value, detail: detail)
    }
    public static func internalError(_ field: String, _ detail: String) -> FieldError {
        FieldError(type: .internal, field: field, detail: detail)
    }

    /// The message without the field: `Invalid value: -1: must be …`.
    public var body: String {
        var s: String
        switch type {
        case .required, .forbidden, .tooLong, .internal:
            s = type.text
        default:
            if let badValue {
                s = type.text + ": " + FieldError.goValue(badValue)
            } else {
                s = type.text
            }
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    public var description: String { "\(field): \(body)" }

    /// A value as Go's `%v` / `%q` prints it in field errors.
    static func goValue(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return goFloat(d)
        case .string(let s): return goQuote(s)
        case .array, .object: return value.serialized()
        }
    }

    /// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)` with Go's exponent form).
    public static func goFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == d.rounded(), abs(d) < 1e21 {
            return String(Int64(d))
        }
        let s = "\(d)"  // Swift's shortest representation: 1.5, 1e-07, 1.2e+21
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
        let mantissa = s[..<e]
        var exponent = String(s[s.index(after: e)...])
        var sign = "+"
        if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
        if exponent.count < 2 { exponent = "0" + exponent }
        return mantissa + "e" + sign + exponent
    }
}

/// Go's `%q` of a string: double-quoted with `\"`, `\\`, `\n`, `\t`, … and `\x`/`\u` escapes
/// for non-printable characters.
public func goQuote(_ s: String) -> String {
    var out = "\""
    out.reserveCapacity(s.utf8.count + 2)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(scalar.value, 2)
            } else if scalar.value >= 0x80, !scalar.properties.isPrintableForGo {
                out += scalar.value > 0xFFFF ? "\\U" + hex(scalar.value, 8) : "\\u" + hex(scalar.value, 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    out += "\""
    return out
}

private func hex(_ v: UInt32, _ width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

extension Unicode.Scalar.Properties {
    /// Close to Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the
    /// ASCII space.
    fileprivate var isPrintableForGo: Bool {
        switch generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
