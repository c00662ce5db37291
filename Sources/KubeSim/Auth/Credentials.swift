import Crypto
import Foundation

/// The simulator's secrets: its CA, the serving and admin client certificates, the admin
/// token and the ServiceAccount signing key. Kept under `<data-dir>/pki` when there is a
/// data directory, so a restarted simulator keeps old kubeconfigs and tokens valid.
struct Credentials: Sendable {
    let authority: CertificateAuthority
    let caPEM: String
    let server: IssuedCredential
    let admin: IssuedCredential
    let adminToken: String
    /// Raw P-256 key (swift-crypto keys are not Sendable).
    let serviceAccountKeyData: Data

    var serviceAccountKey: P256.Signing.PrivateKey {
        // Created from a valid key in `loadOrCreate`; rebuilding it cannot fail.
        (try? P256.Signing.PrivateKey(rawRepresentation: serviceAccountKeyData)) ?? P256.Signing.PrivateKey()
    }

    static func loadOrCreate(in dataDirectory: URL?) throws -> Credentials {
        let pki = dataDirectory?.appendingPathComponent("pki", isDirectory: true)
        func read(_ name: String) -> String? {
            pki.flatMap { try? String(contentsOf: $0.appendingPathComponent(name), encoding: .utf8) }
        }
        func write(_ name: String, _ text: String) throws {
            guard let pki else { return }
            do {
                try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
                let url = pki.appendingPathComponent(name)
                try Data(text.utf8).write(to: url, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            } catch {
                throw SimulatorError.dataDirectory(path: pki.path, reason: "cannot write \(name): \(error)")
            }
        }

        let authority: CertificateAuthority
        if let cert = read("ca.crt"), let key = read("ca.key") {
            authority = try CertificateAuthority(certificatePEM: cert, privateKeyPEM: key)
        } else {
            authority = try CertificateAuthority(commonName: "opsagent-sim-ca", validFor: 3650)
            let pem = try authority.pem
            try write("ca.crt", pem.certificatePEM)
            try write("ca.key", pem.privateKeyPEM)
        }
        let adminToken: String
        if let token = read("admin.token")?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            adminToken = token
        } else {
            adminToken = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try write("admin.token", adminToken + "\n")
        }
        let saKey: P256.Signing.PrivateKey
        if let pem = read("sa.key"), let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            saKey = key
        } else {
            saKey = P256.Signing.PrivateKey()
            try write("sa.key", saKey.pemRepresentation)
        }
        return Credentials(
            authority: authority, caPEM: try authority.pem.certificatePEM,
            server: try authority.issueServer(dnsNames: ["localhost", "kubernetes", "kubernetes.default",
                                                         "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"]),
            admin: try authority.issueClient(user: "kubernetes-admin", groups: [UserInfo.mastersGroup]),
            adminToken: adminToken, serviceAccountKeyData: saKey.rawRepresentation)
    }
}
