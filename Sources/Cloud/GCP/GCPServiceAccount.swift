import Crypto
import Foundation
import KubeClient
import _CryptoExtras

/// A service-account JSON key, as the console downloads it.
public struct GCPServiceAccountKey: Sendable {
    public var clientEmail: String
    public var privateKeyID: String?
    public var projectID: String?
    /// Where the signed assertion is exchanged for a token.
    public var tokenURI: String
    let signingKey: _RSA.Signing.PrivateKey

    /// Reads a key; errors name the field that is missing or wrong (never its value).
    public init(json bytes: [UInt8], origin: String) throws(CloudError) {
        guard let json = try? JSONValue(parsing: bytes) else {
            throw CloudError(.credentials, "\(origin) is not JSON; it must be a service-account key file")
        }
        guard json["type"].stringValue == "service_account" else {
            throw CloudError(.credentials, "\(origin): type is \(json["type"].stringValue.map { "\"\($0)\"" } ?? "missing"); only \"service_account\" keys are supported (use the metadata server for Workload Identity)")
        }
        guard let email = json["client_email"].stringValue else { throw CloudError(.credentials, "\(origin): client_email is missing") }
        guard let pem = json["private_key"].stringValue else { throw CloudError(.credentials, "\(origin): private_key is missing") }
        do { signingKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw CloudError(.credentials, "\(origin): private_key is not an RSA private key in PEM")
        }
        clientEmail = email
        privateKeyID = json["private_key_id"].stringValue
        projectID = json["project_id"].stringValue
        tokenURI = json["token_uri"].stringValue ?? "https://oauth2.googleapis.com/token"
    }

    /// The RS256-signed JWT bearer assertion (RFC 7523) for `scopes`, valid one hour from `now`.
    public func assertion(scopes: [String], now: Date = Date()) throws(CloudError) -> String {
        let issued = Int64(now.timeIntervalSince1970)
        var header: JSONValue = ["alg": "RS256", "typ": "JWT"]
        if let privateKeyID { header["kid"] = .string(privateKeyID) }
        let claims: JSONValue = [
            "iss": .string(clientEmail), "scope": .string(scopes.joined(separator: " ")), "aud": .string(tokenURI),
            "iat": .int(issued), "exp": .int(issued + 3600),
        ]
        let signingInput = Base64URL.encode(header.serializedBytes()) + "." + Base64URL.encode(claims.serializedBytes())
        let signature: _RSA.Signing.RSASignature
        do { signature = try signingKey.signature(for: Array(signingInput.utf8), padding: .insecurePKCS1v1_5) } catch {
            throw CloudError(.credentials, "signing the token request failed: \(error)")
        }
        return signingInput + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }
}

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}
