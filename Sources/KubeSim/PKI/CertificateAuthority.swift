import Crypto
import Foundation
import SwiftASN1
import X509

/// A PEM-encoded certificate with its private key.
public struct IssuedCredential: Sendable, Hashable {
    public var certificatePEM: String
    public var privateKeyPEM: String
}

/// A throwaway certificate authority, like the one `kind` generates for a new cluster.
///
/// It signs one serving certificate for the API server (valid for `localhost`, `127.0.0.1`
/// and `::1`) and any number of client certificates, whose subject carries the user name
/// (common name) and groups (organizations) the API server authenticates.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    private let key: Certificate.PrivateKey
    private let keyPEM: String

    public init(commonName: String = "opsagent-sim-ca", validFor days: Int = 365) throws {
        let p256 = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(p256)
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        self.key = key
        self.keyPEM = p256.pemRepresentation
        self.certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key
        )
    }

    /// Loads an authority saved with ``pem`` (so a restarted simulator keeps its kubeconfig valid).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        self.certificate = try Certificate(pemEncoded: certificatePEM)
        self.key = Certificate.PrivateKey(try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
        self.keyPEM = privateKeyPEM
    }

    public var pem: IssuedCredential {
        get throws {
            IssuedCredential(certificatePEM: try certificate.serializeAsPEM().pemString,
                             privateKeyPEM: keyPEM)
        }
    }

    /// A serving certificate for the given DNS names and IP addresses.
    public func issueServer(dnsNames: [String] = ["localhost"],
                            ipAddresses: [String] = ["127.0.0.1", "::1"],
                            validFor days: Int = 365) throws -> IssuedCredential {
        var names: [GeneralName] = dnsNames.map { .dnsName($0) }
        for ip in ipAddresses {
            if let bytes = Self.ipBytes(ip) { names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))) }
        }
        return try issue(subject: try DistinguishedName { CommonName(dnsNames.first ?? "localhost") },
                         usage: [.serverAuth], sans: names, days: days)
    }

    /// A client certificate for `user` in `groups`, the way the API server reads them (CN, O).
    public func issueClient(user: String, groups: [String] = [], validFor days: Int = 365) throws -> IssuedCredential {
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        return try issue(subject: subject, usage: [.clientAuth], sans: [], days: days)
    }

    private func issue(subject: DistinguishedName, usage: [ExtendedKeyUsage.Usage],
                       sans: [GeneralName], days: Int) throws -> IssuedCredential {
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let cert = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage(usage)
                if !sans.isEmpty { SubjectAlternativeNames(sans) }
            },
            issuerPrivateKey: key
        )
        return IssuedCredential(certificatePEM: try cert.serializeAsPEM().pemString,
                                privateKeyPEM: leafKey.pemRepresentation)
    }

    static func ipBytes(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var addr = in6_addr()
            guard inet_pton(AF_INET6, text, &addr) == 1 else { return nil }
            return withUnsafeBytes(of: addr) { Array($0) }
        }
        var addr = in_addr()
        guard inet_pton(AF_INET, text, &addr) == 1 else { return nil }
        return withUnsafeBytes(of: addr) { Array($0) }
    }
}
