import Analysis
import ArgumentParser
import ConfigGen
import Foundation
import KubeClient
import Logging

/// `opsagent generate`: hardened manifests from workload requirements (a file, flags, or both).
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate hardened Kubernetes manifests from workload requirements (a YAML/JSON file and/or flags).",
        discussion: """
            The requirements file (YAML or JSON; flags override its fields):

              name: checkout                  # required; DNS label, at most 47 characters
              namespace: shop                 # optional; objects carry no namespace without it
              image: registry.example/shop:1.4.2@sha256:<64 hex>   # required; a tag or digest, never :latest
              type: web                       # web | api | worker (worker: no Service unless asked)
              environment: prod               # dev | staging | prod: replicas 1/2/3, PDB from staging, startup probe in prod
              replicas: 3                     # default from the environment
              ports: [{name: http, port: 8080, protocol: TCP}]
              env:                            # literals go to ConfigMap <name>-env, never into the pod spec
                LOG_LEVEL: info
                DB_PASSWORD: {secret: checkout-db, key: password}   # a Secret reference; the Secret is not generated
              config: {app.yaml: "..."}       # files, mounted read-only at /etc/<name> from ConfigMap <name>-files
              secrets: [{name: checkout-tls-client, mountPath: /var/run/secrets/client}]   # Secrets mounted as files
              resources: {size: medium}       # small | medium | large, or {requests: {cpu, memory}, limits: {cpu, memory}}
              scaling: {min: 3, max: 10, cpuTarget: 70}            # a HorizontalPodAutoscaler
              exposure: {type: ingress, host: shop.example.com, tlsSecret: shop-tls, path: /, ingressClass: nginx}
                                              # none | cluster (a ClusterIP Service) | ingress (Service + TLS Ingress)
              storage: {size: 10Gi, accessMode: ReadWriteOnce, mountPath: /data, storageClass: fast}
              rollout: {strategy: blue-green, autoPromote: true, errorRateQuery: "<PromQL fraction>", maxErrorRate: 0.05}
              health: {liveness: /healthz, readiness: /readyz, startup: /started, port: http}   # or {command: [...]}
              egress: [{port: 5432, protocol: TCP, cidr: 10.0.0.0/16}]   # beyond DNS, which is always allowed
              runAsUser: 10001                # the non-root UID/GID (default 10001)
              partOf: shop                    # app.kubernetes.io/part-of

            Every pod runs under Pod Security "restricted": non-root fixed UID, read-only root filesystem, all
            capabilities dropped, seccomp RuntimeDefault, no privilege escalation, no service account token.
            Unknown fields, bad names and bad quantities are refused with the field path and a hint. The output is
            byte-identical for the same input (unless an LLM analysis provider adds advisory comments).
            """)

    @Argument(help: "The requirements file (YAML or JSON); - reads standard input.")
    var file: String?

    @Option(name: [.short, .customLong("output-dir")], help: "Write one file per object and a kustomization.yaml into this folder instead of printing.")
    var outputDirectory: String?

    @Flag(help: "Comment each non-obvious default with why it was chosen.")
    var explain = false

    @Option(help: "The workload's name.") var name: String?
    @Option(help: "The namespace of the objects.") var namespace: String?
    @Option(help: "The image, with a tag or digest.") var image: String?
    @Option(help: "web, api or worker.") var type: String?
    @Option(help: "dev, staging or prod.") var environment: String?
    @Option(help: "Pods to run.") var replicas: Int?
    @Option(name: .customLong("port"), help: "A port: PORT, NAME:PORT or NAME:PORT/PROTOCOL (repeatable).") var ports: [String] = []
    @Option(name: .customLong("env"), help: "A literal variable NAME=VALUE, stored in the ConfigMap (repeatable).") var envs: [String] = []
    @Option(name: .customLong("secret-env"), help: "A variable from a Secret: NAME=SECRET/KEY (repeatable).") var secretEnvs: [String] = []
    @Option(name: .customLong("secret"), help: "A Secret mounted read-only at /var/run/secrets/NAME (repeatable).") var secrets: [String] = []
    @Option(help: "small, medium or large.") var size: String?
    @Option(help: "CPU request, e.g. 250m.") var cpu: String?
    @Option(help: "Memory request, e.g. 256Mi.") var memory: String?
    @Option(help: "CPU limit.") var cpuLimit: String?
    @Option(help: "Memory limit.") var memoryLimit: String?
    @Option(help: "Autoscaling minimum.") var minReplicas: Int?
    @Option(help: "Autoscaling maximum (enables the HorizontalPodAutoscaler).") var maxReplicas: Int?
    @Option(help: "Autoscaling CPU target, percent of the request.") var cpuTarget: Int?
    @Option(help: "none, cluster or ingress.") var expose: String?
    @Option(help: "The Ingress host.") var host: String?
    @Option(help: "The Ingress TLS Secret.") var tlsSecret: String?
    @Option(help: "Persistent storage size, e.g. 10Gi.") var storage: String?
    @Option(help: "ReadWriteOnce, ReadWriteOncePod, ReadWriteMany or ReadOnlyMany.") var accessMode: String?
    @Option(help: "rolling or blue-green.") var strategy: String?
    @Option(help: "The liveness HTTP path.") var liveness: String?
    @Option(help: "The readiness HTTP path.") var readiness: String?

    @Option(help: "Analysis provider for advisory comments: builtin (default), openai, azure-openai, vllm, ollama, lmstudio or anthropic (env OPSAGENT_ANALYSIS_PROVIDER).")
    var analysisProvider: String?
    @Option(help: "The LLM model for the advisory review.") var analysisModel: String?
    @Option(help: "The LLM API base URL.") var analysisBaseURL: String?

    func run() async throws {
        var document = try readFile()
        try applyFlags(to: &document)
        var generated: GeneratedManifests
        do {
            generated = try ManifestGenerator().generate(document: document)
        } catch {
            // Field paths and hints, without the usage text a ValidationError adds.
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.validationFailure
        }
        if let analyzer = try makeAnalyzer() {
            generated = await AnalysisAdvisor.review(generated, analyzer: analyzer)
        }
        guard let outputDirectory else {
            print(generated.yaml(explain: explain), terminator: "")
            return
        }
        for path in try generated.write(to: URL(fileURLWithPath: outputDirectory), explain: explain) {
            FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
        }
    }

    func readFile() throws -> JSONValue {
        guard let file else { return .object([:]) }
        let text: String
        if file == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
        }
        do {
            let document = try YAML.decode(text)
            return document.isNull ? .object([:]) : document
        } catch {
            throw ValidationError("\(file) is not YAML or JSON: \(error)")
        }
    }

    func makeAnalyzer() throws -> (any Analyzer)? {
        let environment = ProcessInfo.processInfo.environment
        let overrides = ["provider": analysisProvider, "model": analysisModel, "baseURL": analysisBaseURL].compactMapValues { $0 }
        let configuration: AnalysisConfiguration
        do {
            configuration = try AnalysisConfiguration.load(environment: environment, overrides: overrides)
        } catch {
            throw ValidationError("analysis configuration: \(error)")
        }
        guard configuration.provider != .builtin else { return nil }
        return AnalyzerFactory.makeAnalyzer(configuration, apiKey: configuration.apiKey(environment: environment),
                                            logger: Logger(label: "opsagent.generate"))
    }
}
