import ArgumentParser
import Cloud
import KubeClient
import Logging

/// The cloud options, shared by `opsagent run` (the AlertRule sources, the audit's cloud
/// checks, the MCP endpoint) and `opsagent mcp` (the cloud tools): flags over the cloud
/// ConfigMap over the SDKs' variables (see ``CloudSetup``).
struct CloudOptions: ParsableArguments {
    @Option(help: "A ConfigMap (namespace/name) with the cloud configuration: aws.region, gcp.project, endpoints, secretName (env OPSAGENT_CLOUD_CONFIGMAP).")
    var cloudConfigmap: String?

    @Option(help: "The AWS region; turns AWS on (overrides the ConfigMap; default AWS_REGION).")
    var awsRegion: String?

    @Option(help: "An endpoint for every AWS service: moto, LocalStack, a VPC endpoint (overrides the ConfigMap and AWS_ENDPOINT_URL).")
    var awsEndpointURL: String?

    @Option(help: "The profile of the shared AWS config files (default AWS_PROFILE).")
    var awsProfile: String?

    @Option(help: "The GCP project; turns GCP on (overrides the ConfigMap).")
    var gcpProject: String?

    /// `namespace/name` of the ConfigMap: the flag, else `OPSAGENT_CLOUD_CONFIGMAP`.
    func configMap(environment: [String: String]) -> String? { cloudConfigmap ?? environment["OPSAGENT_CLOUD_CONFIGMAP"] }

    /// The flags as ``CloudConfiguration`` keys.
    var flags: [String: String?] {
        ["aws.region": awsRegion, "aws.endpointURL": awsEndpointURL, "aws.profile": awsProfile, "gcp.project": gcpProject]
    }

    /// The configured clouds (nil for none), reading the ConfigMap and its Secret with `client`.
    func makeClients(client: KubernetesClient, environment: [String: String], logger: Logger) async throws -> CloudClients? {
        try await CloudSetup(configMap: configMap(environment: environment), flags: flags, environment: environment,
                             client: client, logger: logger).makeClients()
    }
}
