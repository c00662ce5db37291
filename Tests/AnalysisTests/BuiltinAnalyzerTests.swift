import Testing
@testable import Analysis

@Suite("Built-in analyzer")
struct BuiltinAnalyzerTests {
    let analyzer = BuiltinAnalyzer()

    func analyze(_ facts: AnalysisFacts, sensitive: Set<String> = []) async -> AnalysisResult {
        await analyzer.analyze(FactSets.request(facts, sensitive: sensitive))
    }

    @Test func healthyPreviewPasses() async {
        let result = await analyze(FactSets.healthy)
        #expect(result.verdict == .pass)
        #expect(result.confidence >= 0.8)
        #expect(result.findings.allSatisfy { $0.severity != .critical })
        #expect(result.provider == "builtin")
        #expect(result.degraded == nil)
        #expect(result.summary.hasPrefix("Pass"))
        #expect(result.summary.contains("error-rate"))
        #expect(result.inputHash.count == 64)
    }

    @Test func highErrorRateFails() async throws {
        let result = await analyze(FactSets.highErrorRate)
        #expect(result.verdict == .fail)
        let finding = try #require(result.findings.first { $0.title.contains("Error rate") })
        #expect(finding.severity == .critical)
        #expect(finding.evidence.contains("12%"))
        #expect(finding.evidence.contains("5%"))
        #expect(result.findings.contains { $0.title.contains("Errors in the log") })
        #expect(result.recommendations.contains { $0.contains("Keep traffic off") })
    }

    @Test func crashLoopFailsAndNamesThePods() async throws {
        let result = await analyze(FactSets.crashLoop)
        #expect(result.verdict == .fail)
        let crash = try #require(result.findings.first { $0.title.hasPrefix("CrashLoopBackOff") })
        #expect(crash.severity == .critical)
        // One finding for the two crashing pods, naming both.
        #expect(crash.title.contains("(2 pods)") == true)
        #expect(crash.evidence.contains("checkout-green-7d9f8-abcde"))
        #expect(crash.evidence.contains("checkout-green-7d9f8-fghij"))
        #expect(crash.evidence.contains("7 restarts"))
        // Pods already explained by the crash loop are not reported again as merely unready.
        #expect(!result.findings.contains { $0.title == "Pods not ready" })
        #expect(result.findings.contains { $0.title.hasPrefix("Warning events: BackOff") })
        #expect(result.recommendations.contains { $0.contains("--previous") })
    }

    @Test func nanMetricsAreInconclusiveNeverPass() async {
        let result = await analyze(FactSets.nanMetrics)
        #expect(result.verdict == .inconclusive)
        #expect(result.findings.contains { $0.title == "No data for error-rate" && $0.evidence.contains("NaN") })
        #expect(result.summary.hasPrefix("Inconclusive"))
        #expect(result.confidence <= 0.5)
    }

    @Test func emptyMetricSeriesIsInconclusive() async {
        var facts = FactSets.healthy
        facts.metrics[0].values = []
        let result = await analyze(facts)
        #expect(result.verdict == .inconclusive)
        #expect(result.findings.contains { $0.evidence.contains("returned no samples") })
    }

    @Test func mostlyMissingSamplesAreInconclusiveEvenWhenTheLatestIsFine() async {
        var facts = FactSets.healthy
        facts.metrics[0].values = [.nan, .nan, .nan, 0.001]
        #expect(await analyze(facts).verdict == .inconclusive)
    }

    @Test func nanDoesNotHideAHardFailure() async {
        var facts = FactSets.crashLoop
        facts.metrics = [FactSets.errorRate([.nan])]
        #expect(await analyze(facts).verdict == .fail)
    }

    @Test func noTrafficMakesAZeroErrorRateInconclusive() async {
        var facts = FactSets.healthy
        facts.metrics[0] = FactSets.errorRate([0, 0, 0])
        facts.metrics.append(MetricSample(name: "requests", query: #"sum(rate(http_requests_total{color="green"}[5m]))"#,
                                          kind: .requestRate, values: [0, 0, 0]))
        let result = await analyze(facts)
        #expect(result.verdict == .inconclusive)
        #expect(result.findings.contains { $0.title == "No traffic for requests" })
    }

