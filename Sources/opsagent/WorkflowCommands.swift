import ArgumentParser
import Controllers
import Foundation
import KubeClient
import OpsAPI

/// `opsagent workflow …`: start runs, approve steps, cancel runs (through ``WorkflowRuns``).
struct Workflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Act on OpsWorkflows and their runs.", subcommands: [WorkflowRun.self, WorkflowApprove.self, WorkflowCancel.self])
}

struct WorkflowRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Start a run of an OpsWorkflow now; prints the OpsWorkflowRun's name.")

    @Argument(help: "The OpsWorkflow's name.")
    var name: String

    @Option(name: .customLong("param"), help: "A run parameter, k=v (repeatable); read as params.k in conditions and by actions.")
    var parameters: [String] = []

    @Option(name: .shortAndLong, help: "Its namespace; defaults to the context's namespace.")
    var namespace: String?

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        var inputs: [String: String] = [:]
        for pair in parameters {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("--param \(pair): write key=value")
            }
            inputs[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let client = try cluster.makeClient()
        do {
            let run = try await WorkflowRuns.start(api: client, namespace: namespace ?? client.defaultNamespace, workflow: name, parameters: inputs)
            print("opsworkflowrun.opsagent.dev/\(run.metadata.name ?? "") created")
        } catch let failure as WorkflowRuns.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct WorkflowApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a run's approval step, as the user the API server says you are.")

    @Argument(help: "The OpsWorkflowRun's name.")
    var run: String

    @Argument(help: "The approval step's name.")
    var step: String

    @Option(name: .shortAndLong, help: "Its namespace; defaults to the context's namespace.")
    var namespace: String?

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let client = try cluster.makeClient()
        do {
            let user = try await WorkflowRuns.currentUser(api: client)
            try await WorkflowRuns.approve(api: client, namespace: namespace ?? client.defaultNamespace, run: run, step: step, user: user)
            print("opsworkflowrun.opsagent.dev/\(run) step \(step) approved by \(user)")
        } catch let failure as WorkflowRuns.Failure {
            throw ValidationError(failure.description)
        }
    }
}

struct WorkflowCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a run: running steps are cancelled, then its onExit steps run.")

    @Argument(help: "The OpsWorkflowRun's name.")
    var run: String

    @Option(name: .shortAndLong, help: "Its namespace; defaults to the context's namespace.")
    var namespace: String?

    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let client = try cluster.makeClient()
        try await WorkflowRuns.cancel(api: client, namespace: namespace ?? client.defaultNamespace, run: run)
        print("opsworkflowrun.opsagent.dev/\(run) cancel requested")
    }
}
