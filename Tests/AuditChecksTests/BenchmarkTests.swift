import Foundation
import Testing

@testable import AuditChecks

@Suite("Benchmark")
struct BenchmarkTests {
    @Test("The synthetic audit runs and finds problems, in time linear in its size")
    func smallRun() {
        let small = AuditBenchmark.run(pods: 200, namespaces: 10, rbacObjects: 40)
        #expect(small.findings > 200)
        #expect(small.seconds > 0)
        let inventory = AuditBenchmark.syntheticInventory(pods: 200, namespaces: 10, rbacObjects: 40)
        #expect(inventory.pods.count == 200)
        #expect(inventory.roles.count + inventory.roleBindings.count + inventory.clusterRoles.count + inventory.clusterRoleBindings.count == 40)
    }
}
