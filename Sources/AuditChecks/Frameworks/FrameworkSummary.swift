/// How one framework fared in an audit.
///
/// `score` is `passed / (passed + failed) × 100`, rounded down; controls none of whose
/// checks ran (all excluded or not applicable) count in `notEvaluated` and in neither
/// side. A framework with nothing evaluated scores 100.
public struct FrameworkSummary: Sendable, Hashable, Codable {
    public var framework: Framework
    public var title: String
    public var passed: Int
    public var failed: Int
    public var notEvaluated: Int
    public var score: Int
    /// IDs of the failed controls, in the framework's order.
    public var failedControls: [String]
}