    @Test func oomKilledFails() async throws {
        let result = await analyze(FactSets.oomKilled)
        #expect(result.verdict == .fail)
        let oom = try #require(result.findings.first { $0.title.hasPrefix("OOMKilled") })
        #expect(oom.evidence.contains("256Mi"))
        // 249Mi of 256Mi is above the seed's 90% memory threshold.
        #expect(result.findings.contains { $0.title == "Memory above 90% of its limit" })
        #expect(result.recommendations.contains { $0.contains("memory limit") })
    }

    @Test func imagePullFailureFails() async throws {
        let result = await analyze(FactSets.imagePullFailure)
        #expect(result.verdict == .fail)
        let pull = try #require(result.findings.first { $0.title.hasPrefix("Image pull failure") })
        #expect(pull.evidence.contains("checkout:1.8.0-typo"))
        #expect(pull.evidence.contains("ImagePullBackOff"))
        // The pod is Pending because of the image; it is not reported a second time as pending.
        #expect(!result.findings.contains { $0.title.hasPrefix("Pod pending") || $0.title == "Pod not started yet" })
        #expect(result.recommendations.contains { $0.contains("imagePullSecrets") })
    }

    @Test func unschedulablePodFailsWithItsReason() async throws {
        let result = await analyze(FactSets.pendingUnschedulable)
        #expect(result.verdict == .fail)
        let pending = try #require(result.findings.first { $0.title == "Pod pending: Unschedulable" })
        #expect(pending.evidence.contains("Insufficient cpu"))
    }

    @Test func podPendingWithoutAReasonIsInconclusive() async {
        let facts = AnalysisFacts(metrics: FactSets.healthyMetrics, pods: [FactSets.pod("abcde", phase: .pending, ready: false, containers: [
            ContainerFact(name: "app", ready: false, state: .waiting(reason: "ContainerCreating")),
        ])])
        let result = await analyze(facts)
        #expect(result.verdict == .inconclusive)
        #expect(result.findings.contains { $0.title == "Container still starting" })
    }

    @Test func cpuAboveTheSeedThresholdOfItsLimitFails() async throws {
        var facts = FactSets.healthy
        // 0.45 cores of a 0.5-core limit is 90% > 80%.
        facts.metrics[1].values = [0.3, 0.42, 0.45]
        let result = await analyze(facts)
        #expect(result.verdict == .fail)
        let cpu = try #require(result.findings.first { $0.title == "CPU above 80% of its limit" })
        #expect(cpu.evidence.contains("90%"))
        #expect(cpu.evidence.contains("450m of 500m"))
    }

    @Test func utilizationRatiosUseTheSeedThresholds() async {
        func verdict(cpu: Double, memory: Double) async -> Verdict {
            var facts = FactSets.healthy
            facts.metrics = [
                MetricSample(name: "cpu", query: "q1", kind: .cpuUtilization, values: [cpu]),
                MetricSample(name: "memory", query: "q2", kind: .memoryUtilization, values: [memory]),
            ]
            return await analyze(facts).verdict
        }
        #expect(await verdict(cpu: 0.79, memory: 0.89) == .pass)
        #expect(await verdict(cpu: 0.81, memory: 0.5) == .fail)
        #expect(await verdict(cpu: 0.5, memory: 0.91) == .fail)
    }

    @Test func runningPodsThatAreNotReadyFail() async {
        var facts = FactSets.healthy
        facts.pods[2] = FactSets.pod("klmno", ready: false)
        let result = await analyze(facts)
        #expect(result.verdict == .fail)
        #expect(result.findings.contains { $0.title == "Pods not ready" && $0.evidence.contains("2 of 3") })
    }

    @Test func restartsWarnThenFail() async {
        var facts = FactSets.healthy
        facts.pods[0] = FactSets.pod("abcde", containers: [FactSets.runningContainer(restarts: 1)])
        let warned = await analyze(facts)
        #expect(warned.verdict == .pass)
        #expect(warned.findings.contains { $0.severity == .warning && $0.title.hasPrefix("Container restarting") })
        #expect(warned.confidence < 0.85)

        facts.pods[0] = FactSets.pod("abcde", containers: [FactSets.runningContainer(restarts: 4, last: ContainerTermination(reason: "Error", exitCode: 1))])
        let failed = await analyze(facts)
        #expect(failed.verdict == .fail)
        #expect(failed.findings.contains { $0.severity == .critical && $0.evidence.contains("restarted 4 times") })
    }

