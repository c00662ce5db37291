/// The version this build of opsagent reports (`opsagent version`, user agent, `/version`).
public enum BuildInfo {
    public static let version = "0.1.0"
    public static var userAgent: String { "opsagent/\(version)" }
}
