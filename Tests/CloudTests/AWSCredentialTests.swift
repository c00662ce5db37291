import Cloud
import Foundation
import KubeClient
import Synchronization
import Testing
import TestSupport

/// The credential chain in the SDKs' order, and the refresh of temporary credentials.
struct AWSCredentialTests {
    func resolve(_ environment: [String: String]) async throws -> AWSCredentials {
        let client = try AWSClient(settings: AWSSettings(environment: environment))
        return try await client.credentials.credentials()
    }

    func writeFile(_ text: String, in dir: String, _ name: String) throws -> String {
        let path = "\(dir)/\(name)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func environmentComesBeforeTheSharedFiles() async throws {
        var env = isolatedAWSEnvironment(["AWS_REGION": "us-east-1"])
        _ = try writeFile("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n", in: env["HOME"]!, ".aws/credentials")
        #expect(try await resolve(env).source == "profile default")
        env["AWS_ACCESS_KEY_ID"] = "AKIAENV"
        env["AWS_SECRET_ACCESS_KEY"] = "env-secret"
        env["AWS_SESSION_TOKEN"] = "env-token"
        let creds = try await resolve(env)
        #expect(creds.accessKeyID == "AKIAENV")
        #expect(creds.sessionToken == "env-token")
        #expect(!creds.description.contains("env-secret"))
    }

    @Test func profilesComeFromBothFilesAndSetTheRegionAndEndpoint() async throws {
        var env = isolatedAWSEnvironment()
        let home = env["HOME"]!
        _ = try writeFile("""
            [default]
            region = us-east-1
            [profile ops]
            region = ap-northeast-2
            endpoint_url = http://127.0.0.1:4566
            # a comment
            s3 =
              addressing_style = path
            """, in: home, ".aws/config")
        _ = try writeFile("[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = ops-secret\naws_session_token = ops-token\n",
                          in: home, ".aws/credentials")
        env["AWS_PROFILE"] = "ops"
        let client = try AWSClient(settings: AWSSettings(environment: env))
        #expect(client.region == "ap-northeast-2")
        #expect(client.endpoint(.ec2) == "http://127.0.0.1:4566")
        let creds = try await client.credentials.credentials()
        #expect(creds.accessKeyID == "AKIAOPS" && creds.sessionToken == "ops-token" && creds.source == "profile ops")

        // Service variables beat the general one, which beats the profile; a flag beats all.
        env["AWS_ENDPOINT_URL"] = "http://general:1"
        env["AWS_ENDPOINT_URL_CLOUDWATCH"] = "http://cw:2/"
        let overridden = try AWSClient(settings: AWSSettings(environment: env))
        #expect(overridden.endpoint(.cloudwatch) == "http://cw:2")
        #expect(overridden.endpoint(.eks) == "http://general:1")
        let flagged = try AWSClient(settings: AWSSettings(region: "eu-west-1", serviceEndpoints: [.eks: "http://flag:3"], environment: env))
        #expect(flagged.endpoint(.eks) == "http://flag:3")
        #expect(flagged.region == "eu-west-1")
        let plain = try AWSClient(settings: AWSSettings(region: "eu-west-1", environment: isolatedAWSEnvironment()))
        #expect(plain.endpoint(.cloudwatch) == "https://monitoring.eu-west-1.amazonaws.com")
    }

    @Test func missingOrHalfCredentialsAreClearErrors() async throws {
        let none = isolatedAWSEnvironment(["AWS_REGION": "us-east-1"])
        let error = await #expect(throws: CloudError.self) { try await resolve(none) }
        #expect(error?.kind == .credentials)
        #expect(error?.message.contains("AWS_WEB_IDENTITY_TOKEN_FILE") == true)
        let half = await #expect(throws: CloudError.self) { try await resolve(none.merging(["AWS_ACCESS_KEY_ID": "AKIA"]) { _, n in n }) }
        #expect(half?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
        let noRegion = #expect(throws: CloudError.self) { try AWSClient(settings: AWSSettings(environment: isolatedAWSEnvironment())) }
        #expect(noRegion?.kind == .configuration)
    }

    @Test func webIdentityIsExchangedAtSTS() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        var env = isolatedAWSEnvironment(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.url,
                                          "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/opsagent"])
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = try writeFile("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.sig", in: env["HOME"]!, "token")
        let client = try AWSClient(settings: AWSSettings(environment: env))
        let creds = try await client.credentials.credentials()
        #expect(creds.source.hasPrefix("web identity"))
        #expect(creds.sessionToken?.isEmpty == false)
        #expect(creds.expiration != nil)
        _ = try await client.ec2.listInstances()
        let noRole = await #expect(throws: CloudError.self) {
            try await resolve(env.filter { $0.key != "AWS_ROLE_ARN" })
        }
        #expect(noRole?.message.contains("AWS_ROLE_ARN") == true)
    }

    @Test func containerCredentialsRefreshBeforeTheyExpire() async throws {
        let lifetime = Mutex<TimeInterval>(120)
        let server = await ScriptedServer.start { request in
            guard request.path == "/creds", request.header("Authorization") == "container-secret" else { return .init(401) }
            let expiry = Date().addingTimeInterval(lifetime.withLock { $0 })
            return .json(["AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "s", "Token": "t",
                          "Expiration": .string(CloudTime.format(expiry))])
        }
        defer { server.stop() }
        let env = isolatedAWSEnvironment(["AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
                                          "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-secret"])
        let client = try AWSClient(settings: AWSSettings(environment: env))
        // Two minutes left is inside the five-minute refresh margin: every call fetches anew.
        _ = try await client.credentials.credentials()
        let creds = try await client.credentials.credentials()
        #expect(creds.accessKeyID == "ASIACONTAINER" && creds.source == "container endpoint")
        #expect(server.requests.count == 2)
        lifetime.withLock { $0 = 3600 }
        await client.credentials.invalidate()
        _ = try await client.credentials.credentials()
        _ = try await client.credentials.credentials()
        #expect(server.requests.count == 3, "an hour's credentials are kept")
        // Near their end they are fetched again.
        _ = try await client.credentials.credentials(now: Date().addingTimeInterval(3600 - 60))
        #expect(server.requests.count == 4)
    }

    @Test func instanceMetadataUsesAnIMDSv2Token() async throws {
        let server = await ScriptedServer.start { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil else { return .init(400) }
                return .init(200, "session-token")
            case ("GET", _) where request.header("X-aws-ec2-metadata-token") != "session-token":
                return .init(401)
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .init(200, "node-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/node-role"):
                return .json(["Code": "Success", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "s", "Token": "t",
                              "Expiration": .string(CloudTime.format(Date().addingTimeInterval(6 * 3600)))])
            default: return .init(404)
            }
        }
        defer { server.stop() }
        var env = isolatedAWSEnvironment(["AWS_REGION": "us-east-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url])
        env.removeValue(forKey: "AWS_EC2_METADATA_DISABLED")
        let creds = try await resolve(env)
        #expect(creds.accessKeyID == "ASIAIMDS" && creds.source == "instance metadata (node-role)")
        #expect(server.requests.map(\.method) == ["PUT", "GET", "GET"])
    }
}
