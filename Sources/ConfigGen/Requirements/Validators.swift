import Foundation
import KubeClient

/// The syntax rules Kubernetes applies to names, ports, quantities and images, checked
/// before anything is generated so that a mistake is reported against the requirement
/// that made it, not as an API server error about a derived object.
enum Validators {
    /// A DNS-1123 label: lowercase letters, digits and `-`, starting and ending alphanumeric.
    static func isDNSLabel(_ text: String, maxLength: Int = 63) -> Bool {
        guard !text.isEmpty, text.count <= maxLength, let first = text.first, let last = text.last else { return false }
        return first.isLowercaseAlphanumeric && last.isLowercaseAlphanumeric
            && text.allSatisfy { $0.isLowercaseAlphanumeric || $0 == "-" }
    }

    /// A DNS-1123 subdomain (dot-separated labels), at most 253 characters.
    static func isDNSSubdomain(_ text: String) -> Bool {
        text.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// An Ingress host: a subdomain, optionally with a leading `*.` wildcard.
    static func isHost(_ text: String) -> Bool {
        isDNSSubdomain(text.hasPrefix("*.") ? String(text.dropFirst(2)) : text) && text.contains(".")
    }

    /// An IANA service name, as container and Service port names must be.
    static func isPortName(_ text: String) -> Bool {
        isDNSLabel(text, maxLength: 15) && text.contains { $0.isLetter } && !text.contains("--")
    }

    /// A C identifier, as an environment variable name should be.
    static func isEnvName(_ text: String) -> Bool {
        guard let first = text.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// A ConfigMap key: letters, digits, `-`, `_` and `.`.
    static func isConfigKey(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && text != "." && text != ".."
            && text.allSatisfy { $0 == "-" || $0 == "_" || $0 == "." || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// An absolute path without `..` components.
    static func isAbsolutePath(_ text: String) -> Bool {
        text.hasPrefix("/") && !text.split(separator: "/").contains("..") && !text.contains(where: \.isWhitespace)
    }

    /// An IPv4 or IPv6 CIDR such as `10.0.0.0/8`.
    static func isCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        let address = String(parts[0])
        if address.contains(":") {
            return (0...128).contains(bits) && address.allSatisfy { $0.isHexDigit || $0 == ":" }
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        return (0...32).contains(bits) && octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }

    /// A positive Kubernetes quantity, or the reason it is not one.
    static func quantityProblem(_ text: String) -> String? {
        do {
            let quantity = try Quantity(parsing: text)
            return quantity.value > 0 ? nil : "must be greater than zero"
        } catch {
            return "is not a Kubernetes quantity"
        }
    }

    /// Words in a variable name that say its value is a credential.
    static let credentialWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE_KEY",
                                  "CREDENTIAL", "CREDENTIALS", "ACCESS_KEY"]

    /// True when an environment variable's name says it holds a credential.
    static func looksLikeCredential(name: String) -> Bool {
        let upper = name.uppercased()
        return credentialWords.contains { upper.contains($0) }
    }
}

extension Character {
    fileprivate var isLowercaseAlphanumeric: Bool { isASCII && (isNumber || (isLetter && isLowercase)) }
}
