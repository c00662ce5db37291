/// Placeholder until the dashboard lands (replaced in this change).
public enum DashboardPage {
    public static let html = "<!doctype html><title>opsagent</title>"
}
