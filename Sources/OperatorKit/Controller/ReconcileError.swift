/// A failed reconcile, with the reason and message that go on the object's `Ready=False`
/// condition and Warning event.
///
/// Any other error thrown by a reconciler is reported with reason `ReconcileError` and its
/// description as the message, and retried with backoff.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    /// A CamelCase reason such as `InvalidSpec` or `ServiceNotFound`.
    public var reason: String
    /// What is wrong and what the user can do about it.
    public var message: String
    /// When true, retrying cannot help (a bad spec): the key is not requeued until the
    /// object changes. controller-runtime's `TerminalError`.
    public var isTerminal: Bool
    /// Retry after this delay instead of the rate limiter's backoff.
    public var retryAfter: Duration?

    public init(reason: String, message: String, isTerminal: Bool = false, retryAfter: Duration? = nil) {
        self.reason = reason
        self.message = message
        self.isTerminal = isTerminal
        self.retryAfter = retryAfter
    }

    /// A failure retrying cannot fix: reported, then left until the object changes.
    public static func terminal(reason: String, message: String) -> ReconcileError {
        ReconcileError(reason: reason, message: message, isTerminal: true)
    }

    public var description: String { "\(reason): \(message)" }

    /// The reason and message to report for any error.
    static func describing(_ error: any Error) -> ReconcileError {
        if let error = error as? ReconcileError { return error }
        return ReconcileError(reason: "ReconcileError", message: String(describing: error))
    }
}
