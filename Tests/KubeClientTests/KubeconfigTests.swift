import Foundation
import Testing
@testable import KubeClient

/// A temporary folder removed when the test ends.
final class TempDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "kubeclient-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

let caPEM = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
let base64CA = Data(caPEM.utf8).base64EncodedString()

@Suite struct KubeconfigTests {
    @Test func kindStyleEmbeddedData() throws {
        let cert = Data("CERT".utf8).base64EncodedString()
        let key = Data("KEY".utf8).base64EncodedString()
        let config = try Kubeconfig.parse("""
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: \(base64CA)
                server: https://127.0.0.1:43215/
              name: kind-kind
            contexts:
            - context:
                cluster: kind-kind
                user: kind-kind
              name: kind-kind
            current-context: kind-kind
            preferences: {}
            users:
            - name: kind-kind
              user:
                client-certificate-data: \(cert)
                client-key-data: \(key)
            """)
        let c = try config.clusterConfiguration()
        #expect(c.server == "https://127.0.0.1:43215")
        #expect(c.tls.caPEM == Array(caPEM.utf8))
        #expect(c.tls.clientCertificatePEM == Array("CERT".utf8))
        #expect(c.tls.clientKeyPEM == Array("KEY".utf8))
        #expect(c.namespace == "default")
        #expect(c.credential == .none)
        #expect(c.proxyURL == nil)
        #expect(c.userAgent == BuildInfo.userAgent)
        #expect(c.connectTimeout == .seconds(10))
        #expect(c.requestTimeout == nil)
        #expect(!c.tls.insecureSkipVerify)
    }

    @Test func minikubeStyleRelativeFilePaths() throws {
        let dir = try TempDir()
        try dir.write("profiles/minikube/client.crt", "CLIENT-CERT")
        try dir.write("profiles/minikube/client.key", "CLIENT-KEY")
        try dir.write("ca.crt", caPEM)
        let path = try dir.write("config", """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority: ca.crt
                extensions:
                - extension:
                    provider: minikube.sigs.k8s.io
                    version: v1.34.0
                  name: cluster_info
                server: https://192.168.49.2:8443
              name: minikube
            contexts:
            - context:
                cluster: minikube
                namespace: apps
                user: minikube
              name: minikube
            current-context: minikube
            kind: Config
            users:
            - name: minikube
              user:
                client-certificate: profiles/minikube/client.crt
                client-key: \(dir.path)/profiles/minikube/client.key
            """)
        let config = try Kubeconfig.load(file: path)
        #expect(config.clusters["minikube"]?.certificateAuthority == dir.path + "/ca.crt")
        #expect(config.users["minikube"]?.clientCertificate == dir.path + "/profiles/minikube/client.crt")
        let c = try ClusterConfiguration.load(kubeconfigPath: path, environment: [:])
        #expect(c.server == "https://192.168.49.2:8443")
        #expect(c.namespace == "apps")
        #expect(c.tls.caPEM == Array(caPEM.utf8))
        #expect(c.tls.clientCertificatePEM == Array("CLIENT-CERT".utf8))
        #expect(c.tls.clientKeyPEM == Array("CLIENT-KEY".utf8))
    }

    @Test func eksExecPluginV1beta1() throws {
        let config = try Kubeconfig.parse("""
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(base64CA)
                server: https://ABCDEF.gr7.us-west-2.eks.amazonaws.com
              name: arn:aws:eks:us-west-2:123456789012:cluster/prod
            contexts:
            - context:
                cluster: arn:aws:eks:us-west-2:123456789012:cluster/prod
                user: arn:aws:eks:us-west-2:123456789012:cluster/prod
              name: arn:aws:eks:us-west-2:123456789012:cluster/prod
            current-context: arn:aws:eks:us-west-2:123456789012:cluster/prod
            kind: Config
            preferences: {}
            users:
            - name: arn:aws:eks:us-west-2:123456789012:cluster/prod
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  args:
                  - --region
                  - us-west-2
                  - eks
                  - get-token
                  - --cluster-name
                  - prod
                  command: aws
                  env:
                  - name: AWS_PROFILE
                    value: prod
            """)
        let c = try config.clusterConfiguration()
        guard case .exec(let exec) = c.credential else {
            Issue.record("expected an exec credential, got \(c.credential)")
            return
        }
        #expect(exec.command == "aws")
        #expect(exec.args == ["--region", "us-west-2", "eks", "get-token", "--cluster-name", "prod"])
        #expect(exec.env == [.init(name: "AWS_PROFILE", value: "prod")])
        #expect(exec.apiVersion == ExecConfig.v1beta1)
        #expect(exec.interactiveMode == .ifAvailable, "v1beta1 defaults to IfAvailable")
        #expect(!exec.provideClusterInfo)
    }

