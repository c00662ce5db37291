/// The two stacks of a blue-green rollout.
public enum Color: String, Sendable, Hashable, CaseIterable {
    case blue, green

    public var other: Color { self == .blue ? .green : .blue }
}

/// Labels and annotations the controller puts on what it creates.
enum BlueGreenLabels {
    /// On pods (via the template) and Deployments: which stack they belong to.
    static let color = "opsagent.dev/color"
    /// On Deployments and Services: the rollout that owns them. An existing Service is
    /// adopted only when it carries this label with the rollout's name.
    static let managedBy = "opsagent.dev/managed-by"
    /// On Deployments: the revision (template hash) they run.
    static let revision = "opsagent.dev/revision"
    /// On Deployments: the pod template exactly as the rollout's spec had it (without server
    /// defaults), so `undo` restores the same revision.
    static let template = "opsagent.dev/template"
    /// On Services: active or preview.
    static let role = "opsagent.dev/role"
}
