import MCP

/// The prompt `incident_triage`: how an agent should investigate a symptom with this
/// server's tools, in order, without changing anything until the cause is known.
enum TriagePrompt {
    static let name = "incident_triage"

    static let prompt = Prompt(
        name: name, title: "Kubernetes incident triage",
        description: "Investigate a symptom (errors, latency, crash loops, a failed rollout) in a namespace and propose a fix.",
        arguments: [
            .init(name: "namespace", description: "The namespace where the symptom shows.", required: true),
            .init(name: "symptom", description: "What is wrong, in a sentence.", required: true),
            .init(name: "workload", description: "The Deployment or rollout concerned, if known.", required: false),
        ])

    static func render(name requested: String, arguments: [String: String]) throws -> GetPrompt.Result {
        guard requested == name else {
            throw MCPError.invalidParams("unknown prompt '\(requested)'; this server has '\(name)'")
        }
        guard let namespace = arguments["namespace"], !namespace.isEmpty else {
            throw MCPError.invalidParams("argument 'namespace' is required")
        }
        guard let symptom = arguments["symptom"], !symptom.isEmpty else {
            throw MCPError.invalidParams("argument 'symptom' is required")
        }
        let workload = arguments["workload"].flatMap { $0.isEmpty ? nil : $0 }
        let target = workload.map { " The workload concerned is '\($0)'." } ?? ""
        let text = """
            Triage this incident in namespace '\(namespace)': \(symptom).\(target)

            Work read-only until the cause is clear, and cite what each step showed:
            1. alerts_list (namespace \(namespace)): which alerts fire, since when, and any root-cause summary.
            2. events_list with type=Warning in \(namespace): recent failures (scheduling, probes, image pulls, OOM kills).
            3. list_pods in \(namespace)\(workload.map { " with labelSelector app=\($0)" } ?? ""): pods not ready, restarting or pending.
            4. For each unhealthy pod: get_pod (container states, last termination) and get_pod_logs \
            (previous=true for a crashed container, tailLines 100).
            5. pods_top in \(namespace): CPU or memory near the limits.
            6. rollouts_list and rollout_get: whether a rollout is in progress or failed analysis; compare the active and preview revisions.
            Then state the most likely cause with its evidence, the fix (for example rollout_abort or rollout_undo, \
            deployment_scale, a corrected manifest for resources_apply), and what to watch to confirm it.
            Never ask for or repeat secret values.
            """
        return GetPrompt.Result(description: "Incident triage in \(namespace)", messages: [.user(.text(text: text))])
    }
}
