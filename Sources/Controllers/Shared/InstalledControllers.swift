import OperatorKit

/// A controller opsagent runs: it registers itself, with its watches and reconciler, on the
/// manager of an ``OperatorContext``.
public protocol OperatorController {
    /// The controller's name (the `controller` label of its metrics, its logs' `controller`).
    static var name: String { get }
    @discardableResult
    static func register(in context: OperatorContext) throws -> Controller
}

/// Every controller `opsagent run` starts. A new controller adds one line to ``all``.
public enum InstalledControllers {
    public static let all: [any OperatorController.Type] = [
        BlueGreenController.self,
        AlertRuleController.self,
        SecurityAuditController.self,
        WorkflowController.self,
    ]

    /// The registrations `opsagent run` gives its manager.
    public static func setups(_ configuration: OperatorContext.Configuration) -> [any ControllerSetup] {
        all.map { controller in
            ControllerRegistration(name: controller.name) { manager in
                try controller.register(in: OperatorContext(manager: manager, configuration: configuration))
            }
        }
    }
}
