/// Renders the check catalog and the framework table as Markdown, the form
/// `docs/security-frameworks.md` embeds (a test keeps the two equal).
public enum CatalogDocument {
    /// The check list: one row per check with its severity and Trivy/kubescape IDs.
    public static func checksTable(_ catalog: CheckCatalog = .standard) -> String {
        var lines = [
            "| ID | category | severity | title | Trivy | kubescape |",
            "|---|---|---|---|---|---|",
        ]
        for check in catalog.checks {
            lines.append(
                "| \(check.id) | \(check.category.rawValue) | \(check.severity.rawValue) | \(check.title) | "
                    + "\(check.trivyIDs.joined(separator: ", ")) | \(check.kubescapeIDs.joined(separator: ", ")) |")
        }
        return lines.joined(separator: "\n")
    }

    /// One section per framework: its controls and the checks that evidence each.
    public static func frameworkTables() -> String {
        Framework.allCases.map { framework in
            var lines = [
                "### \(framework.title) (`\(framework.rawValue)`)", "",
                "| control | title | checks |", "|---|---|---|",
            ]
            for control in FrameworkCatalog.controls(of: framework) {
                lines.append("| \(control.id) | \(control.title) | \(control.checkIDs.joined(separator: ", ")) |")
            }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }
}
