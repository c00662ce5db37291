import Foundation
import KubeClient
import OpsAPI
import Testing

/// The seed's workflows are valid as written; bad definitions are rejected with field paths.
@Suite struct WorkflowValidationTests {
    static func example(_ name: String) throws -> OpsWorkflow {
        let path = CRDDriftTests.repositoryRoot.appendingPathComponent("examples/workflows/\(name).yaml").path
        let documents = try YAML.decodeAll(try String(contentsOfFile: path, encoding: .utf8))
        return try #require(documents.first).decode(OpsWorkflow.self)
    }

    @Test func theSeedsWorkflowsAreValidAsWritten() throws {
        let deployment = try Self.example("deployment")
        #expect(deployment.spec.name == "Application Deployment")
        #expect(deployment.spec.steps.map(\.name) == ["pre-deployment-check", "security-scan", "deploy-application",
                                                     "post-deployment-validation", "rollback-if-needed"])
        #expect(deployment.spec.steps[0].parameters?["threshold"] == .double(0.8))
        #expect(WorkflowValidation.problems(of: deployment.spec).isEmpty)
        let incident = try Self.example("incident-response")
        #expect(incident.spec.steps.compactMap(\.condition) == ["assess-incident.severity == 'low'", "assess-incident.severity == 'high'"])
        #expect(WorkflowValidation.problems(of: incident.spec).isEmpty)
    }

    @Test func theSeedsExpressionsParseAndEvaluate() throws {
        let values: [String: StepExpression.Value] = [
            "deploy-application.success": .bool(true), "post-deployment-validation.failed": .bool(false),
            "assess-incident.severity": .text("low"), "check.ratio": .text("0.92"), "params.env": .text("prod"),
        ]
        func eval(_ text: String) throws -> Bool {
            try StepExpression(parsing: text).evaluate { values[$0.joined(separator: ".")] ?? .null }
        }
        #expect(try eval("deploy-application.success"))
        #expect(try !eval("post-deployment-validation.failed"))
        #expect(try eval("assess-incident.severity == 'low'"))
        #expect(try !eval("assess-incident.severity == 'high'"))
        #expect(try eval("check.ratio >= 0.9 && params.env == \"prod\""))
        #expect(try eval("!(missing.step.value == 'x') || false"))
        #expect(try !eval("missing.value"))
        #expect(try StepExpression(parsing: "a-b.c == 'x' || d.e").references == [["a-b", "c"], ["d", "e"]])
        #expect(throws: StepExpression.ParseError.self) { try StepExpression(parsing: "deploy-application.success &&") }
        #expect(throws: StepExpression.ParseError.self) { try StepExpression(parsing: "severity == 'low") }
        #expect(throws: StepExpression.ParseError.self) { try StepExpression(parsing: "severity == 'low'") }
    }

    func step(_ name: String, _ id: String = "monitoring.check-system-health", condition: String? = nil,
              dependsOn: [String]? = nil, parameters: [String: JSONValue]? = nil) -> WorkflowStep {
        let parts = id.split(separator: ".", maxSplits: 1).map(String.init)
        return WorkflowStep(name: name, agent: parts[0], action: parts[1], parameters: parameters, condition: condition, dependsOn: dependsOn)
    }

    @Test func badDefinitionsAreRejectedWithFieldPaths() {
        let spec = OpsWorkflowSpec(steps: [
            step("first", parameters: ["threshold": "high"]),
            step("second", "monitoring.predict-the-future"),
            step("third", condition: "later.success"),
            step("fourth", condition: "first.severity == 'low'"),
            step("fifth", condition: "first.success &&"),
            step("first"),
        ])
        let problems = WorkflowValidation.problems(of: spec)
        let fields = problems.map(\.field)
        #expect(fields.contains("spec.steps[0].parameters.threshold"), "\(problems)")
        #expect(fields.contains("spec.steps[1].action"), "\(problems)")
        #expect(problems.first { $0.field == "spec.steps[1].action" }?.message.contains("monitoring.predict-the-future") == true)
        #expect(problems.contains { $0.field == "spec.steps[2].condition" && $0.message.contains("\"later\"") }, "\(problems)")
        #expect(problems.contains { $0.field == "spec.steps[3].condition" && $0.message.contains("no field severity") }, "\(problems)")
        #expect(fields.contains("spec.steps[4].condition"), "\(problems)")
        #expect(fields.contains("spec.steps[5].name"), "\(problems)")
    }

    @Test func dependsOnMakesADagAndCyclesAreRejected() {
        var spec = OpsWorkflowSpec(steps: [
            step("a", dependsOn: ["c"]), step("b", dependsOn: ["a"]), step("c", dependsOn: ["b"]),
        ])
        #expect(WorkflowValidation.problems(of: spec).contains { $0.field == "spec.steps" && $0.message.contains("cycle") })
        spec = OpsWorkflowSpec(steps: [
            step("a", dependsOn: []), step("b", dependsOn: []), step("c", condition: "a.success && b.healthy", dependsOn: ["a", "b"]),
            step("d", condition: "c.success", dependsOn: ["nope"]),
        ])
        let problems = WorkflowValidation.problems(of: spec)
        #expect(problems.map(\.field) == ["spec.steps[3].dependsOn[0]", "spec.steps[3].condition"], "\(problems)")
        // A parallel branch cannot read a sibling it does not wait for.
        spec = OpsWorkflowSpec(steps: [step("a", dependsOn: []), step("b", condition: "a.success", dependsOn: [])])
        #expect(WorkflowValidation.problems(of: spec).map(\.field) == ["spec.steps[1].condition"])
    }

    @Test func onExitStepsReadTheRunsPhaseAndApprovalsHaveNoAction() {
        var gate = WorkflowStep(name: "approve")
        gate.approval = ApprovalGate(message: "ship it?", timeoutSeconds: 60)
        var spec = OpsWorkflowSpec(steps: [gate, step("after", condition: "approve.approvedBy == 'alice'")],
                                   onExit: [step("notify", "incident.escalate", condition: "run.phase == 'Failed'")])
        #expect(WorkflowValidation.problems(of: spec).isEmpty, "\(WorkflowValidation.problems(of: spec))")
        spec.steps[1].condition = "run.phase == 'Failed'"
        #expect(WorkflowValidation.problems(of: spec).map(\.field) == ["spec.steps[1].condition"])
        gate.agent = "monitoring"
        spec = OpsWorkflowSpec(steps: [gate])
        #expect(WorkflowValidation.problems(of: spec).map(\.field) == ["spec.steps[0]"])
    }

    @Test func outputsAreBounded() {
        let many = Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", String(repeating: "x", count: 2000)) })
        let kept = StepStatus.bounded(many) ?? [:]
        #expect(kept.count == StepStatus.maxOutputs)
        #expect(kept.values.allSatisfy { $0.count == StepStatus.maxOutputLength })
    }
}
