import Analysis
import Foundation
import KubeClient
import OperatorKit
import OpsAPI

/// What an attempt of an action ended with.
enum ActionOutcome: Sendable, Hashable {
    /// Done; the step Succeeded with these outputs.
    case succeeded([String: String])
    /// Done; the step Failed (or is retried) with this message.
    case failed(String, [String: String] = [:])
    /// The side effect is in place (or nothing was done yet) and the action waits for the
    /// cluster: the engine runs the action again after `recheck` (it must be idempotent).
    case waiting(String, recheck: Duration = .seconds(1))
}

/// One `agent.action` of the catalog (``WorkflowActionCatalog``), run as a background job.
///
/// Every action is idempotent for its step: whatever it creates or changes carries the
/// step's idempotency key (``ActionContext/idempotencyKey``), and running it again finds
/// that and only observes. An action that cannot be made so (a notification without a
/// receiver-side dedup key) says `resumable == false`: the engine then never runs it a
/// second time after the operator died while it ran, and fails the step instead.
protocol StepAction: Sendable {
    static var id: String { get }
    var resumable: Bool { get }
    func run(_ context: ActionContext) async -> ActionOutcome
}

extension StepAction {
    var resumable: Bool { true }
}

/// What an action may read and use.
struct ActionContext: Sendable {
    let api: any KubernetesAPI
    let cache: InformerCache
    let operatorContext: OperatorContext
    let clock: any OperatorClock
    /// The run's namespace.
    let namespace: String
    let runName: String
    let runUID: String
    let workflow: String
    let step: WorkflowStep
    /// The run's parameters (`params.<name>`).
    let runParameters: [String: String]
    /// Outputs of the steps finished so far.
    let priorOutputs: [String: [String: String]]
    /// `<run uid>/<step>`: recorded on whatever the step creates or changes.
    var idempotencyKey: String { "\(runUID)/\(step.name)" }

    /// A step parameter, else the run parameter of the same name (as a string).
    func parameter(_ name: String) -> JSONValue? {
        if let value = step.parameters?[name], !value.isNull { return value }
        return runParameters[name].map { .string($0) }
    }

    func string(_ name: String) -> String? {
        guard let value = parameter(name) else { return nil }
        if let s = value.stringValue { return s }
        if let i = value.intValue { return String(i) }
        if let d = value.doubleValue { return String(d) }
        if let b = value.boolValue { return String(b) }
        return nil
    }

    func int(_ name: String) -> Int? { parameter(name).flatMap { $0.intValue ?? $0.stringValue.flatMap(Int.init) } }
    func double(_ name: String) -> Double? { parameter(name).flatMap { $0.doubleValue ?? $0.stringValue.flatMap(Double.init) } }
    func bool(_ name: String) -> Bool? { parameter(name).flatMap { $0.boolValue ?? $0.stringValue.flatMap(Bool.init) } }

    /// The target's namespace: `namespace`, else the run's.
    var targetNamespace: String { string("namespace") ?? namespace }

    /// The target's name, or a failure naming where it was looked for.
    func targetName(_ what: String) throws(ActionError) -> String {
        guard let name = string("name") ?? runParameters["deployment"] ?? runParameters["workload"], !name.isEmpty else {
            throw ActionError("no \(what) named: set parameters.name on the step or --param name=… on the run")
        }
        return name
    }

    var wallTime: Date { clock.wallTime }
}

struct ActionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ActionOutcome {
    /// Runs `body`, turning an ``ActionError`` or an API error into a failure.
    static func catching(_ body: () async throws -> ActionOutcome) async -> ActionOutcome {
        do { return try await body() } catch let error as ActionError {
            return .failed(error.description)
        } catch let error as KubeError {
            return .failed("the API server answered: \(error)")
        } catch {
            return .failed("\(error)")
        }
    }
}
