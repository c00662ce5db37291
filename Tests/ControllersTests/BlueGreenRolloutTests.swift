import Controllers
import Foundation
import KubeClient
import KubeSim
import OperatorKit
import OpsAPI
import Testing
import TestSupport

/// BlueGreenDeployment end to end: the controller, the embedded cluster's Deployments and
/// pods, and the Services traffic goes through.
@Suite struct BlueGreenRolloutTests {
    @Test func aHealthyRevisionIsPromotedAndTheOldColorScalesDown() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("healthy")
        try await cluster.create(Rollouts.manifest("web"), namespace: ns)

        let first = try await cluster.waitFor("web", ns, "the first revision becomes Healthy") { Rollouts.phase($0) == "Healthy" }
        #expect(first["status"]["activeColor"] == "blue")
        #expect(first["status"]["readyText"] == "2/2")
        #expect(first["status"].condition("Ready")?.status == .true)
        #expect(first["status"]["observedGeneration"] == first["metadata"]["generation"])
        #expect(try await cluster.serviceColor("web", ns) == "blue")
        let firstRevision = try #require(first["status"]["activeRevision"].stringValue)

        try await cluster.patch("web", ns, ["spec": ["template": ["spec": ["containers": [[
            "name": "app", "image": "registry.example/shop:1.1", "ports": [["name": "http", "containerPort": 8080]],
            "resources": ["limits": ["cpu": "500m", "memory": "256Mi"]]]]]]]])
        let promoted = try await cluster.waitFor("web", ns, "the new revision is promoted to green") {
            $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy"
        }
        let status = promoted["status"]
        #expect(status["stableRevision"] == status["activeRevision"])
        #expect(status["activeRevision"].stringValue != firstRevision)
        #expect(status["analysis"]["stage"] == "pre")
        #expect(status["analysis"]["phase"] == "Successful")
        #expect(status["analysis"]["checks"][0]["measurements"].arrayValue?.count == 2)
        #expect(status["analysis"]["analyzer"]["provider"] == "builtin")
        #expect(status["history"][0]["outcome"] == "Promoted")
        #expect(status["history"][0]["images"] == ["registry.example/shop:1.1"])
        #expect(status.condition("AnalysisPassed")?.status == .true)
        #expect(try await cluster.serviceColor("web", ns) == "green")
        try await eventually("blue scales down after scaleDownDelaySeconds") {
            try await cluster.replicas("web-blue", ns) == 0
        }
        #expect(try await cluster.replicas("web-green", ns) == 2)
        // GitOps health: Current once the old color is gone (InProgress while it waited).
        try await eventually("kstatus Current") { KStatus.of(try await cluster.rollout("web", ns)) == .current }
    }

    @Test func aNeverReadyPreviewHitsTheDeadlineAndTrafficStays() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("deadline")
        try await cluster.create(Rollouts.manifest("api", spec: ["progressDeadlineSeconds": 4]), namespace: ns)
        try await cluster.waitFor("api", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("api", ns, ["spec": ["template": ["metadata": ["annotations": ["sim.opsagent.dev/ready": "false"]]]]])
        let failed = try await cluster.waitFor("api", ns, "the rollout fails on its deadline") { Rollouts.phase($0) == "RolledBack" }
        let status = failed["status"]
        #expect(status.condition("Ready")?.status == .false)
        #expect(status.condition("Ready")?.reason == "ProgressDeadlineExceeded")
        // kstatus: a rolled-back rollout is Failed, not Current; nothing of the rollout in progress lingers.
        #expect(status.condition("Stalled")?.reason == "ProgressDeadlineExceeded")
        #expect(status.condition("Reconciling") == nil)
        #expect(KStatus.of(failed) == .failed)
        #expect(status.condition("Promoted")?.reason == "StableRevisionServes")
        #expect(status.condition("AnalysisPassed") == nil)
        #expect(status["activeColor"] == "blue")
        #expect(status["abortedRevision"].stringValue != nil)
        #expect(status["history"][0]["outcome"] == "RolledBack")
        #expect(try await cluster.serviceColor("api", ns) == "blue")
        try await eventually("the failed color scales down") { try await cluster.replicas("api-green", ns) == 0 }
        // The preview Service went back to the stable color too.
        #expect(try await cluster.serviceColor("api-preview", ns) == "blue")
    }

    @Test func manualPromotionWaitsForTheAnnotation() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("manual")
        try await cluster.create(Rollouts.manifest("shop", spec: ["autoPromotion": ["enabled": false]]), namespace: ns)
        try await cluster.waitFor("shop", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }

        try await cluster.patch("shop", ns, ["spec": ["template": ["metadata": ["annotations": ["version": "2"]]]]])
        let paused = try await cluster.waitFor("shop", ns, "paused before the switch") { Rollouts.phase($0) == "Paused" }
        #expect(paused["status"]["message"].stringValue?.contains("opsagent promote shop") == true)
        #expect(try await cluster.serviceColor("shop", ns) == "blue")
        #expect(try await cluster.serviceColor("shop-preview", ns) == "green")

        try await cluster.annotate("shop", ns, "opsagent.dev/promote", "first")
        let promoted = try await cluster.waitFor("shop", ns, "promoted on request") { $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy" }
        #expect(promoted["status"]["handledOperations"]["promote"] == "first")
        #expect(try await cluster.serviceColor("shop", ns) == "green")
    }

    @Test func abortThenRetry() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("abort")
        try await cluster.create(Rollouts.manifest("cart", spec: ["autoPromotion": ["enabled": false]]), namespace: ns)
        try await cluster.waitFor("cart", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }
        try await cluster.patch("cart", ns, ["spec": ["template": ["metadata": ["annotations": ["version": "2"]]]]])
        try await cluster.waitFor("cart", ns, "paused before the switch") { Rollouts.phase($0) == "Paused" }

        try await cluster.annotate("cart", ns, "opsagent.dev/abort", "a1")
        let aborted = try await cluster.waitFor("cart", ns, "aborted") { $0["abortedRevision"].stringValue != nil }
        #expect(aborted["status"].condition("Ready")?.reason == "Aborted")
        #expect(aborted["status"]["history"][0]["outcome"] == "Aborted")
        #expect(try await cluster.serviceColor("cart", ns) == "blue")
        try await eventually("the aborted color scales down") { try await cluster.replicas("cart-green", ns) == 0 }

        try await cluster.annotate("cart", ns, "opsagent.dev/retry", "r1")
        try await cluster.waitFor("cart", ns, "the revision rolls out again") { Rollouts.phase($0) == "Paused" && $0["abortedRevision"].isNull }
        try await cluster.annotate("cart", ns, "opsagent.dev/promote", "p1")
        try await cluster.waitFor("cart", ns, "promoted after retry") { $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy" }
    }

    @Test func undoReturnsToTheRevisionStillRunningWithoutReanalysis() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("undo")
        try await cluster.create(Rollouts.manifest("pay", spec: ["scaleDownDelaySeconds": 600]), namespace: ns)
        let first = try await cluster.waitFor("pay", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }
        let blueRevision = first["status"]["activeRevision"]
        try await cluster.patch("pay", ns, ["spec": ["template": ["metadata": ["annotations": ["version": "2"]]]]])
        try await cluster.waitFor("pay", ns, "promoted to green") { $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy" }

        try await cluster.annotate("pay", ns, "opsagent.dev/undo", "u1")
        let back = try await cluster.waitFor("pay", ns, "back on blue") { $0["activeColor"] == "blue" && Rollouts.phase($0) == "Healthy" }
        #expect(back["status"]["activeRevision"] == blueRevision)
        #expect(back["status"]["history"][0]["message"].stringValue?.contains("without re-analysis") == true)
        #expect(back["spec"]["template"]["metadata"]["annotations"]["version"].isNull)
        #expect(try await cluster.serviceColor("pay", ns) == "blue")
    }

    @Test func invalidSpecsAreReportedInStatus() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("invalid")
        var mismatched = Rollouts.manifest("bad-selector")
        mismatched["spec"]["selector"] = ["matchLabels": ["app": "other"]]
        try await cluster.create(mismatched, namespace: ns)
        let bad = try await cluster.waitFor("bad-selector", ns, "InvalidSpec reported") { $0.condition("Ready")?.reason == "InvalidSpec" }
        #expect(bad["status"].condition("Ready")?.message?.contains("spec.selector") == true)
        #expect(try await cluster.replicas("bad-selector-blue", ns) == nil, "nothing is created for an invalid spec")

        // A Service of that name exists and is not labelled for adoption.
        _ = try await cluster.client.create(.services, ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "taken"],
                                                        "spec": ["selector": ["app": "someone-else"], "ports": [["port": 80]]]], namespace: ns)
        var taken = Rollouts.manifest("taken-app")
        taken["spec"]["activeService"] = ["name": "taken"]
        try await cluster.create(taken, namespace: ns)
        let conflict = try await cluster.waitFor("taken-app", ns, "the Service conflict is reported") { $0.condition("Ready")?.reason == "InvalidSpec" }
        #expect(conflict["status"].condition("Ready")?.message?.contains("spec.activeService.name") == true)
        #expect(try await cluster.client.get(.services, name: "taken", namespace: ns)["spec"]["selector"]["app"] == "someone-else")

        // Labelling the Service as the message says is enough: the rollout wakes and adopts it.
        _ = try await cluster.client.patch(.services, name: "taken", namespace: ns, type: .merge,
                                           body: ["metadata": ["labels": ["opsagent.dev/managed-by": "taken-app"]]])
        try await cluster.waitFor("taken-app", ns, "the labelled Service is adopted") { Rollouts.phase($0) == "Healthy" }
        try await eventually("the adopted Service routes to blue") { try await cluster.serviceColor("taken", ns) == "blue" }

        // The CRD's CEL rules hold at the API server, with their messages and fields.
        var samePreview = Rollouts.manifest("same-preview")
        samePreview["spec"]["previewService"] = ["name": "same-preview"]
        do {
            try await cluster.create(samePreview, namespace: ns)
            Issue.record("a preview Service named like the active one was accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid)
            #expect(error.description.contains("spec: Invalid value: \"object\": previewService.name must differ from activeService.name"), "\(error)")
        }
        var twoSources = Rollouts.manifest("two-sources")
        twoSources["spec"]["prePromotionAnalysis"] = ["checks": [[
            "name": "both", "builtin": ["type": "PodReadiness"], "prometheus": ["query": "up"], "successCondition": "result >= 1",
        ]]]
        var noCondition = Rollouts.manifest("no-condition")
        noCondition["spec"]["prePromotionAnalysis"] = ["checks": [["name": "bare", "prometheus": ["query": "up"]]]]
        for (manifest, message) in [(twoSources, "a check has exactly one of prometheus or builtin"),
                                    (noCondition, "a prometheus check needs successCondition, failureCondition or thresholdRange")] {
            do {
                try await cluster.create(manifest, namespace: ns)
                Issue.record("\(manifest["metadata"]["name"]) was accepted")
            } catch let error as KubeError {
                #expect(error.description.contains("spec.prePromotionAnalysis.checks[0]: Invalid value: \"object\": \(message)"), "\(error)")
            }
        }

        // The schema rejects what it can express, naming the field.
        var negative = Rollouts.manifest("negative")
        negative["spec"]["replicas"] = -1
        do {
            try await cluster.create(negative, namespace: ns)
            Issue.record("a negative replica count was accepted")
        } catch let error as KubeError {
            #expect(error.isInvalid)
            #expect(error.description.contains("spec.replicas"))
        }
    }

    @Test func aDeploymentThatWasThereFirstIsNeitherOverwrittenNorAdoptedUnasked() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("clash")
        _ = try await cluster.client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "shop-blue"],
            "spec": ["replicas": 1, "selector": ["matchLabels": ["team": "theirs"]],
                     "template": ["metadata": ["labels": ["team": "theirs"]],
                                  "spec": ["containers": [["name": "web", "image": "registry.example/theirs:7"]]]]],
        ], namespace: ns)
        try await cluster.create(Rollouts.manifest("shop"), namespace: ns)

        let conflict = try await cluster.waitFor("shop", ns, "the Deployment conflict is reported") { $0.condition("Ready")?.reason == "InvalidSpec" }
        #expect(conflict["status"].condition("Ready")?.message?.contains("Deployment \"shop-blue\" already exists") == true)
        let theirs = try await cluster.client.get(.deployments, name: "shop-blue", namespace: ns)
        #expect(theirs["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/theirs:7")
        #expect(theirs["metadata"]["ownerReferences"].isNull)

        // Once the other Deployment is gone, the rollout wakes and goes ahead.
        _ = try await cluster.client.delete(.deployments, name: "shop-blue", namespace: ns)
        try await cluster.waitFor("shop", ns, "Healthy once the name is free") { Rollouts.phase($0) == "Healthy" }
        #expect(try await cluster.serviceColor("shop", ns) == "blue")
    }

    /// A Service created just before its rollout may reach the operator's cache in the middle
    /// of the rollout's first pass, after the pass looked for conflicts. The pass must still
    /// not write to it: repeated, because the window is a few hundred microseconds wide.
    @Test func aServiceThatArrivesMidPassIsNeverTakenOver() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("midpass")
        for i in 0..<30 {
            _ = try await cluster.client.create(.services, [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string("theirs-\(i)")],
                "spec": ["selector": ["app": "someone-else"], "ports": [["port": 80]]],
            ], namespace: ns)
            var rollout = Rollouts.manifest("mine-\(i)")
            rollout["spec"]["activeService"] = ["name": .string("theirs-\(i)")]
            try await cluster.create(rollout, namespace: ns)
            let conflict = try await cluster.waitFor("mine-\(i)", ns, "the Service conflict is reported (round \(i))", timeout: .seconds(20)) {
                $0.condition("Ready")?.reason == "InvalidSpec"
            }
            #expect(conflict["status"].condition("Ready")?.message?.contains("spec.activeService.name") == true)
            let theirs = try await cluster.client.get(.services, name: "theirs-\(i)", namespace: ns)
            #expect(theirs["spec"]["selector"]["app"] == "someone-else", "round \(i): the Service was rewritten")
            #expect(theirs["metadata"]["ownerReferences"].isNull, "round \(i): the Service was adopted")
        }
    }

    @Test func deletingTheRolloutDeletesWhatItCreatedAndNothingElse() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("delete")
        try await cluster.create(Rollouts.manifest("gone"), namespace: ns)
        let rollout = try await cluster.waitFor("gone", ns, "Healthy") { Rollouts.phase($0) == "Healthy" }
        // Things garbage collection or a careless controller could take: a Deployment with the
        // rollout's pod labels that it does not own, and a ConfigMap the rollout co-owns with
        // an object that stays (the collector keeps a dependent while one owner remains).
        _ = try await cluster.client.create(.deployments, [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "gone-worker", "labels": ["app": "gone"]],
            "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "gone", "role": "worker"]],
                     "template": ["metadata": ["labels": ["app": "gone", "role": "worker"]],
                                  "spec": ["containers": [["name": "w", "image": "registry.example/worker:1"]]]]],
        ], namespace: ns)
        let anchor = try await cluster.client.create(.configmaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "anchor"]], namespace: ns)
        _ = try await cluster.client.create(.configmaps, [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "gone-settings", "ownerReferences": [
                ["apiVersion": "opsagent.dev/v1alpha1", "kind": "BlueGreenDeployment", "name": "gone", "uid": rollout["metadata"]["uid"]],
                ["apiVersion": "v1", "kind": "ConfigMap", "name": "anchor", "uid": anchor["metadata"]["uid"]],
            ]],
        ], namespace: ns)

        _ = try await cluster.client.delete(BlueGreenDeployment.groupVersionResource, name: "gone", namespace: ns)
        try await eventually("the rollout's Deployments and Services are collected") {
            let deployments = try await cluster.client.list(.deployments, namespace: ns).items.compactMap { $0["metadata"]["name"].stringValue }
            let services = try await cluster.client.list(.services, namespace: ns).items
            return Set(deployments) == ["gone-worker"] && services.isEmpty
        }
        let settings = try await cluster.client.get(.configmaps, name: "gone-settings", namespace: ns)
        #expect(settings["metadata"]["deletionTimestamp"].isNull)
        _ = try await cluster.client.get(.deployments, name: "gone-worker", namespace: ns)
    }

    @Test func kubectlWaitsForReady() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("wait")
        try await cluster.create(Rollouts.manifest("ready-app"), namespace: ns)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-cache-\(UUID().uuidString)").path
        let result = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache,
                                                              "-n", ns, "wait", "--for=condition=Ready", "bgd/ready-app", "--timeout=60s"])
        #expect(result.status == 0, "kubectl wait failed: \(result.stderr)")
        #expect(result.stdout.contains("condition met"))
        let table = try await ProcessRunner.run("/usr/bin/kubectl", ["--kubeconfig", cluster.sim.kubeconfigPath, "--cache-dir", cache,
                                                             "-n", ns, "get", "bgd"])
        let header = table.stdout.split(separator: "\n").first.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(header == ["NAME", "PHASE", "ACTIVE", "READY", "ANALYSIS", "AGE"])
        #expect(table.stdout.contains("Healthy"))
    }
}

