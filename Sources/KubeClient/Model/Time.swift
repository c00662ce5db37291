import Foundation

/// RFC 3339 timestamps as Kubernetes writes them: UTC with a `Z`, `metav1.Time` to the second
/// (`2024-05-01T10:00:00Z`), `metav1.MicroTime` to the microsecond
/// (`2024-05-01T10:00:00.000000Z`).
public enum KubeTimestamp {
    /// Parses an RFC 3339 timestamp (`Z` or a numeric offset, optional fraction, `T` or `t`).
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Formats a date in UTC with a `Z`, with `fractionalDigits` digits after the seconds
    /// (0 for `metav1.Time`, 6 for `metav1.MicroTime`; at most 6). Fractions below the last
    /// digit are truncated, as Go does.
    public static func format(_ date: Date, fractionalDigits: Int = 0) -> String {
        // Round to the microsecond first: a Date holds a Double, which cannot store every
        // microsecond exactly, and a value read from "…00.123456Z" must print the same again.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = floorDiv(micros, 1_000_000)
        let micro = micros - seconds * 1_000_000
        let digits = max(0, min(6, fractionalDigits))
        var divisor: Int64 = 1
        for _ in 0..<(6 - digits) { divisor *= 10 }
        let scaled = micro / divisor
        let days = floorDiv(seconds, 86_400)
        seconds -= days * 86_400
        let (y, m, d) = civilFromDays(days)
        var out = ""
        out.reserveCapacity(20 + digits + 1)
        out += pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(seconds / 3600, 2) + ":" + pad((seconds / 60) % 60, 2) + ":" + pad(seconds % 60, 2)
        if digits > 0 { out += "." + pad(scaled, digits) }
        out += "Z"
        return out
    }

    /// The current time as a `metav1.Time` string.
    public static func now() -> String { format(Date()) }

    // MARK: internals

    static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
        guard b.count >= 20 else { return nil }
        func num(_ start: Int, _ count: Int) -> Int64? {
            var v: Int64 = 0
            for i in start..<(start + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2), b[7] == UInt8(ascii: "-"),
              let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = num(11, 2), b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"),
              let second = num(17, 2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var fraction: Double = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 <= b.count, let oh = num(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) else {
                return nil
            }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let total = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(total) + fraction)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// `metav1.Time`: an instant serialized to the second, `2024-05-01T10:00:00Z`.
public struct KubeTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }
    public static func now() -> KubeTime { KubeTime(Date()) }

    /// Parses an RFC 3339 string; nil when it is not one.
    public init?(_ text: String) {
        guard let date = KubeTimestamp.parse(text) else { return nil }
        self.date = date
    }

    public var description: String { KubeTimestamp.format(date) }

    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date < rhs.date }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = KubeTimestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an RFC 3339 timestamp such as 2024-05-01T10:00:00Z")
        }
        self.date = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// `metav1.MicroTime`: an instant serialized to the microsecond, `2024-05-01T10:00:00.123456Z`
/// (leases, events.k8s.io events).
public struct MicroTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }
    public static func now() -> MicroTime { MicroTime(Date()) }

    public init?(_ text: String) {
        guard let date = KubeTimestamp.parse(text) else { return nil }
        self.date = date
    }

    public var description: String { KubeTimestamp.format(date, fractionalDigits: 6) }

    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.date < rhs.date }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = KubeTimestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "\"\(text)\" is not an RFC 3339 timestamp such as 2024-05-01T10:00:00.000000Z")
        }
        self.date = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