    @Test func failedCriticalCheckFailsAndUnknownCheckIsInconclusive() async {
        var facts = FactSets.healthy
        facts.checks = [CheckResult(name: "smoke-test", outcome: .failed, detail: "POST /api/checkout returned 502")]
        #expect(await analyze(facts).verdict == .fail)
        facts.checks = [CheckResult(name: "smoke-test", outcome: .unknown, detail: "probe timed out")]
        #expect(await analyze(facts).verdict == .inconclusive)
        facts.checks = [CheckResult(name: "lint", outcome: .failed, severity: .warning)]
        #expect(await analyze(facts).verdict == .pass)
    }

    @Test func noFactsAreInconclusive() async {
        let result = await analyze(AnalysisFacts())
        #expect(result.verdict == .inconclusive)
        #expect(result.findings.contains { $0.title == "No facts gathered" })
    }

    @Test func explicitThresholdsOverrideTheDefaults() async {
        var facts = FactSets.healthy
        facts.metrics = [MetricSample(name: "p99-latency", query: "histogram_quantile(0.99, …)", kind: .latency,
                                      values: [0.2, 0.9], threshold: MetricThreshold(max: 0.5))]
        let result = await analyze(facts)
        #expect(result.verdict == .fail)
        #expect(result.findings.contains { $0.title == "p99-latency above its threshold" && $0.evidence.contains("0.9 > 0.5") })
    }

    @Test func evidenceQuotingSecretsIsRedacted() async {
        var facts = FactSets.highErrorRate
        facts.logs = [LogTail(pod: "checkout-green-7d9f8-abcde", container: "app", lines: [
            "level=error msg=\"upstream refused\" authorization=\"Bearer sk-live-0123456789abcdef0123\" password=hunter2-but-longer",
        ])]
        let result = await analyze(facts)
        let text = ([result.summary] + result.findings.flatMap { [$0.title, $0.evidence] } + result.recommendations).joined(separator: "\n")
        #expect(text.contains("Errors in the log") || result.findings.contains { $0.title.contains("Errors in the log") })
        #expect(!text.contains("sk-live-0123456789abcdef0123"))
        #expect(!text.contains("hunter2-but-longer"))
        #expect(text.contains("[REDACTED:"))
    }

    /// The crash-loop facts as they look a little later or much later.
    static func crashLoop(restarts: Int, backOffs: Int, address: String) -> AnalysisFacts {
        var facts = FactSets.crashLoop
        for p in facts.pods.indices {
            for c in facts.pods[p].containers.indices where facts.pods[p].containers[c].restartCount > 0 {
                facts.pods[p].containers[c].restartCount = restarts
            }
        }
        facts.events[0].count = backOffs
        facts.logs[0].lines[1] = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=\(address)]"
        return facts
    }

    @Test func theInputHashIgnoresCounterDriftButNotNewProblems() async {
        let early = await analyze(Self.crashLoop(restarts: 5, backOffs: 17, address: "0x4a2b1c"))
        let later = await analyze(Self.crashLoop(restarts: 7, backOffs: 29, address: "0x4a2b9f"))
        #expect(early.inputHash == later.inputHash)
        // An order of magnitude more restarts is news.
        let muchLater = await analyze(Self.crashLoop(restarts: 40, backOffs: 29, address: "0x4a2b9f"))
        #expect(muchLater.inputHash != later.inputHash)
        #expect(await analyze(FactSets.healthy).inputHash != early.inputHash)
    }

    @Test func resultsStaySmallEnoughForAStatus() async {
        var facts = AnalysisFacts()
        facts.checks = (0..<40).map { CheckResult(name: "check-\($0)-" + String(repeating: "x", count: 200), outcome: .failed, detail: String(repeating: "y", count: 1000)) }
        let result = await analyze(facts)
        #expect(result.findings.count <= AnalysisResult.Limits.findings)
        #expect(result.summary.count <= AnalysisResult.Limits.summary)
        #expect(result.findings.allSatisfy { $0.title.count <= 120 && $0.evidence.count <= 300 })
        #expect(result.recommendations.count <= AnalysisResult.Limits.recommendations)
    }
}
