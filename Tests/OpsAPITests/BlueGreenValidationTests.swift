import Testing
import KubeClient
@testable import OpsAPI

@Suite struct BlueGreenValidationTests {
    static func spec(labels: JSONValue = ["app": "web"], selector: JSONValue? = nil, image: String = "nginx:1.27") -> BlueGreenSpec {
        BlueGreenSpec(replicas: 3, selector: selector,
                      template: ["metadata": ["labels": labels], "spec": ["containers": [["name": "web", "image": .string(image)]]]],
                      activeService: ServiceRef(name: "web"))
    }

    @Test func aSoundSpecHasNoErrors() {
        #expect(Self.spec().validate() == [])
        #expect(Self.spec(selector: ["matchLabels": ["app": "web"]]).validate() == [])
    }

    @Test func aSelectorThatMissesTheTemplateIsReportedOnItsField() {
        let errors = Self.spec(selector: ["matchLabels": ["app": "api"]]).validate()
        #expect(errors.map(\.field) == ["spec.selector"])
        #expect(errors.first?.message.contains("app=web") == true)
    }

    @Test func missingImageLabelsAndDuplicateChecksAreAllReported() {
        var spec = Self.spec(labels: [:], image: "")
        spec.previewService = ServiceRef(name: "web")
        spec.prePromotionAnalysis = AnalysisSpec(checks: [
            AnalysisCheck(name: "errors", prometheus: PrometheusQuery(query: "up"), successCondition: "result <"),
            AnalysisCheck(name: "errors", builtin: BuiltinCheck(type: "PodReadiness"), interval: "soon"),
        ])
        let fields = Set(spec.validate().map(\.field))
        #expect(fields.isSuperset(of: [
            "spec.template.spec.containers[0].image", "spec.template.metadata.labels", "spec.previewService.name",
            "spec.prePromotionAnalysis.checks[0].successCondition", "spec.prePromotionAnalysis.checks[1].name",
            "spec.prePromotionAnalysis.checks[1].interval",
        ]))
    }

    @Test func managedLabelsAreRefused() {
        let errors = Self.spec(labels: ["app": "web", "opsagent.dev/color": "blue"]).validate()
        #expect(errors.contains { $0.field == "spec.template.metadata.labels" && $0.message.contains("opsagent.dev/color") })
    }

    @Test func conditionsEvaluateLikeUsersExpect() throws {
        let low = try ConditionExpression(parsing: "result < 0.05")
        #expect(low.evaluate(result: 0.01))
        #expect(!low.evaluate(result: 0.2))
        #expect(!low.evaluate(result: .nan))
        let band = try ConditionExpression(parsing: "result >= 0.9 && (result <= 1 || result == 2)")
        #expect(band.evaluate(result: 0.95))
        #expect(band.evaluate(result: 2))
        #expect(!band.evaluate(result: 1.5))
        #expect(try ConditionExpression(parsing: "!(result > -1.5e2)").evaluate(result: -200))
        #expect(throws: ConditionExpression.ParseError.self) { try ConditionExpression(parsing: "errors < 5") }
        #expect(throws: ConditionExpression.ParseError.self) { try ConditionExpression(parsing: "(result < 5") }
    }

    @Test func durationsParseAsWritten() {
        #expect(GoDuration.parse("10s") == .seconds(10))
        #expect(GoDuration.parse("1m30s") == .seconds(90))
        #expect(GoDuration.parse("250ms") == .milliseconds(250))
        #expect(GoDuration.parse("1.5h") == .seconds(5400))
        #expect(GoDuration.parse("10") == nil)
        #expect(GoDuration.parse("") == nil)
        #expect(GoDuration.parse("5d") == nil)
    }
}
