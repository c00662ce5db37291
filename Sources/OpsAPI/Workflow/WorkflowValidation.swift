import KubeClient

/// What the schema cannot check of a workflow definition, each problem with its field path:
/// unique step names, known actions with valid parameters, `dependsOn` naming real steps
/// without a cycle, conditions that parse and refer only to steps that have finished by
/// the time they are evaluated (and to outputs those steps have).
public enum WorkflowValidation {
    public static let maxSteps = 50

    public static func problems(of spec: OpsWorkflowSpec) -> [SpecError] {
        problems(steps: spec.steps, onExit: spec.onExit ?? [], path: "spec")
            + (spec.schedule == nil && spec.timeZone != nil ? [SpecError(field: "spec.timeZone", message: "is set without spec.schedule")] : [])
            + (spec.concurrencyPolicy.map { ConcurrencyPolicy(rawValue: $0) == nil ? [SpecError(field: "spec.concurrencyPolicy", message: "must be Allow, Forbid or Replace")] : [] } ?? [])
    }

    public static func problems(steps: [WorkflowStep], onExit: [WorkflowStep], path: String) -> [SpecError] {
        var errors: [SpecError] = []
        if steps.isEmpty { errors.append(SpecError(field: "\(path).steps", message: "needs at least one step")) }
        if steps.count + onExit.count > maxSteps {
            errors.append(SpecError(field: "\(path).steps", message: "has \(steps.count + onExit.count) steps with onExit; at most \(maxSteps)"))
        }
        var seen: [String: String] = [:]
        for (list, field) in [(steps, "steps"), (onExit, "onExit")] {
            for (i, step) in list.enumerated() {
                let at = "\(path).\(field)[\(i)]"
                if let first = seen[step.name] {
                    errors.append(SpecError(field: "\(at).name", message: "\"\(step.name)\" is already the name of \(first)"))
                } else { seen[step.name] = at }
                if !isStepName(step.name) {
                    errors.append(SpecError(field: "\(at).name", message: "\"\(step.name)\" must be lowercase letters, digits and '-' (at most 63)"))
                }
                errors += shape(step, at: at)
            }
        }
        let graph = StepGraph(steps: steps)
        for (i, step) in steps.enumerated() {
            for (j, dependency) in (step.dependsOn ?? []).enumerated() where graph.index[dependency] == nil || dependency == step.name {
                errors.append(SpecError(field: "\(path).steps[\(i)].dependsOn[\(j)]",
                                        message: dependency == step.name ? "a step cannot depend on itself" : "\"\(dependency)\" is not a step of this workflow"))
            }
        }
        if let cycle = graph.cycle() {
            errors.append(SpecError(field: "\(path).steps", message: "dependsOn forms a cycle: \(cycle.joined(separator: " → "))"))
            return errors
        }
        for (i, step) in steps.enumerated() {
            errors += conditionProblems(step, at: "\(path).steps[\(i)]", visible: graph.ancestors(of: i).map { steps[$0] }, onExit: false)
        }
        for (i, step) in onExit.enumerated() {
            errors += conditionProblems(step, at: "\(path).onExit[\(i)]", visible: steps + onExit.prefix(i), onExit: true)
        }
        return errors
    }

