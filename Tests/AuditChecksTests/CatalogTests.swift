import Foundation
import KubeClient
import Testing

@testable import AuditChecks

@Suite("Check catalog and framework table")
struct CatalogTests {
    let catalog = CheckCatalog.standard

    @Test("At least 40 checks, each fully described, with unique stable IDs")
    func checksAreComplete() {
        #expect(catalog.checks.count >= 40)
        #expect(Set(catalog.checks.map(\.id)).count == catalog.checks.count)
        for check in catalog.checks {
            #expect(check.id.range(of: #"^OPS-(POD|WL|SEC|RBAC|NET|NS|VULN)-\d{3}$"#, options: .regularExpression) != nil, "\(check.id)")
            #expect(!check.title.isEmpty && !check.description.isEmpty && !check.remediation.isEmpty, "\(check.id)")
            #expect(!check.frameworks.isEmpty, "\(check.id) is mapped to no framework control")
            for id in check.trivyIDs {
                #expect(id.range(of: #"^KSV-\d{4,5}$"#, options: .regularExpression) != nil, "\(check.id): \(id)")
            }
            for id in check.kubescapeIDs {
                #expect(id.range(of: #"^C-\d{4}$"#, options: .regularExpression) != nil, "\(check.id): \(id)")
            }
        }
        #expect(Set(catalog.checks.map(\.category)) == Set(CheckCategory.allCases))
    }

    @Test("Every framework has controls, and every control names existing checks")
    func frameworkTable() {
        for framework in Framework.allCases {
            #expect(!FrameworkCatalog.controls(of: framework).isEmpty, "\(framework)")
        }
        for control in FrameworkCatalog.controls {
            #expect(!control.checkIDs.isEmpty)
            for id in control.checkIDs {
                #expect(catalog.check(id: id) != nil, "\(control.framework) \(control.id) names unknown \(id)")
            }
        }
        let restricted = Set(FrameworkCatalog.controls(of: .pssRestricted).map(\.id))
        #expect(Set(FrameworkCatalog.controls(of: .pssBaseline).map(\.id)).isSubset(of: restricted))
    }

    @Test("The framework document lists the same table")
    func documentMatchesTable() throws {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/security-frameworks.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        #expect(text.contains(CatalogDocument.checksTable()))
        #expect(text.contains(CatalogDocument.frameworkTables()))
        for control in FrameworkCatalog.controls {
            let row = "| \(control.id) | \(control.title) | \(control.checkIDs.joined(separator: ", ")) |"
            #expect(text.contains(row), "docs/security-frameworks.md lacks: \(row)")
        }
        for check in catalog.checks {
            #expect(text.contains("| \(check.id) |"), "docs/security-frameworks.md lacks check \(check.id)")
        }
    }
}
