/// Annotations users (or `opsagent promote|abort|retry|undo`, or the MCP rollout tools) set
/// to act on a rollout. Each value is a token: an operation runs once per distinct value, so
/// the annotation can live in Git and be changed to act again.
public enum BlueGreenOperation: String, Sendable, CaseIterable {
    case promote, abort, retry, undo

    public var annotation: String { "opsagent.dev/\(rawValue)" }
}