    static func isStepName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 63, let first = name.first, let last = name.last,
              first.isLetter || first.isNumber, last.isLetter || last.isNumber else { return false }
        return name.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" } && name.allSatisfy(\.isASCII)
    }

    static func shape(_ step: WorkflowStep, at: String) -> [SpecError] {
        var errors: [SpecError] = []
        let hasAction = step.agent != nil || step.action != nil
        if step.approval != nil, hasAction {
            errors.append(SpecError(field: at, message: "is either an approval (approval) or an action (agent and action), not both"))
        } else if step.approval == nil {
            if step.agent == nil { errors.append(SpecError(field: "\(at).agent", message: "is required (or make the step an approval)")) }
            if step.action == nil { errors.append(SpecError(field: "\(at).action", message: "is required (or make the step an approval)")) }
            errors += WorkflowActionCatalog.problems(of: step, path: at)
        }
        if let backoff = step.retries?.backoff, GoDuration.parse(backoff) == nil {
            errors.append(SpecError(field: "\(at).retries.backoff", message: "\"\(backoff)\" is not a duration such as 10s or 1m"))
        }
        return errors
    }

    /// The fields a condition may read of a step.
    static let phaseFields: Set<String> = ["success", "succeeded", "failed", "skipped", "phase"]

    static func conditionProblems(_ step: WorkflowStep, at: String, visible: [WorkflowStep], onExit: Bool) -> [SpecError] {
        guard let text = step.condition else { return [] }
        let expression: StepExpression
        do { expression = try StepExpression(parsing: text) } catch {
            return [SpecError(field: "\(at).condition", message: error.description)]
        }
        var errors: [SpecError] = []
        for path in expression.references {
            let head = path[0]
            let dotted = path.joined(separator: ".")
            if head == "params" { continue }
            if head == "run" {
                if !(onExit && path == ["run", "phase"]) {
                    errors.append(SpecError(field: "\(at).condition", message: "\(dotted): only onExit steps may read run.phase"))
                }
                continue
            }
            guard let target = visible.first(where: { $0.name == head }) else {
                errors.append(SpecError(field: "\(at).condition", message: "\(dotted): \"\(head)\" is not a step that finishes before \(step.name) (an earlier step, or one it dependsOn)"))
                continue
            }
            var field = Array(path.dropFirst())
            if field.first == "outputs", field.count == 2 { field.removeFirst() } else if field.count == 1, phaseFields.contains(field[0]) { continue }
            let outputs = target.approval != nil ? ["approvedBy"] : (target.actionID.flatMap { WorkflowActionCatalog.byID[$0]?.outputs } ?? [])
            guard field.count == 1, outputs.contains(field[0]) else {
                errors.append(SpecError(field: "\(at).condition", message: "\(dotted): \(head) has no field \(field.joined(separator: ".")); it has success, failed, skipped, phase\(outputs.isEmpty ? "" : ", " + outputs.joined(separator: ", "))"))
                continue
            }
        }
        return errors
    }
}

/// The steps as a DAG: a step depends on its `dependsOn`, or on the step before it.
public struct StepGraph: Sendable {
    public let steps: [WorkflowStep]
    public let index: [String: Int]
    public let dependencies: [[Int]]

    public init(steps: [WorkflowStep]) {
        self.steps = steps
        var index: [String: Int] = [:]
        for (i, step) in steps.enumerated() where index[step.name] == nil { index[step.name] = i }
        self.index = index
        dependencies = steps.enumerated().map { i, step in
            if let names = step.dependsOn { return names.compactMap { index[$0] }.filter { $0 != i } }
            return i == 0 ? [] : [i - 1]
        }
    }

    /// A cycle as step names (first repeated at the end), nil when there is none.
    public func cycle() -> [String]? {
        var state = [Int](repeating: 0, count: steps.count)  // 0 new, 1 on the path, 2 done
        var path: [Int] = []
        func visit(_ i: Int) -> [String]? {
            if state[i] == 2 { return nil }
            if state[i] == 1, let start = path.firstIndex(of: i) { return (path[start...] + [i]).map { steps[$0].name } }
            state[i] = 1
            path.append(i)
            for d in dependencies[i] { if let found = visit(d) { return found } }
            path.removeLast()
            state[i] = 2
            return nil
        }
        for i in steps.indices { if let found = visit(i) { return found } }
        return nil
    }

    /// Every step `i` waits for, directly or not.
    public func ancestors(of i: Int) -> [Int] {
        var seen: Set<Int> = []
        var stack = dependencies[i]
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += dependencies[next] }
        }
        return seen.sorted()
    }
}
