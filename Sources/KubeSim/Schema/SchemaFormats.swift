import Foundation

/// The string formats custom resource validation checks (apiextensions-apiserver's list;
/// other formats are ignored, as kube-apiserver strips them from the schema).
enum SchemaFormats {
    static func isValid(_ text: String, format: String) -> Bool {
        switch format.replacingOccurrences(of: "-", with: "") {
        case "datetime": return RFC3339Time.seconds(text) != nil
        case "date": return isDate(text)
        case "duration": return isDuration(text)
        case "uuid": return matches(text, #"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"#)
        case "uuid3": return matches(text, #"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"#)
        case "uuid4": return matches(text, #"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"#)
        case "uuid5": return matches(text, #"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"#)
        case "ipv4": return isIPv4(text)
        case "ipv6": return isIPv6(text)
        case "cidr": return isCIDR(text)
        case "mac": return matches(text, #"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$"#)
        case "hostname": return isHostname(text)
        case "email": return matches(text, #"^[^@\s<>]+@[^@\s<>]+$"#)
        case "uri": return isURI(text)
        case "byte": return Data(base64Encoded: text) != nil
        case "hexcolor": return matches(text, #"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"#)
        case "rgbcolor": return matches(text, #"^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$"#)
        case "bsonobjectid": return matches(text, #"^[0-9a-fA-F]{24}$"#)
        case "isbn10": return matches(text, #"^(?:[0-9]{9}X|[0-9]{10})$"#)
        case "isbn13": return matches(text, #"^(?:[0-9]{13})$"#) || matches(text, #"^97[89]-?[0-9]{1,5}-?[0-9]+-?[0-9]+-?[0-9]$"#)
        case "isbn": return isValid(text, format: "isbn10") || isValid(text, format: "isbn13")
        case "ssn": return matches(text, #"^\d{3}[- ]?\d{2}[- ]?\d{4}$"#)
        case "creditcard": return matches(text.filter(\.isNumber), #"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$"#)
        default: return true
        }
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        RegexCache.matches(text, pattern)
    }

    static func isDate(_ text: String) -> Bool {
        guard matches(text, #"^\d{4}-\d{2}-\d{2}$"#) else { return false }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        let (year, month, day) = (parts[0], parts[1], parts[2])
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    /// Go's `time.ParseDuration` syntax (`300ms`, `1h30m`, `-1.5h`), as the strfmt validator accepts it.
    static func isDuration(_ text: String) -> Bool {
        matches(text, #"^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$"#)
            || matches(text, #"^\d+\s*(ns|us|ms|s|m|h|d|w|nanos?|nanoseconds?|micros?|microseconds?|millis?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$"#)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let n = Int(part) else { return false }
            return n <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return text.contains(":") && inet_pton(AF_INET6, text, &address) == 1
    }

    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else { return false }
        let ip = String(parts[0])
        if isIPv4(ip) { return (0...32).contains(bits) }
        if isIPv6(ip) { return (0...128).contains(bits) }
        return false
    }

    static func isHostname(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            matches(String(label), #"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#)
        }
    }

    static func isURI(_ text: String) -> Bool {
        guard let components = URLComponents(string: text) else { return false }
        return components.scheme != nil || text.hasPrefix("/")
    }
}
