import Testing
@testable import KubeSim

@Suite struct CertificateAuthorityTests {
    @Test func issuesPEMCredentialsForServerAndClient() throws {
        let ca = try CertificateAuthority()
        let server = try ca.issueServer()
        let client = try ca.issueClient(user: "kubernetes-admin", groups: ["system:masters"])
        #expect(server.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(client.privateKeyPEM.contains("PRIVATE KEY"))
        let reloaded = try CertificateAuthority(certificatePEM: try ca.pem.certificatePEM, privateKeyPEM: try ca.pem.privateKeyPEM)
        #expect(reloaded.certificate == ca.certificate)
    }
}
