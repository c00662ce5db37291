import Foundation

/// One failed cloud posture check on one cloud resource.
public struct CloudFinding: Sendable, Hashable, Codable {
    /// Stable identity (`OPS-CLOUD-001`), as the cluster checks' `OPS-POD-001`.
    public var checkID: String
    /// critical, high, medium or low.
    public var severity: String
    public var title: String
    /// `EKSCluster`, `GKECluster` or `EC2Instance`.
    public var kind: String
    /// The resource's name (cluster name or instance id).
    public var name: String
    /// Region, zone or location.
    public var location: String
    public var message: String
    public var remediation: String
}

/// The cloud posture checks SecurityAudit runs when credentials are configured: the
/// control planes of EKS and GKE, and the metadata service of EC2 instances. Pure functions
/// of what the APIs describe, so they are tested without a cloud.
public enum CloudPostureChecks {
    public struct Check: Sendable, Hashable {
        public var id: String
        public var severity: String
        public var title: String
        public var remediation: String
    }

    public static let eksPublicEndpoint = Check(id: "OPS-CLOUD-001", severity: "high", title: "EKS API endpoint is open to the internet",
        remediation: "Set resourcesVpcConfig.publicAccessCidrs to your networks, or turn endpointPublicAccess off and use the private endpoint.")
    public static let eksLogging = Check(id: "OPS-CLOUD-002", severity: "medium", title: "EKS control-plane audit logging is off",
        remediation: "Enable the api, audit and authenticator log types (aws eks update-cluster-config --logging).")
    public static let eksVersion = Check(id: "OPS-CLOUD-003", severity: "high", title: "EKS Kubernetes version is out of standard support",
        remediation: "Upgrade the control plane and node groups to a version in standard support.")
    public static let eksSecrets = Check(id: "OPS-CLOUD-004", severity: "medium", title: "EKS Secrets are not envelope-encrypted with KMS",
        remediation: "Associate a KMS key for secrets (aws eks associate-encryption-config).")
    public static let gkeABAC = Check(id: "OPS-CLOUD-005", severity: "high", title: "GKE legacy ABAC is enabled",
        remediation: "Disable legacy authorization (gcloud container clusters update --no-enable-legacy-authorization) and use RBAC.")
    public static let gkeBasicAuth = Check(id: "OPS-CLOUD-006", severity: "critical", title: "GKE basic authentication is enabled",
        remediation: "Remove the static username and password from masterAuth; use Google identities.")
    public static let gkePublicEndpoint = Check(id: "OPS-CLOUD-007", severity: "high", title: "GKE control plane is reachable from any address",
        remediation: "Enable master authorized networks, or a private endpoint.")
    public static let gkeAutoUpgrade = Check(id: "OPS-CLOUD-008", severity: "medium", title: "GKE node auto-upgrade is off",
        remediation: "Turn on management.autoUpgrade for the node pool.")
    public static let ec2IMDSv1 = Check(id: "OPS-CLOUD-009", severity: "medium", title: "EC2 instance allows IMDSv1",
        remediation: "Require session tokens (aws ec2 modify-instance-metadata-options --http-tokens required).")

    public static let all = [eksPublicEndpoint, eksLogging, eksVersion, eksSecrets, gkeABAC, gkeBasicAuth, gkePublicEndpoint,
                             gkeAutoUpgrade, ec2IMDSv1]

    static func finding(_ check: Check, kind: String, name: String, location: String, _ message: String) -> CloudFinding {
        CloudFinding(checkID: check.id, severity: check.severity, title: check.title, kind: kind, name: name, location: location,
                     message: message, remediation: check.remediation)
    }

