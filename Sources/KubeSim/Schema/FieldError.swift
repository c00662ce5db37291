import KubeClient

/// One validation failure, printed exactly as kube-apiserver prints it
/// (k8s.io/apimachinery/pkg/util/validation/field, v1.32).
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum ErrorType: String, Sendable, Hashable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case tooFew = "FieldValueTooFew"
        case tooShort = "FieldValueTooShort"
        case typeInvalid = "FieldValueTypeInvalid"
        case `internal` = "InternalError"

        /// The words printed before the bad value ("Invalid value", "Required value"…).
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
            }
        }
    }

    public var type: ErrorType
    /// The field path, e.g. `spec.replicas` or `spec.ports[0].name`.
    public var field: String
    /// The offending value; nil when the message omits it.
    public var badValue: JSONValue?
    public var detail: String

    public init(_ type: ErrorType, field: String, badValue: JSONValue? = nil, detail: String = "") {
        self.type = type
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
    public var message: String { "\(field): \(body)" }

    public var description: String { message }

    /// The message without the field, as `StatusCause.message` carries it.
    public var body: String {
        var text: String
        switch type {
        case .required, .forbidden, .tooLong, .internal:
            text = type.text
        default:
            if let badValue {
                text = "\(type.text): \(Self.format(badValue))"
            } else {
                text = type.text
            }
        }
        if !detail.isEmpty { text += ": \(detail)" }
        return text
    }

    /// The `StatusCause` of this error: `{reason, message, field}`.
    public var cause: JSONValue {
        ["reason": .string(type.rawValue), "message": .string(body), "field": .string(field)]
    }

    /// A value as Go's `ErrorBody` prints it: strings quoted, numbers and booleans bare,
    /// anything else as JSON.
    static func format(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return goQuote(s)
        case .int(let i): return String(i)
        case .double(let d): return goFloat(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        default: return value.serialized()
        }
    }

    /// Go's `%v` of a float64: `3`, `1.5`, `1e+21`.
    static func goFloat(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        if d == d.rounded(), abs(d) < 1e21 { return String(Int64(d)) }
        let text = "\(d)"
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        var exponent = String(text[text.index(after: e)...])
        let sign = exponent.hasPrefix("-") ? "-" : "+"
        exponent = exponent.trimmingPrefix { $0 == "-" || $0 == "+" }.description
        if exponent.count < 2 { exponent = "0" + exponent }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    /// Go's `strconv.Quote`.
    static func goQuote(_ s: String) -> String {
        var out = "\""
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
                    out += "\\x" + String(format2hex: scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The `422 Invalid` Status kube-apiserver answers with, e.g.
    /// `Widget.example.com "w" is invalid: spec.size: Required value`.
    public static func invalidStatus(group: String, kind: String, name: String, errors: [FieldError]) -> JSONValue {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        var unique: [String] = []
        for error in errors where !unique.contains(error.message) { unique.append(error.message) }
        let message: String
        switch unique.count {
        case 0: message = "\(qualified) \(goQuote(name)) is invalid"
        case 1: message = "\(qualified) \(goQuote(name)) is invalid: \(unique[0])"
        default: message = "\(qualified) \(goQuote(name)) is invalid: [\(unique.joined(separator: ", "))]"
        }
        var details: JSONValue = ["name": .string(name), "kind": .string(kind), "causes": .array(errors.map(\.cause))]
        if !group.isEmpty { details["group"] = .string(group) }
        return [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": "Invalid", "code": 422, "details": details,
        ]
    }
}

extension String {
    init(format2hex value: UInt32) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(value >> 4) & 0xF], digits[Int(value) & 0xF]])
    }
}
