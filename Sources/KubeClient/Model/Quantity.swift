import Foundation

/// `resource.Quantity`: `500m`, `128Mi`, `1Gi`, `2`, `1e3`, read to an exact decimal value.
///
/// A quantity read from JSON writes back the text it was read from; one built from a
/// number is written canonically, as kube-apiserver would print it.
public struct Quantity: Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByIntegerLiteral
{
    /// How the quantity prints: with binary suffixes (`Ki`…`Ei`), decimal ones (`n`…`E`),
    /// or a decimal exponent (`1e3`).
    public enum Format: Sendable, Hashable {
        case binarySI, decimalSI, decimalExponent
    }

    /// The exact value: `500m` is 0.5, `1Ki` is 1024.
    public var value: Decimal
    public var format: Format
    /// The text this quantity was parsed from, written back unchanged.
    public private(set) var original: String?

    public init(_ value: Decimal, format: Format = .decimalSI) {
        self.value = value
        self.format = format
        self.original = nil
    }

    public init(integerLiteral value: Int64) { self.init(Decimal(value)) }

    /// Parses a quantity; see ``Quantity/Error`` for what is rejected.
    public init(parsing text: String) throws {
        let (value, format) = try Quantity.parse(text)
        self.value = value
        self.format = format
        self.original = text
    }

    /// Parses a quantity literal; traps on a malformed one (use ``init(parsing:)`` for input).
    public init(stringLiteral text: String) {
        do { try self.init(parsing: text) } catch { preconditionFailure("\(error)") }
    }

    /// Bytes, written with a binary suffix where exact: `Quantity(bytes: 134217728)` is `128Mi`.
    public init(bytes: Int64) { self.init(Decimal(bytes), format: .binarySI) }