    /// `minimumVersion` is the oldest minor version in EKS standard support (configurable:
    /// AWS moves it every few months).
    public static func eks(_ cluster: EKSCluster, region: String, minimumVersion: String) -> [CloudFinding] {
        var found: [CloudFinding] = []
        func add(_ check: Check, _ message: String) { found.append(finding(check, kind: "EKSCluster", name: cluster.name, location: region, message)) }
        if cluster.openToInternet {
            add(eksPublicEndpoint, "the public endpoint accepts \(cluster.publicAccessCIDRs.isEmpty ? "0.0.0.0/0 (the default)" : cluster.publicAccessCIDRs.joined(separator: ", "))")
        }
        let missing = ["api", "audit", "authenticator"].filter { !cluster.enabledLogTypes.contains($0) }
        if !missing.isEmpty { add(eksLogging, "control-plane log types off: \(missing.joined(separator: ", "))") }
        if let version = cluster.version, compareVersions(version, minimumVersion) < 0 {
            add(eksVersion, "version \(version) is older than \(minimumVersion)")
        }
        if !cluster.secretsEncrypted { add(eksSecrets, "no encryptionConfig covers secrets") }
        return found
    }

    public static func gke(_ cluster: GKECluster) -> [CloudFinding] {
        var found: [CloudFinding] = []
        func add(_ check: Check, _ message: String) { found.append(finding(check, kind: "GKECluster", name: cluster.name, location: cluster.location, message)) }
        if cluster.legacyABAC { add(gkeABAC, "legacyAbac.enabled is true") }
        if cluster.basicAuth { add(gkeBasicAuth, "masterAuth has a static username") }
        if cluster.publicEndpoint, !cluster.authorizedNetworks {
            add(gkePublicEndpoint, "the endpoint is public and master authorized networks are off")
        }
        for pool in cluster.nodePools where !pool.autoUpgrade { add(gkeAutoUpgrade, "node pool \(pool.name) has autoUpgrade off") }
        return found
    }

    public static func ec2(_ instance: EC2Instance, region: String) -> [CloudFinding] {
        guard instance.allowsIMDSv1, instance.state != "terminated" else { return [] }
        return [finding(ec2IMDSv1, kind: "EC2Instance", name: instance.id, location: instance.availabilityZone ?? region,
                        "metadataOptions.httpTokens is \(instance.metadataHTTPTokens ?? "optional")")]
    }

    /// Compares dotted versions numerically (`1.9` < `1.29`); a `-gke.100` suffix is ignored.
    static func compareVersions(_ a: String, _ b: String) -> Int {
        func parts(_ v: String) -> [Int] {
            v.split(separator: "-").first.map { $0.split(separator: ".").map { Int($0) ?? 0 } } ?? []
        }
        let x = parts(a), y = parts(b)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? x[i] : 0, r = i < y.count ? y[i] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}

/// What a cloud scan found, and what it could not look at (each with the cloud's message).
public struct CloudScan: Sendable, Hashable {
    public var findings: [CloudFinding] = []
    public var errors: [String] = []
    /// Resources examined, by kind.
    public var examined: [String: Int] = [:]
}

extension CloudPostureChecks {
    /// Scans every configured cloud: EKS clusters and EC2 instances of the AWS region, GKE
    /// clusters of every location. A failure of one API is an error of the scan, not of the rest.
    public static func scan(_ clients: CloudClients, eksMinimumVersion: String? = nil) async -> CloudScan {
        let eksMinimumVersion = eksMinimumVersion ?? clients.eksMinimumVersion
        var scan = CloudScan()
        if clients.awsSettings != nil {
            do {
                let aws = try clients.aws()
                do {
                    for name in try await aws.eks.listClusters() {
                        let cluster = try await aws.eks.describeCluster(name)
                        scan.examined["EKSCluster", default: 0] += 1
                        scan.findings += eks(cluster, region: aws.region, minimumVersion: eksMinimumVersion)
                    }
                } catch { scan.errors.append("\(error)") }
                do {
                    let instances = try await aws.ec2.listInstances(filters: [EC2Filter(name: "instance-state-name", values: ["pending", "running", "stopping", "stopped"])])
                    scan.examined["EC2Instance", default: 0] += instances.count
                    scan.findings += instances.flatMap { ec2($0, region: aws.region) }
                } catch { scan.errors.append("\(error)") }
            } catch { scan.errors.append("\(error)") }
        }
        if clients.gcpSettings != nil {
            do {
                let clusters = try await clients.gcp().gke.listClusters()
                scan.examined["GKECluster", default: 0] += clusters.count
                scan.findings += clusters.flatMap(gke)
            } catch { scan.errors.append("\(error)") }
        }
        return scan
    }
}