    @Test func gkeExecPluginV1() throws {
        let config = try Kubeconfig.parse("""
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(base64CA)
                server: https://34.123.45.67
                tls-server-name: kubernetes.default
                proxy-url: http://proxy.corp:3128
              name: gke_proj_us-central1_main
            contexts:
            - context:
                cluster: gke_proj_us-central1_main
                user: gke_proj_us-central1_main
                namespace: ops
              name: gke_proj_us-central1_main
            current-context: gke_proj_us-central1_main
            kind: Config
            users:
            - name: gke_proj_us-central1_main
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: gke-gcloud-auth-plugin
                  installHint: Install gke-gcloud-auth-plugin for use with kubectl by following
                    https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin
                  provideClusterInfo: true
                  interactiveMode: IfAvailable
            """)
        let c = try config.clusterConfiguration()
        #expect(c.server == "https://34.123.45.67")
        #expect(c.tls.serverName == "kubernetes.default")
        #expect(c.proxyURL == "http://proxy.corp:3128")
        #expect(c.namespace == "ops")
        guard case .exec(let exec) = c.credential else {
            Issue.record("expected exec")
            return
        }
        #expect(exec.command == "gke-gcloud-auth-plugin")
        #expect(exec.apiVersion == ExecConfig.v1)
        #expect(exec.provideClusterInfo)
        #expect(exec.installHint?.hasPrefix("Install gke-gcloud-auth-plugin") == true)
        #expect(c.execClusterInfo.server == "https://34.123.45.67")
        #expect(c.execClusterInfo.certificateAuthorityData == Array(caPEM.utf8))
    }

    @Test func tokenBasicAndInsecure() throws {
        let config = try Kubeconfig.parse("""
            clusters:
            - name: c
              cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
            - name: strict
              cluster: {server: "https://10.0.0.1:6443"}
            users:
            - name: tok
              user: {token: abc.def}
            - name: basic
              user: {username: admin, password: secret}
            - name: both
              user: {token: t, username: u}
            - name: file
              user: {tokenFile: /var/run/token, token: ignored}
            contexts:
            - name: tok
              context: {cluster: c, user: tok}
            - name: basic
              context: {cluster: strict, user: basic}
            - name: both
              context: {cluster: c, user: both}
            - name: file
              context: {cluster: c, user: file}
            - name: nouser
              context: {cluster: c, user: ghost}
            """)
        let tok = try config.clusterConfiguration(context: "tok")
        #expect(tok.credential == .bearerToken("abc.def"))
        #expect(tok.tls.insecureSkipVerify)
        let basic = try config.clusterConfiguration(context: "basic")
        #expect(basic.credential == .basic(username: "admin", password: "secret"))
        #expect(!basic.tls.insecureSkipVerify, "insecure applies only to the cluster that sets it")
        #expect(try config.clusterConfiguration(context: "file").credential == .tokenFile(path: "/var/run/token"))
        #expect(throws: KubeError.self) { try config.clusterConfiguration(context: "both") }
        #expect(throws: KubeError.self) { try config.clusterConfiguration(context: "nouser") }
        do {
            _ = try config.clusterConfiguration()
            Issue.record("no current-context must fail")
        } catch let error as KubeError {
            #expect(error.description.contains("no current-context"))
            #expect(error.description.contains("basic, both, file, nouser, tok"))
        }
        do {
            _ = try config.clusterConfiguration(context: "nope")
            Issue.record("unknown context must fail")
        } catch let error as KubeError {
            #expect(error.description.contains(#"context "nope" does not exist"#))
        }
    }

