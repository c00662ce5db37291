import Cloud
import Foundation
import KubeClient
import Testing
import TestSupport

/// The cloud posture checks, on resources described by moto and by the GKE fake.
struct CloudPostureTests {
    @Test func eksClustersAreJudged() {
        let open = EKSCluster(json: ["name": "prod", "version": "1.27", "resourcesVpcConfig": ["endpointPublicAccess": true],
                                     "logging": ["clusterLogging": [["types": ["api"], "enabled": true]]]])
        let found = CloudPostureChecks.eks(open, region: "us-east-1", minimumVersion: "1.30")
        #expect(found.map(\.checkID) == ["OPS-CLOUD-001", "OPS-CLOUD-002", "OPS-CLOUD-003", "OPS-CLOUD-004"])
        #expect(found[0].message.contains("0.0.0.0/0"))
        #expect(found[1].message == "control-plane log types off: audit, authenticator")
        #expect(found[2].message == "version 1.27 is older than 1.30")

        let hardened = EKSCluster(json: [
            "name": "secure", "version": "1.31",
            "resourcesVpcConfig": ["endpointPublicAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]],
            "logging": ["clusterLogging": [["types": ["api", "audit", "authenticator"], "enabled": true]]],
            "encryptionConfig": [["resources": ["secrets"], "provider": ["keyArn": "arn:aws:kms:us-east-1:1:key/k"]]],
        ])
        #expect(CloudPostureChecks.eks(hardened, region: "us-east-1", minimumVersion: "1.30").isEmpty)
        let privateOnly = EKSCluster(json: ["name": "p", "version": "1.9", "resourcesVpcConfig": ["endpointPublicAccess": false]])
        #expect(!CloudPostureChecks.eks(privateOnly, region: "r", minimumVersion: "1.30").contains { $0.checkID == "OPS-CLOUD-001" })
    }

    @Test func gkeClustersAreJudged() {
        let legacy = GKECluster(json: ["name": "old", "location": "us-central1", "legacyAbac": ["enabled": true],
                                       "masterAuth": ["username": "admin"],
                                       "nodePools": [["name": "a", "management": ["autoUpgrade": false]], ["name": "b", "management": ["autoUpgrade": true]]]])
        #expect(CloudPostureChecks.gke(legacy).map(\.checkID) == ["OPS-CLOUD-005", "OPS-CLOUD-006", "OPS-CLOUD-007", "OPS-CLOUD-008"])
        let restricted = GKECluster(json: ["name": "new", "location": "us-central1", "masterAuthorizedNetworksConfig": ["enabled": true],
                                           "nodePools": [["name": "a", "management": ["autoUpgrade": true]]]])
        #expect(CloudPostureChecks.gke(restricted).isEmpty)
    }

    @Test func aScanOfMotoFindsIMDSv1AndOpenClusters() async throws {
        let moto = try await MotoServer.start()
        defer { moto.stop() }
        let environment = isolatedAWSEnvironment(["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"])
        let clients = CloudClients(aws: AWSSettings(region: "us-east-1", endpointURL: moto.url, environment: environment), gcp: nil)
        let aws = try clients.aws()
        let loose = try await aws.runInstances(1)
        try await aws.runInstances(1, httpTokens: "required")
        try await aws.createEKSCluster("prod")
        let scan = await CloudPostureChecks.scan(clients, eksMinimumVersion: "1.30")
        #expect(scan.errors.isEmpty, "\(scan.errors)")
        #expect(scan.examined == ["EC2Instance": 2, "EKSCluster": 1])
        #expect(scan.findings.filter { $0.checkID == "OPS-CLOUD-009" }.map(\.name) == loose)
        #expect(Set(scan.findings.filter { $0.kind == "EKSCluster" }.map(\.checkID)).isSuperset(of: ["OPS-CLOUD-003", "OPS-CLOUD-004"]))
    }
}

/// The operator's cloud configuration from flags, a ConfigMap and a Secret.
struct CloudConfigurationTests {
    @Test func flagsOverrideTheConfigMapAndTheSecretGivesKeys() throws {
        let configuration = CloudConfiguration(
            configMap: ["aws.region": "eu-west-1", "aws.endpointURL.eks": "http://eks.local:4566/", "gcp.project": "cm-project",
                        "secretName": "opsagent-cloud"],
            flags: ["aws.region": "ap-northeast-2", "gcp.project": nil],
            secret: ["aws_access_key_id": Array("AKIASECRET\n".utf8), "aws_secret_access_key": Array("s3cr3t".utf8)],
            environment: isolatedAWSEnvironment())
        let aws = try #require(try configuration.aws())
        #expect(aws.region == "ap-northeast-2")
        #expect(aws.serviceEndpoints[.eks] == "http://eks.local:4566")
        #expect(aws.staticCredentials?.accessKeyID == "AKIASECRET")
        #expect(aws.staticCredentials?.description.contains("s3cr3t") == false)
        #expect(try configuration.gcp()?.project == "cm-project")
    }

    @Test func nothingConfiguredMeansNoCloudAndBadValuesNameTheirKey() throws {
        #expect(try CloudConfiguration(environment: isolatedAWSEnvironment()).clients() == nil)
        let bad = CloudConfiguration(configMap: ["aws.region": "us-east-1", "aws.endpointURL": "moto:5000"], environment: [:])
        let error = #expect(throws: CloudError.self) { try bad.aws() }
        #expect(error?.message.contains("aws.endpointURL") == true)
        let half = CloudConfiguration(configMap: ["aws.region": "us-east-1"], secret: ["aws_access_key_id": Array("A".utf8)], environment: [:])
        #expect(throws: CloudError.self) { try half.aws() }
    }
}
