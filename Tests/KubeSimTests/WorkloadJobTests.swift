import Foundation
import KubeClient
import Scheduling
import Testing
@testable import KubeSim

/// Jobs run to completion (or fail), CronJobs start Jobs on schedule.
@Suite("Workloads: Jobs and CronJobs")
struct WorkloadJobTests {
    static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    static let cronJobs = GroupVersionResource(group: "batch", version: "v1", resource: "cronjobs")

    static func job(_ name: String, namespace: String, completions: Int, parallelism: Int,
                    annotations: [String: String] = [:], backoffLimit: Int = 6, indexed: Bool = false) -> JSONValue {
        var template: JSONValue = ["spec": ["restartPolicy": "Never",
                                            "containers": [["name": "work", "image": "registry.example/batch:1.0"]]]]
        if !annotations.isEmpty { template[path: ["metadata", "annotations"]] = .object(annotations.mapValues { .string($0) }) }
        var spec: JSONValue = ["completions": .int(Int64(completions)), "parallelism": .int(Int64(parallelism)),
                               "backoffLimit": .int(Int64(backoffLimit)), "template": template]
        if indexed { spec["completionMode"] = "Indexed" }
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "spec": spec]
    }

    @Test("a Job runs its pods to completion; kubectl wait --for=condition=complete returns")
    func completes() async throws {
        let ns = try await WorkloadCluster.namespace("job")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Self.job("report", namespace: ns, completions: 3, parallelism: 2,
                                                  annotations: [BehaviourAnnotation.runSeconds: "20"])).succeeded)
        let client = try await WorkloadCluster.client()
        // Parallelism caps the pods running at once.
        let running = try await waitFor("pods running") { () -> Int? in
            let active = try await client.get(Self.jobs, name: "report", namespace: ns)["status"]["active"].intValue
            return active.flatMap { $0 > 0 ? $0 : nil }
        }
        #expect(running <= 2)
        let wait = try await kubectl.run("wait", "--for=condition=complete", "job/report", "-n", ns, "--timeout=60s")
        #expect(wait.succeeded, "\(wait)")
        let job = try await client.get(Self.jobs, name: "report", namespace: ns)
        #expect(job["status"]["succeeded"].intValue == 3)
        #expect(job["status"]["active"].isNull)
        #expect(job["status"]["completionTime"].stringValue != nil)
        #expect(job.condition("SuccessCriteriaMet")?["status"].stringValue == "True")
        #expect(job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"] == job["metadata"]["uid"])
        let pods = try await client.items(.pods, namespace: ns, labelSelector: "job-name=report")
        #expect(pods.count == 3)
        #expect(pods.allSatisfy { $0["status"]["phase"].stringValue == "Succeeded" })
        #expect(pods.allSatisfy { $0["status"]["containerStatuses"][0]["state"]["terminated"]["reason"].stringValue == "Completed" })
        let logs = try await client.logs(pod: pods[0]["metadata"]["name"].stringValue!, namespace: ns)
        #expect(logs.contains("job finished"), "\(logs)")
        let completed = try await waitFor("the Completed event") { () -> [JSONValue]? in
            let events = try await client.events(namespace: ns, reason: "Completed", involving: "report")
            return events.isEmpty ? nil : events
        }
        #expect(completed.first?["message"].stringValue == "Job completed")
    }

    @Test("an Indexed Job completes every index once")
    func indexed() async throws {
        let ns = try await WorkloadCluster.namespace("indexed")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Self.job("shards", namespace: ns, completions: 3, parallelism: 3, indexed: true)).succeeded)
        #expect(try await kubectl.run("wait", "--for=condition=complete", "job/shards", "-n", ns, "--timeout=60s").succeeded)
        let client = try await WorkloadCluster.client()
        let job = try await client.get(Self.jobs, name: "shards", namespace: ns)
        #expect(job["status"]["completedIndexes"].stringValue == "0-2")
        let indexes = try await client.items(.pods, namespace: ns).compactMap {
            $0["metadata"]["annotations"][JobController.completionIndex].stringValue
        }
        #expect(indexes.sorted() == ["0", "1", "2"])
    }

    @Test("a Job whose pods crash fails with BackoffLimitExceeded after backoffLimit retries")
    func backoffLimit() async throws {
        let ns = try await WorkloadCluster.namespace("jobfail")
        let kubectl = try await WorkloadCluster.kubectl()
        #expect(try await kubectl.apply(Self.job("broken", namespace: ns, completions: 1, parallelism: 1,
                                                  annotations: [BehaviourAnnotation.crash: "true",
                                                                BehaviourAnnotation.runSeconds: "1"],
                                                  backoffLimit: 1)).succeeded)
        let wait = try await kubectl.run("wait", "--for=condition=failed", "job/broken", "-n", ns, "--timeout=60s")
        #expect(wait.succeeded, "\(wait)")
        let client = try await WorkloadCluster.client()
        let job = try await client.get(Self.jobs, name: "broken", namespace: ns)
        #expect(job.condition("Failed")?["reason"].stringValue == "BackoffLimitExceeded")
        #expect(job["status"]["failed"].intValue == 2)
        let pods = try await client.items(.pods, namespace: ns)
        #expect(pods.count == 2 && pods.allSatisfy { $0["status"]["phase"].stringValue == "Failed" })
        #expect(pods.allSatisfy { $0["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"].intValue == 1 })
    }

    @Test("a CronJob starts a Job each simulated minute and keeps its history limit")
    func cronJob() async throws {
        let ns = try await WorkloadCluster.namespace("cron")
        let client = try await WorkloadCluster.client()
        let cronJob: JSONValue = [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "tick", "namespace": .string(ns)],
            "spec": [
                "schedule": "* * * * *", "successfulJobsHistoryLimit": 2,
                "jobTemplate": ["spec": ["template": ["spec": [
                    "restartPolicy": "OnFailure", "containers": [["name": "tick", "image": "registry.example/tick:1"]],
                ]]]],
            ],
        ]
        _ = try await client.create(Self.cronJobs, cronJob, namespace: ns)
        // A simulated minute is 3 wall seconds here: wait for three Jobs to have run.
        var seen = Set<String>()
        try await waitFor("three scheduled Jobs", timeout: .seconds(45)) { () -> Bool? in
            for job in try await client.items(Self.jobs, namespace: ns) {
                if let name = job["metadata"]["name"].stringValue { seen.insert(name) }
            }
            return seen.count >= 3 ? true : nil
        }
        let current = try await client.get(Self.cronJobs, name: "tick", namespace: ns)
        #expect(current["status"]["lastScheduleTime"].stringValue != nil)
        try await waitFor("history trimmed to two successful Jobs", timeout: .seconds(45)) { () -> Bool? in
            let jobs = try await client.items(Self.jobs, namespace: ns)
            let finished = jobs.filter { $0.condition("Complete")?["status"].stringValue == "True" }
            let current = try await client.get(Self.cronJobs, name: "tick", namespace: ns)
            return finished.count == 2 && jobs.count <= 3 && current["status"]["lastSuccessfulTime"].stringValue != nil ? true : nil
        }
        for name in seen {
            let minutes = Int(name.split(separator: "-").last ?? "")
            #expect(minutes != nil && name.hasPrefix("tick-"), "job name \(name)")
        }
        let created = try? await waitFor("three SuccessfulCreate events") { () -> [JSONValue]? in
            let events = try await client.events(namespace: ns, reason: "SuccessfulCreate", involving: "tick")
            return events.count >= 3 ? events : nil
        }
        #expect((created?.count ?? 0) >= 3)
    }

    @Test("cron schedules: fields, ranges, steps, names, descriptors and time zones")
    func scheduleParsing() throws {
        let utc = TimeZone(identifier: "UTC")!
        func date(_ text: String) -> Date { KubeTimestamp.parse(text)! }
        let every15 = try CronSchedule(parsing: "*/15 * * * *")
        #expect(every15.next(after: date("2026-01-01T10:07:30Z"), zone: utc) == date("2026-01-01T10:15:00Z"))
        #expect(every15.next(after: date("2026-01-01T10:45:00Z"), zone: utc) == date("2026-01-01T11:00:00Z"))
        let weekdays = try CronSchedule(parsing: "30 9 * * MON-FRI")
        // 2026-01-03 is a Saturday: the next run is Monday the 5th.
        #expect(weekdays.next(after: date("2026-01-02T10:00:00Z"), zone: utc) == date("2026-01-05T09:30:00Z"))
        let monthly = try CronSchedule(parsing: "@monthly")
        #expect(monthly.next(after: date("2026-01-15T00:00:00Z"), zone: utc) == date("2026-02-01T00:00:00Z"))
        let either = try CronSchedule(parsing: "0 0 13 * 5")  // the 13th or any Friday
        #expect(either.next(after: date("2026-01-01T00:00:00Z"), zone: utc) == date("2026-01-02T00:00:00Z"))
        let zoned = try CronSchedule(parsing: "CRON_TZ=Asia/Seoul 0 9 * * *")
        #expect(zoned.next(after: date("2026-01-01T00:30:00Z"), zone: utc) == date("2026-01-02T00:00:00Z"))
        let interval = try CronSchedule(parsing: "@every 90s")
        #expect(interval.next(after: date("2026-01-01T00:00:00Z"), zone: utc) == date("2026-01-01T00:01:30Z"))
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "61 * * * *") }
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "* * *") }
        #expect(throws: CronSchedule.ParseError.self) { try CronSchedule(parsing: "@fortnightly") }
    }
}
