import Foundation

/// Percent-encoding as AWS SigV4 and OAuth forms want it: everything but RFC 3986's
/// unreserved characters (`A–Z a–z 0–9 - . _ ~`) is encoded, space as `%20`.
public enum Percent {
    private static let unreserved: CharacterSet = {
        var set = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        set.insert(charactersIn: "-._~")
        return set
    }()

    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `k=v&…` with keys in byte order: the canonical query string of SigV4, which libcurl
    /// signs as written, and a valid form body everywhere else.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters.map { (encode($0.0), encode($0.1)) }
            .sorted { $0.0 == $1.0 ? $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }
}

/// RFC 3339 timestamps as the cloud APIs write and read them.
public enum CloudTime {
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Parses `2024-01-02T03:04:05Z`, with or without fractional seconds or an offset.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        // Some fakes and older APIs omit the zone: read it as UTC.
        return text.contains("Z") || text.contains("+") ? nil : parse(text + "Z")
    }
}
