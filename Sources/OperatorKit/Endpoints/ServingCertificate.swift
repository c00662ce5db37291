import Crypto
import Foundation
import X509

/// The certificate `/metrics` is served with over TLS (`--metrics-secure`): `tls.crt` and
/// `tls.key` from a directory (`--metrics-cert-dir`: a mounted Secret, from cert-manager for
/// example), or else one made at start and signed by itself, as controller-runtime does.
public struct ServingCertificate: Sendable, Hashable {
    public var certificatePEM: String
    public var privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// `tls.crt` and `tls.key` in `directory`.
    public static func load(directory: String) throws -> ServingCertificate {
        let folder = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            return ServingCertificate(
                certificatePEM: try String(contentsOf: folder.appendingPathComponent("tls.crt"), encoding: .utf8),
                privateKeyPEM: try String(contentsOf: folder.appendingPathComponent("tls.key"), encoding: .utf8))
        } catch {
            throw ServingCertificateError(
                message: "cannot read tls.crt and tls.key in \(directory) (\(error)); mount the Secret there, or leave --metrics-cert-dir unset for a self-signed certificate")
        }
    }

    /// A certificate for `hostnames`, signed by its own key, valid for a year.
    public static func selfSigned(hostnames: [String], validFor days: Int = 365) throws -> ServingCertificate {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let subject = try DistinguishedName { CommonName(hostnames.first ?? "opsagent") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(hostnames.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(key))
        return ServingCertificate(certificatePEM: try certificate.serializeAsPEM().pemString,
                                  privateKeyPEM: key.pemRepresentation)
    }
}

/// The serving certificate cannot be had.
public struct ServingCertificateError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
