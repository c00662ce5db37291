/// A controller that `opsagent run` starts: it registers its informers, watches and
/// reconciler on the manager. Each controller package exposes one, and the `run` command
/// lists them all (see `RunCommand.installedControllers`).
///
/// ```swift
/// public struct BlueGreenDeploymentSetup: ControllerSetup {
///     public let name = "bluegreendeployment"
///     public func register(with manager: Manager) throws {
///         try manager.addController(
///             named: name, for: .blueGreenDeployments, owns: [.deployments, .services],
///             reconciler: BlueGreenReconciler(cache: manager.cache, api: manager.api, events: manager.events))
///     }
/// }
/// ```
public protocol ControllerSetup: Sendable {
    /// The controller's name, as in metrics (`controller` label) and logs.
    var name: String { get }
    /// Adds the controller to `manager`; called once, before the manager runs.
    func register(with manager: Manager) throws
}

/// A ``ControllerSetup`` made of a closure.
public struct ControllerRegistration: ControllerSetup {
    public let name: String
    private let body: @Sendable (Manager) throws -> Void

    public init(name: String, _ body: @escaping @Sendable (Manager) throws -> Void) {
        self.name = name
        self.body = body
    }

    public func register(with manager: Manager) throws { try body(manager) }
}