    @Test func insecureWithCAIsRejectedAsKubectlDoes() throws {
        let config = try Kubeconfig.parse("""
            clusters:
            - name: c
              cluster: {server: "https://h", insecure-skip-tls-verify: true, certificate-authority-data: \(base64CA)}
            contexts:
            - {name: x, context: {cluster: c}}
            current-context: x
            """)
        #expect(throws: KubeError.self) { try config.clusterConfiguration() }
    }

    @Test func kubeconfigListMergesFirstWins() throws {
        let dir = try TempDir()
        let first = try dir.write("first.yaml", """
            current-context: dev
            clusters:
            - name: shared
              cluster: {server: "https://first:6443"}
            users:
            - name: me
              user: {token: first-token}
            contexts:
            - name: dev
              context: {cluster: shared, user: me, namespace: dev}
            """)
        let second = try dir.write("second.yaml", """
            current-context: prod
            clusters:
            - name: shared
              cluster: {server: "https://second:6443"}
            - name: prod
              cluster: {server: "https://prod:6443"}
            users:
            - name: me
              user: {token: second-token}
            contexts:
            - name: dev
              context: {cluster: prod, user: me}
            - name: prod
              context: {cluster: prod, user: me, namespace: prod}
            """)
        let missing = dir.path + "/missing.yaml"
        let env = ["KUBECONFIG": "\(first):\(missing)::\(second)", "HOME": dir.path]
        let c = try ClusterConfiguration.load(environment: env)
        #expect(c.server == "https://first:6443", "first file's current-context and cluster win")
        #expect(c.namespace == "dev")
        #expect(c.credential == .bearerToken("first-token"))

        let prod = try ClusterConfiguration.load(context: "prod", environment: env)
        #expect(prod.server == "https://prod:6443")
        #expect(prod.namespace == "prod")
        #expect(prod.credential == .bearerToken("first-token"), "user \"me\" comes from the first file")

        let reversed = try ClusterConfiguration.load(environment: ["KUBECONFIG": "\(second):\(first)"])
        #expect(reversed.server == "https://prod:6443")
        #expect(reversed.namespace == "prod")

        // An explicit path wins over KUBECONFIG.
        let explicit = try ClusterConfiguration.load(kubeconfigPath: second, environment: env)
        #expect(explicit.server == "https://prod:6443")

        #expect(throws: KubeError.self) {
            try ClusterConfiguration.load(environment: ["KUBECONFIG": missing])
        }
    }

    @Test func defaultPathAndNothingFound() throws {
        let dir = try TempDir()
        do {
            _ = try ClusterConfiguration.load(environment: ["HOME": dir.path])
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.description.contains(".kube/config does not exist"))
        }
        try dir.write(".kube/config", """
            current-context: home
            clusters: [{name: h, cluster: {server: "https://home:6443"}}]
            contexts: [{name: home, context: {cluster: h}}]
            """)
        #expect(try ClusterConfiguration.load(environment: ["HOME": dir.path]).server == "https://home:6443")
        #expect(try ClusterConfiguration.load(kubeconfigPath: "~/.kube/config", environment: ["HOME": dir.path]).server == "https://home:6443")
    }

    @Test func inClusterFromFiles() throws {
        let dir = try TempDir()
        try dir.write("sa/token", "in-cluster-token\n")
        try dir.write("sa/ca.crt", caPEM)
        try dir.write("sa/namespace", "opsagent-system")
        let paths = InClusterPaths(directory: dir.path + "/sa")
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let c = try ClusterConfiguration.inCluster(environment: env, paths: paths)
        #expect(c.server == "https://10.96.0.1:443")
        #expect(c.tls.caPEM == Array(caPEM.utf8))
        #expect(c.credential == .tokenFile(path: dir.path + "/sa/token"))
        #expect(c.namespace == "opsagent-system")

        let v6 = try ClusterConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443", "POD_NAMESPACE": "mine"],
            paths: paths)
        #expect(v6.server == "https://[fd00::1]:6443")
        #expect(v6.namespace == "mine")

        #expect(throws: KubeError.self) { try ClusterConfiguration.inCluster(environment: [:], paths: paths) }
        #expect(throws: KubeError.self) {
            try ClusterConfiguration.inCluster(environment: env, paths: InClusterPaths(directory: dir.path + "/none"))
        }
    }
}