/// Argo Rollouts #1864 / #4552: lowering replicas (or an HPA) must never shrink the live stack before the switch.
@Suite struct BlueGreenScalingSafetyTests {
    @Test func theLiveColorIsNotScaledDownBeforeTheSwitch() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("scaling")
        try await cluster.create(Rollouts.manifest("feed", replicas: 3, spec: ["autoPromotion": ["enabled": false]]), namespace: ns)
        try await cluster.waitFor("feed", ns, "Healthy on blue with 3 pods") { Rollouts.phase($0) == "Healthy" && $0["readyText"] == "3/3" }

        // A new revision and fewer replicas in one change.
        try await cluster.patch("feed", ns, ["spec": ["replicas": 1, "template": ["metadata": ["annotations": ["version": "2"]]]]])
        try await cluster.waitFor("feed", ns, "waiting for promotion") { Rollouts.phase($0) == "Paused" }
        #expect(try await cluster.replicas("feed-blue", ns) == 3, "the live stack keeps its size until the switch")
        #expect(try await cluster.replicas("feed-green", ns) == 3, "the preview is sized for the traffic it will take")

        try await cluster.annotate("feed", ns, "opsagent.dev/promote", "go")
        try await cluster.waitFor("feed", ns, "promoted") { $0["activeColor"] == "green" && Rollouts.phase($0) == "Healthy" }
        try await eventually("after the switch the new stack takes the requested size") {
            try await cluster.replicas("feed-green", ns) == 1
        }
    }

    @Test func anHPAOnTheActiveColorIsLeftInCharge() async throws {
        let cluster = try await RolloutCluster.shared.get()
        let ns = try await cluster.namespace("hpa")
        try await cluster.create(Rollouts.manifest("news", replicas: 2), namespace: ns)
        try await cluster.waitFor("news", ns, "Healthy on blue") { Rollouts.phase($0) == "Healthy" }
        _ = try await cluster.client.create(GroupVersionResource(group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers"), [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "news"],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "news-blue"],
                     "minReplicas": 2, "maxReplicas": 10],
        ], namespace: ns)
        // The autoscaler scales the live color up; the rollout must not undo it.
        _ = try await cluster.client.scale(.deployments, name: "news-blue", namespace: ns, replicas: 5)
        // The controller has seen the scaled Deployment once it reports its 5 ready pods…
        try await cluster.waitFor("news", ns, "all 5 pods of the live color ready") { $0["readyText"] == "5/5" }
        #expect(try await cluster.replicas("news-blue", ns) == 5)
        // …and a spec change (a new generation, so a full pass over the children) leaves them too.
        try await cluster.patch("news", ns, ["spec": ["scaleDownDelaySeconds": 2]])
        let after = try await cluster.waitFor("news", ns, "the spec change is observed") { $0["observedGeneration"] == 2 }
        #expect(after["status"]["readyText"] == "5/5")
        #expect(try await cluster.replicas("news-blue", ns) == 5)
    }
}
