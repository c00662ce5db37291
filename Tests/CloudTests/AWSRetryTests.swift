import Cloud
import Foundation
import KubeClient
import Synchronization
import Testing
import TestSupport

/// Throttling backs off and retries; expired credentials are fetched again once.
struct AWSRetryTests {
    static let emptyDescribe = """
        <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet/></DescribeInstancesResponse>
        """
    static func ec2Error(_ code: String) -> String {
        "<Response><Errors><Error><Code>\(code)</Code><Message>\(code) happened</Message></Error></Errors><RequestID>r</RequestID></Response>"
    }

    func client(_ server: ScriptedServer) throws -> AWSClient {
        let settings = AWSSettings(region: "us-east-1", endpointURL: server.url, environment: isolatedAWSEnvironment(),
                                   staticCredentials: AWSCredentials(accessKeyID: "AKIATEST", secretAccessKey: "secret", source: "test"))
        return try AWSClient(settings: settings, retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10)))
    }

    @Test func throttlingIsRetriedWithBackoffThenSucceeds() async throws {
        let failures = Mutex(2)
        let server = await ScriptedServer.start { _ in
            if failures.withLock({ f in defer { f -= 1 }; return f > 0 }) { return .xml(Self.ec2Error("RequestLimitExceeded"), status: 503) }
            return .xml(Self.emptyDescribe)
        }
        defer { server.stop() }
        let aws = try client(server)
        #expect(try await aws.ec2.listInstances().isEmpty)
        #expect(server.requests.count == 3)
        // Every attempt is signed by libcurl and says which action it is.
        #expect(server.requests.allSatisfy {
            $0.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIATEST/") == true
                && $0.header("Authorization")?.contains("/us-east-1/ec2/aws4_request") == true
                && $0.field("Action") == "DescribeInstances" && $0.field("Version") == "2016-11-15"
        })
    }

    @Test func throttlingThatNeverEndsIsAClearError() async throws {
        let server = await ScriptedServer.start { _ in .xml(Self.ec2Error("Throttling"), status: 400) }
        defer { server.stop() }
        let error = await #expect(throws: CloudError.self) { try await client(server).ec2.listInstances() }
        #expect(error?.kind == .throttled)
        #expect(error?.description.contains("after 4 attempts") == true)
        #expect(server.requests.count == 4)
    }

    @Test func expiredCredentialsAreFetchedAgainOnce() async throws {
        let server = await ScriptedServer.start { request in
            request.header("X-Amz-Security-Token") == "old" ? .xml(Self.ec2Error("RequestExpired"), status: 400) : .xml(Self.emptyDescribe)
        }
        defer { server.stop() }
        final class Rotating: AWSCredentialProvider {
            let tokens = Mutex(["old", "new"])
            func credentials() async throws -> AWSCredentials? {
                let token = tokens.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
                return AWSCredentials(accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: token,
                                      expiration: Date().addingTimeInterval(3600), source: "rotating")
            }
        }
        let rotating = try AWSClient(settings: AWSSettings(region: "us-east-1", endpointURL: server.url, environment: isolatedAWSEnvironment()),
                                     credentialProvider: Rotating(), retry: RetryPolicy(baseDelay: .milliseconds(10)))
        #expect(try await rotating.ec2.listInstances().isEmpty)
        #expect(server.requests.map { $0.header("X-Amz-Security-Token") } == ["old", "new"])
        #expect(await rotating.credentials.fetches == 2)
    }

    @Test func anUnreachableEndpointIsAClearError() async throws {
        let settings = AWSSettings(region: "us-east-1", endpointURL: "http://127.0.0.1:1", environment: isolatedAWSEnvironment(),
                                   staticCredentials: AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "s", source: "test"))
        let aws = try AWSClient(settings: settings, retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5)))
        let error = await #expect(throws: CloudError.self) { try await aws.eks.listClusters() }
        #expect(error?.kind == .unreachable)
        #expect(error?.description.contains("eks:ListClusters failed") == true)
    }
}
