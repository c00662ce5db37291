import ArgumentParser
import Foundation
import KubeClient
import OpsAPI

/// `opsagent audit …`: commands on SecurityAudits.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Act on SecurityAudits.", subcommands: [AuditRun.self])
}

/// `opsagent audit run NAME`: sets `opsagent.dev/run` to a fresh token, as `opsagent
/// promote` does for a rollout; the controller runs the audit once per token.
struct AuditRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a SecurityAudit now, whatever its schedule.")

    @Argument(help: "The SecurityAudit's name.")
    var name: String

    @Option(name: .shortAndLong, help: "Its namespace; defaults to the context's namespace.")
    var namespace: String?

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let client = try cluster.makeClient()
        let ns = namespace ?? client.defaultNamespace
        let request = OperationRequest(annotation: SecurityAudit.runAnnotation)
        do {
            try await request.send(with: client, to: SecurityAudit.groupVersionResource, name: name, namespace: ns)
        } catch let error as KubeError where error.isNotFound {
            throw ValidationError("securityaudit \(ns)/\(name) not found")
        }
        print("securityaudit.opsagent.dev/\(name) run requested (\(SecurityAudit.runAnnotation)=\(request.token))")
    }
}
