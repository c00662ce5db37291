import ArgumentParser
import KubeClient

@main
struct OpsAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opsagent",
        abstract: "A Kubernetes operator for blue-green rollouts, alerting, security audits and workflows.",
        version: BuildInfo.version,
        subcommands: [Version.self, Up.self, Run.self, Sim.self, Get.self, CRDs.self, Promote.self, Abort.self, Retry.self, Undo.self, Audit.self, Workflow.self, Generate.self, MCPCommand.self, APICommand.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the opsagent version.")
    func run() throws {
        print("opsagent \(BuildInfo.version)")
    }
}
