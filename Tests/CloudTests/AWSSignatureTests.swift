import Cloud
import Foundation
import KubeClient
import Testing
import TestSupport

/// libcurl's SigV4 signatures, checked by moto with authentication on: botocore recomputes
/// each request's signature from the IAM user's secret and refuses a mismatch.
@Suite(.serialized)
struct AWSSignatureTests {
    /// A moto that authenticates after the four setup calls, and a key of a user allowed everything.
    static func authenticatedMoto() async throws -> (MotoServer, key: String, secret: String) {
        let moto = try await MotoServer.start(authenticatedAfter: 4)
        let setup = try motoClient(moto)
        _ = try await setup.query(.iam, action: "CreateUser", parameters: [("UserName", "opsagent")])
        let key = try await setup.query(.iam, action: "CreateAccessKey", parameters: [("UserName", "opsagent")])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        let created = try await setup.query(.iam, action: "CreatePolicy", parameters: [("PolicyName", "all"), ("PolicyDocument", policy)])
        _ = try await setup.query(.iam, action: "AttachUserPolicy", parameters: [
            ("UserName", "opsagent"), ("PolicyArn", try #require(created.string("CreatePolicyResult/Policy/Arn"))),
        ])
        return (moto, try #require(key.string("CreateAccessKeyResult/AccessKey/AccessKeyId")),
                try #require(key.string("CreateAccessKeyResult/AccessKey/SecretAccessKey")))
    }

    @Test func signedQueryRequestsPassAndAWrongSecretIsRefused() async throws {
        let (moto, key, secret) = try await Self.authenticatedMoto()
        defer { moto.stop() }
        let good = try motoClient(moto, extra: ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret])
        // moto's verifier re-encodes the form as botocore would (a space as "+"), so values
        // that percent-encoding writes differently would fail there, not at AWS: keep them plain.
        try await good.runInstances(2, tags: ["Name": "signed-and-sealed"])
        let listed = try await good.ec2.listInstances(filters: [EC2Filter(name: "tag:Name", values: ["signed-and-sealed"])])
        #expect(listed.count == 2)
        try await good.cloudwatch.putMetricData(namespace: "Signed/Test", metricName: "M", value: 1)

        let bad = try motoClient(moto, extra: ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": String(secret.reversed())])
        let error = await #expect(throws: CloudError.self) { try await bad.ec2.listInstances() }
        #expect(error?.kind == .unauthorized)
        #expect(error?.code == "AuthFailure")
        #expect(error?.description.contains(secret) == false)
        #expect(error?.description.contains("least-privilege") == true)
    }
}
