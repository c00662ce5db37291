import Foundation
import KubeClient

/// IRSA and other OIDC federation: the token in `AWS_WEB_IDENTITY_TOKEN_FILE` is exchanged
/// for temporary credentials of `AWS_ROLE_ARN` by STS `AssumeRoleWithWebIdentity`, an
/// unsigned call. The file is read again on every fetch (the kubelet rotates it).
public struct WebIdentityAWSCredentials: AWSCredentialProvider {
    public var tokenFile: String?
    public var roleARN: String?
    public var sessionName: String
    public var stsEndpoint: String
    public var transport: any HTTPTransport

    public init(tokenFile: String?, roleARN: String?, sessionName: String, stsEndpoint: String, transport: any HTTPTransport) {
        self.tokenFile = tokenFile
        self.roleARN = roleARN
        self.sessionName = sessionName
        self.stsEndpoint = stsEndpoint
        self.transport = transport
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let tokenFile, !tokenFile.isEmpty else { return nil }
        guard let roleARN, !roleARN.isEmpty else {
            throw CloudError(.credentials, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the role to assume")
        }
        let token: String
        do { token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw CloudError(.credentials, "cannot read the web identity token file \(tokenFile): \(error.localizedDescription)")
        }
        let body = Percent.canonicalQuery([
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", AWSService.sts.apiVersion!),
            ("RoleArn", roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ])
        let request = HTTPRequest(method: "POST", url: stsEndpoint + "/",
                                  headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "text/xml"],
                                  body: Array(body.utf8), timeout: .seconds(15))
        let operation = "sts:AssumeRoleWithWebIdentity"
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            throw CloudError(.unreachable, "cannot reach STS at \(stsEndpoint): \(error)", operation: operation)
        }
        let xml = try XMLTree.parse(response.body)
        guard response.status == 200 else { throw AWSErrorDecoding.queryError(xml, status: response.status, operation: operation) }
        let result = xml["AssumeRoleWithWebIdentityResult"]?["Credentials"]
        guard let id = result?.string("AccessKeyId"), let secret = result?.string("SecretAccessKey") else {
            throw CloudError(.malformed, "STS answered without credentials", operation: operation)
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: result?.string("SessionToken"),
                              expiration: result?.string("Expiration").flatMap(CloudTime.parse),
                              source: "web identity (\(roleARN))")
    }
}
