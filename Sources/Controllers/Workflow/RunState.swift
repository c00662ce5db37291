import Foundation
import KubeClient
import OpsAPI

/// The pure part of a run: its steps with their statuses, how conditions read them, and
/// what phase the run is in. No I/O; ``RunReconciler`` acts on what it decides.
struct RunState: Sendable {
    let run: OpsWorkflowRun
    let main: [WorkflowStep]
    let exit: [WorkflowStep]
    let graph: StepGraph
    var steps: [StepStatus]

    init(run: OpsWorkflowRun, status: OpsWorkflowRunStatus) {
        self.run = run
        main = run.spec.steps
        exit = run.spec.onExit ?? []
        graph = StepGraph(steps: main)
        let known = Dictionary((status.steps ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        steps = main.map { known[$0.name] ?? StepStatus(name: $0.name, phase: .pending) }
            + exit.map { known[$0.name] ?? StepStatus(name: $0.name, phase: .pending, onExit: true) }
    }

    var all: [WorkflowStep] { main + exit }

    /// A main step failed and may not be ignored: unconditioned steps are no longer started.
    var isFailing: Bool {
        zip(all, steps).contains { step, status in status.typedPhase == .failed && step.continueOnFailure != true }
    }

    var mainFinished: Bool { steps.prefix(main.count).allSatisfy { $0.typedPhase.isFinished } }
    var allFinished: Bool { steps.allSatisfy { $0.typedPhase.isFinished } }

    /// Whether step `i`'s predecessors are all finished (onExit steps run one after another,
    /// after every main step).
    func isReady(_ i: Int) -> Bool {
        if i >= main.count { return mainFinished && steps[main.count..<i].allSatisfy { $0.typedPhase.isFinished } }
        return graph.dependencies[i].allSatisfy { steps[$0].typedPhase.isFinished }
    }

    /// The phase the run ends with (or would, were it to end now): what onExit's `run.phase` reads.
    func outcome(cancelled: Bool) -> RunPhase {
        if cancelled { return .cancelled }
        return isFailing ? .failed : .succeeded
    }

    /// Evaluates a condition against the steps finished so far and the run's parameters.
    func evaluate(_ condition: String, cancelled: Bool) throws(StepExpression.ParseError) -> Bool {
        let expression = try StepExpression(parsing: condition)
        let parameters = run.spec.parameters ?? [:]
        return expression.evaluate { path in
            if path[0] == "params" { return parameters[path[1]].map { .text($0) } ?? .null }
            if path == ["run", "phase"] { return .text(outcome(cancelled: cancelled).rawValue) }
            guard let status = steps.first(where: { $0.name == path[0] }) else { return .null }
            let field = path.count == 3 && path[1] == "outputs" ? path[2] : path[1]
            if path.count == 2 {
                switch field {
                case "success", "succeeded": return .bool(status.typedPhase == .succeeded)
                case "failed": return .bool(status.typedPhase == .failed)
                case "skipped": return .bool(status.typedPhase == .skipped)
                case "phase": return .text(status.phase)
                default: break
                }
            }
            return status.outputs?[field].map { .text($0) } ?? .null
        }
    }

    /// Outputs of the finished steps, by step name.
    var outputs: [String: [String: String]] {
        Dictionary(steps.compactMap { s in s.outputs.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The run's phase while active: waiting for approval when nothing else runs.
    var activePhase: RunPhase {
        let phases = steps.map(\.typedPhase)
        if phases.contains(.waitingForApproval), !phases.contains(.running), !phases.contains(.retrying) { return .waitingForApproval }
        return .running
    }

    /// The STEP column: the steps running or waiting now.
    var current: String? {
        let active = steps.filter { [.running, .retrying, .waitingForApproval].contains($0.typedPhase) }.map(\.name)
        return active.isEmpty ? nil : active.joined(separator: ",")
    }

    /// The PROGRESS column: finished main steps over main steps.
    var progress: String {
        "\(steps.prefix(main.count).filter { $0.typedPhase.isFinished }.count)/\(main.count)"
    }

    /// The job of one attempt of a step.
    static func jobID(run uid: String, step: String, attempt: Int) -> String { "owfrun/\(uid)/\(step)/\(attempt)" }

    /// Backoff before retry `attempt` (1-based): the base, doubled each time, at most 10 minutes.
    static func backoff(_ retries: StepRetries?, attempt: Int) -> Duration {
        let base = retries?.backoff.flatMap(GoDuration.parse) ?? .seconds(5)
        let factor = Double(1 << min(max(0, attempt - 1), 16))
        return min(.seconds(600), base * factor)
    }
}
