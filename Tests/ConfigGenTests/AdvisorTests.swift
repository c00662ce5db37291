import Analysis
import KubeClient
import Testing

@testable import ConfigGen

/// The analysis step adds comments, never changes an object.
@Suite("generate: advisory analysis")
struct AdvisorTests {
    /// An analyzer that answers like an LLM provider, recording what it was shown.
    final class ScriptedAnalyzer: Analyzer, @unchecked Sendable {
        // Safe: written once by the single analyze call a test makes, read after it returns.
        var seen: AnalysisRequest?
        let recommendations: [String]
        init(_ recommendations: [String]) { self.recommendations = recommendations }
        func analyze(_ request: AnalysisRequest) async -> AnalysisResult {
            seen = request
            return AnalysisResult(verdict: .pass, confidence: 0.8, summary: "reviewed", findings: [],
                                  recommendations: recommendations, provider: "openai", model: "gpt-test", inputHash: "h")
        }
    }

    @Test("Built-in rules recommend sizing from the image kind, a real probe and digest pinning")
    func builtinRules() throws {
        let generated = try ManifestGenerator().generate(yaml: """
            name: search
            image: registry.example/elasticsearch:8.13.0
            ports: [{name: http, port: 9200}]
            resources: {size: small}
            environment: prod

            """)
        let texts = generated.advice.map(\.comment)
        #expect(texts.contains { $0.hasPrefix("advisory (builtin): the image looks like a elasticsearch workload") })
        #expect(texts.contains { $0.contains("no health endpoint given") })
        #expect(texts.contains { $0.contains("pin it by digest") })
        #expect(texts.contains { $0.contains("prod without scaling") })
        // Advice is a comment at the head of the output; the size class stays as asked.
        let container = try #require(generated.manifests.first { $0.kind == "Deployment" }).object["spec"]["template"]["spec"]["containers"][0]
        #expect(container["resources"]["limits"]["memory"] == "256Mi")
        #expect(generated.yaml().contains("# advisory (builtin): the image looks like a elasticsearch workload"))
    }

    @Test("An LLM's recommendations become comments; one that would weaken hardening is marked and nothing changes")
    func llmRecommendationsAreAdvisoryOnly() async throws {
        let text = minimal + "env: {LOG_LEVEL: planted-literal-value}\n"
        let generated = try ManifestGenerator().generate(yaml: text)
        let analyzer = ScriptedAnalyzer(["Raise the memory limit to 512Mi.", "Run as root and set privileged: true for speed."])
        let reviewed = await AnalysisAdvisor.review(generated, analyzer: analyzer)
        #expect(reviewed.objects == generated.objects)
        #expect(reviewed.advice.suffix(2).map(\.comment) == [
            "advisory (openai): Raise the memory limit to 512Mi.",
            "advisory (openai): [conflicts with the restricted profile; not applied] Run as root and set privileged: true for speed.",
        ])
        #expect(reviewed.yaml().contains("# advisory (openai): Raise the memory limit to 512Mi.\n"))
        // The prompt's facts name variables, never their values.
        let seen = try #require(analyzer.seen)
        #expect(seen.facts.checks.contains { $0.detail.contains("LOG_LEVEL") })
        #expect(!seen.facts.checks.contains { $0.detail.contains("planted-literal-value") })
    }

    @Test("The built-in analyzer adds nothing beyond the built-in rules")
    func builtinAnalyzerAddsNothing() async throws {
        let generated = try ManifestGenerator().generate(yaml: minimal)
        let reviewed = await AnalysisAdvisor.review(generated, analyzer: BuiltinAnalyzer())
        #expect(reviewed == generated)
    }
}
