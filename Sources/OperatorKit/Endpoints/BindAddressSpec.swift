import Foundation

/// A listen address in controller-runtime's flag syntax: `:8080` (all interfaces),
/// `127.0.0.1:8081`, `[::1]:9090`, or `0` to turn the endpoint off.
public struct BindAddressSpec: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses a flag value; nil for `0` (disabled). Throws on anything else malformed.
    public static func parse(_ text: String) throws -> BindAddressSpec? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" || trimmed.isEmpty { return nil }
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw BindAddressError(text: text)
        }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return BindAddressSpec(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A bind address flag that is not `host:port` or `0`.
public struct BindAddressError: Error, CustomStringConvertible {
    public let text: String
    public var description: String {
        "\"\(text)\" is not a bind address; use :PORT (all interfaces), HOST:PORT, or 0 to disable the endpoint"
    }
}
