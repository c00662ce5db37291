import Foundation

extension AuditPolicy {
    /// Every problem with the policy against `catalog`: check IDs and categories that do
    /// not exist, unknown frameworks and kinds, waivers without a check or a reason,
    /// empty registry entries. Paths start at `fieldPath` (`spec` for a SecurityAudit).
    public func issues(against catalog: CheckCatalog, fieldPath root: String = "spec") -> [PolicyIssue] {
        var issues: [PolicyIssue] = []
        func knownCheckOrCategory(_ entry: String) -> Bool {
            catalog.check(id: entry) != nil || CheckCategory(parsing: entry) != nil
        }
        let categories = CheckCategory.allCases.map(\.rawValue).joined(separator: ", ")
        for (list, entries) in [("include", checks.include), ("exclude", checks.exclude)] {
            for (index, entry) in entries.enumerated() where !knownCheckOrCategory(entry) {
                issues.append(PolicyIssue(
                    fieldPath: "\(root).checks.\(list)[\(index)]",
                    message: "unknown check ID or category \"\(entry)\"; use a check ID such as OPS-POD-001 or one of \(categories)"))
            }
        }
        for (index, entry) in frameworks.enumerated() where Framework(parsing: entry) == nil {
            issues.append(PolicyIssue(
                fieldPath: "\(root).frameworks[\(index)]",
                message: "unknown framework \"\(entry)\"; use one of \(Framework.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        for (index, kind) in scope.kinds.enumerated() where !AuditInventory.supportedKinds.contains(kind) {
            issues.append(PolicyIssue(
                fieldPath: "\(root).scope.kinds[\(index)]",
                message: "unknown kind \"\(kind)\"; use one of \(AuditInventory.supportedKinds.joined(separator: ", "))"))
        }
        for (index, namespace) in scope.namespaces.enumerated() where namespace.isEmpty {
            issues.append(PolicyIssue(fieldPath: "\(root).scope.namespaces[\(index)]", message: "must not be empty"))
        }
        for (index, waiver) in exceptions.enumerated() {
            let path = "\(root).exceptions[\(index)]"
            if waiver.check.isEmpty {
                issues.append(PolicyIssue(fieldPath: "\(path).check", message: "name the check ID or category to waive"))
            } else if !knownCheckOrCategory(waiver.check) {
                issues.append(PolicyIssue(
                    fieldPath: "\(path).check", message: "unknown check ID or category \"\(waiver.check)\""))
            }
            if waiver.reason.trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(PolicyIssue(fieldPath: "\(path).reason", message: "a waiver needs a reason"))
            }
            if let kind = waiver.kind, !AuditInventory.supportedKinds.contains(kind) {
                issues.append(PolicyIssue(fieldPath: "\(path).kind", message: "unknown kind \"\(kind)\""))
            }
        }
        for (index, registry) in imagePolicy.allowedRegistries.enumerated()
        where registry.trimmingCharacters(in: .whitespaces).isEmpty {
            issues.append(PolicyIssue(
                fieldPath: "\(root).imagePolicy.allowedRegistries[\(index)]", message: "must not be empty"))
        }
        return issues
    }
}