    /// CPU in millicores: `Quantity(millis: 500)` is `500m`.
    public init(millis: Int64) { self.init(Decimal(millis) / 1000, format: .decimalSI) }

    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var text: String
        public var problem: String
        public var description: String {
            "quantity \"\(text)\" is invalid: \(problem); quantities must match the regular expression "
                + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (for example 500m, 128Mi, 1Gi, 2, 1e3)"
        }
    }

    // MARK: values

    public var doubleValue: Double { NSDecimalNumber(decimal: value).doubleValue }

    /// The value rounded up to an integer, as `Quantity.Value()` does.
    public var int64Value: Int64 { Quantity.ceilInt64(value) }

    /// The value in thousandths rounded up, as `Quantity.MilliValue()` does (CPU millicores).
    public var milliValue: Int64 { Quantity.ceilInt64(value * 1000) }

    public var isZero: Bool { value == 0 }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(doubleValue) }  // equal values hash alike whatever their scale

    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(lhs.value + rhs.value, format: lhs.format) }
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity { Quantity(lhs.value - rhs.value, format: lhs.format) }

    // MARK: text

    /// The text it was parsed from, or the canonical form.
    public var description: String { original ?? canonical }

    /// The canonical form kube-apiserver prints: `0.5` → `500m`, `134217728` (binary) → `128Mi`,
    /// `2000` → `2k`, `1500` → `1500`.
    public var canonical: String {
        if value == 0 { return "0" }
        var format = self.format
        if format == .binarySI {
            // Fractions and values under 1Ki print with decimal suffixes.
            if !Quantity.isInteger(value) || (value > -1024 && value < 1024) { format = .decimalSI }
        }
        let negative = value < 0
        let magnitude = negative ? -value : value
        let sign = negative ? "-" : ""
        switch format {
        case .binarySI:
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
            var mantissa = magnitude
            var index = 0
            while index < suffixes.count - 1 {
                let next = mantissa / 1024
                guard Quantity.isInteger(next), next != 0 else { break }
                mantissa = next
                index += 1
            }
            return sign + Quantity.integerText(mantissa) + suffixes[index]
        case .decimalSI, .decimalExponent:
            // Round up to nano units, as Kubernetes does.
            let nanos = Quantity.ceilDecimal(magnitude * 1_000_000_000)
            var mantissa = nanos
            var exponent = -9
            while exponent < 18 {
                let next = mantissa / 1000
                guard Quantity.isInteger(next) else { break }
                mantissa = next
                exponent += 3
            }
            let digits = Quantity.integerText(mantissa)
            if format == .decimalExponent {
                return sign + digits + (exponent == 0 ? "" : "e\(exponent)")
            }
            let suffix: String
            switch exponent {
            case -9: suffix = "n"
            case -6: suffix = "u"
            case -3: suffix = "m"
            case 0: suffix = ""
            case 3: suffix = "k"
            case 6: suffix = "M"
            case 9: suffix = "G"
            case 12: suffix = "T"
            case 15: suffix = "P"
            default: suffix = "E"
            }
            return sign + digits + suffix
        }
    }

    // MARK: Codable

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            do { try self.init(parsing: text) } catch let error as Quantity.Error {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
        } else if let int = try? container.decode(Int64.self) {
            self.init(Decimal(int))
        } else {
            let double = try container.decode(Double.self)
            self.init(Decimal(double))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: parsing

    static func parse(_ text: String) throws -> (Decimal, Format) {
        let bytes = Array(text.utf8)
        func fail(_ problem: String) -> Quantity.Error { Quantity.Error(text: text, problem: problem) }
        guard !bytes.isEmpty else { throw fail("it is empty") }
        var i = 0
        var negative = false
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenDot = false
        var sawDigit = false
        while i < bytes.count {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                digits.append(c)
                sawDigit = true
                if seenDot { fractionDigits += 1 }
            } else if c == UInt8(ascii: ".") {
                if seenDot { throw fail("it has two decimal points") }
                seenDot = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { throw fail("it does not start with a number") }
        let suffix = String(decoding: bytes[i...], as: UTF8.self)
        var format = Format.decimalSI
        var multiplier = Decimal(1)
        var exponent = 0
        switch suffix {
        case "": break
        case "Ki": format = .binarySI; multiplier = 1024
        case "Mi": format = .binarySI; multiplier = 1024 * 1024
        case "Gi": format = .binarySI; multiplier = 1024 * 1024 * 1024
        case "Ti": format = .binarySI; multiplier = Decimal(1 << 40)
        case "Pi": format = .binarySI; multiplier = Decimal(1 << 50)
        case "Ei": format = .binarySI; multiplier = Decimal(1 << 60)
        case "n": exponent = -9
        case "u": exponent = -6
        case "m": exponent = -3
        case "k": exponent = 3
        case "M": exponent = 6
        case "G": exponent = 9
        case "T": exponent = 12
        case "P": exponent = 15
        case "E": exponent = 18
        default:
            let first = suffix.first!
            guard first == "e" || first == "E", let e = Int(suffix.dropFirst()) else {
                throw fail("unknown suffix \"\(suffix)\" (use Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)")
            }
            guard abs(e) <= 100 else { throw fail("the exponent \(e) is out of range") }
            format = .decimalExponent
            exponent = e
        }
        // Build the exact decimal: digits × 10^(exponent − fractionDigits) × multiplier.
        let trimmed = digits.drop { $0 == UInt8(ascii: "0") }
        guard trimmed.count <= 38 else { throw fail("it has too many digits") }
        var significand = Decimal(0)
        for d in trimmed { significand = significand * 10 + Decimal(Int(d - 48)) }
        var value = Decimal(sign: .plus, exponent: exponent - fractionDigits, significand: significand) * multiplier
        if negative { value = -value }
        return (value, format)
    }

    static func isInteger(_ d: Decimal) -> Bool {
        var input = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, .plain)
        return rounded == d
    }

    static func ceilDecimal(_ d: Decimal) -> Decimal {
        var input = d
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, .up)
        return rounded
    }

    static func ceilInt64(_ d: Decimal) -> Int64 {
        let rounded = ceilDecimal(d)
        if rounded >= Decimal(Int64.max) { return .max }
        if rounded <= Decimal(Int64.min) { return .min }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// An integral Decimal as plain digits (never in exponent form).
    static func integerText(_ d: Decimal) -> String {
        var text = NSDecimalNumber(decimal: d).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if let dot = text.firstIndex(of: ".") { text = String(text[..<dot]) }
        return text
    }
}

/// `intstr.IntOrString`: a port (`8080` or `http`), a surge (`1` or `25%`).
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    case int(Int)
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let i): try container.encode(i)
        case .string(let s): try container.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        }
    }

    public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    /// Resolves an absolute number or a percentage of `total`, as
    /// `intstr.GetScaledValueFromIntOrPercent` does (`25%` of 10 is 3 rounding up, 2 down).
    /// Nil for a string that is not a percentage.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let i): return i
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { return nil }
            let product = percent * total
            if roundUp { return Int((Double(product) / 100).rounded(.up)) }
            return product / 100
        }
    }
}
