/// A problem with a spec, naming the field to fix: `spec.template.spec.containers: must list
/// at least one container`. Controllers report it as `Ready=False, reason=InvalidSpec` with the
/// field path, so the user knows what to change.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field path, as kube-apiserver names fields in a 422: `spec.checks[2].interval`.
    public var field: String
    /// What is wrong and, where it helps, what a valid value looks like.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
