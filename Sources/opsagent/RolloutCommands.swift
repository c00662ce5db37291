import ArgumentParser
import Controllers
import Foundation
import KubeClient
import OpsAPI

/// Options shared by the commands that act on one BlueGreenDeployment.
struct RolloutTarget: ParsableArguments {
    @Argument(help: "The BlueGreenDeployment's name.")
    var name: String

    @Option(name: .shortAndLong, help: "Its namespace; defaults to the context's namespace.")
    var namespace: String?

    @OptionGroup var cluster: ClusterOptions

    /// Sets the operation's annotation to a fresh token; the controller acts once per token.
    func request(_ operation: BlueGreenOperation) async throws {
        let client = try cluster.makeClient()
        let ns = namespace ?? client.defaultNamespace
        let request = OperationRequest(annotation: operation.annotation)
        do {
            try await request.send(with: client, to: BlueGreenDeployment.groupVersionResource, name: name, namespace: ns)
        } catch let error as KubeError where error.isNotFound {
            throw ValidationError("bluegreendeployment \(ns)/\(name) not found")
        }
        print("bluegreendeployment.opsagent.dev/\(name) \(operation.rawValue) requested (\(operation.annotation)=\(request.token))")
    }
}

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch traffic to the preview now, skipping any remaining wait or pre-promotion analysis.")
    @OptionGroup var target: RolloutTarget
    func run() async throws { try await target.request(.promote) }
}

struct Abort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the rollout in progress: traffic stays on (or returns to) the stable color, the preview scales down.")
    @OptionGroup var target: RolloutTarget
    func run() async throws { try await target.request(.abort) }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Roll out an aborted or failed revision again.")
    @OptionGroup var target: RolloutTarget
    func run() async throws { try await target.request(.retry) }
}

struct Undo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set the template back to the previous revision; while that color still runs, traffic switches back without re-analysis.")
    @OptionGroup var target: RolloutTarget
    func run() async throws { try await target.request(.undo) }
}
