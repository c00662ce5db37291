import Foundation
import KubeClient

/// kube-controller-manager's Job controller: runs pods to completion (parallelism,
/// completions, NonIndexed or Indexed), retries failures with back-off up to
/// `backoffLimit`, enforces `activeDeadlineSeconds`, suspends and resumes, and reports
/// active/ready/succeeded/failed with the `SuccessCriteriaMet`/`Complete` or
/// `FailureTarget`/`Failed` conditions (`kubectl wait --for=condition=complete` works).
/// Finished Jobs with `ttlSecondsAfterFinished` are deleted when it expires.
final class JobController: Reconciler, FeedObserver {
    let name = "job-controller"
    static let completionIndex = "batch.kubernetes.io/job-completion-index"
    private let client: ClusterClient
    private let clock: SimulationClock
    private let recorder: SimEventRecorder?
    private let queue: SimWorkQueue<StoreKey>
    private let owners = OwnerIndex()

    init(client: ClusterClient, clock: SimulationClock, recorder: SimEventRecorder?, queue: SimWorkQueue<StoreKey>) {
        self.client = client
        self.clock = clock
        self.recorder = recorder
        self.queue = queue
    }

    var followedResources: [GroupResource] { [WorkloadResource.jobs, WorkloadResource.pods] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        owners.route(type, object, isOwner: resource == WorkloadResource.jobs, into: queue)
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == WorkloadResource.jobs { owners.relist(objects, into: queue) }
    }

    static func finishedCondition(_ job: JSONValue) -> JSONValue? {
        job["status"]["conditions"].arrayValue?.first {
            ($0["type"].stringValue == "Complete" || $0["type"].stringValue == "Failed") && $0["status"].stringValue == "True"
        }
    }

    func reconcile(_ key: StoreKey) throws -> ReconcileResult {
        guard let job = client.object(WorkloadResource.jobs, key) else { return .done }
        let now = clock.now
        if let finished = Self.finishedCondition(job) {
            return try expire(job, finishedAt: SimTime.date(finished["lastTransitionTime"]) ?? now, now: now)
        }
        let spec = job["spec"]
        let uid = job.sim.uid
        let pods = client.dependents(of: uid, WorkloadResource.pods).map(\.object).filter { $0.sim.controllerUID == uid }
        var active = pods.filter(PodState.isActive)
        let succeededPods = pods.filter { PodState.phase($0) == "Succeeded" }
        let failedPods = pods.filter { PodState.phase($0) == "Failed" }
        let restartsInPlace = spec["template"]["spec"]["restartPolicy"].stringValue == "OnFailure"
            ? active.reduce(0) { $0 + PodState.restartCount($1) } : 0
        let succeeded = max(job["status"]["succeeded"].intValue ?? 0, succeededPods.count)
        let failed = max(job["status"]["failed"].intValue ?? 0, failedPods.count + restartsInPlace)
        let parallelism = spec["parallelism"].intValue ?? 1
        let completions = spec["completions"].intValue
        let indexed = spec["completionMode"].stringValue == "Indexed"
        let suspended = spec["suspend"].boolValue == true
        let backoffLimit = spec["backoffLimit"].intValue ?? 6

        var status = job["status"]
        if case .object = status {} else { status = .emptyObject }
        var conditions = status["conditions"].arrayValue ?? []
        var requeue: Date?
        let completedIndexes = Set(succeededPods.compactMap(Self.index))

        let startTime = SimTime.date(status["startTime"])
        var failure: (reason: String, message: String)?
        if failed > backoffLimit {
            failure = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
        } else if let deadline = spec["activeDeadlineSeconds"].intValue, let startTime, !suspended {
            let end = startTime.addingTimeInterval(clock.wall(Double(deadline)))
            if end <= now { failure = ("DeadlineExceeded", "Job was active longer than specified deadline") }
            else { requeue = end }
        }
        let complete: Bool
        if indexed, let completions {
            complete = completedIndexes.count >= completions
        } else if let completions {
            complete = succeeded >= completions
        } else {
            complete = succeeded > 0 && active.isEmpty
        }

        if let failure {
            try deleteAll(active, of: job)
            active = []
            conditions = Self.setting(conditions, "FailureTarget", "True", failure.reason, failure.message, now)
            conditions = Self.setting(conditions, "Failed", "True", failure.reason, failure.message, now)
            recorder?.record(involved(job), .warning, reason: failure.reason, message: failure.message, source: .jobController)
        } else if complete {
            try deleteAll(active, of: job)
            active = []
            let message = "Reached expected number of succeeded pods"
            conditions = Self.setting(conditions, "SuccessCriteriaMet", "True", "CompletionsReached", message, now)
            conditions = Self.setting(conditions, "Complete", "True", "CompletionsReached", message, now)
            status["completionTime"] = SimTime.string(now)
            recorder?.record(involved(job), .normal, reason: "Completed", message: "Job completed", source: .jobController)
        } else if suspended {
            if !active.isEmpty { try deleteAll(active, of: job) }
            active = []
            if !Self.isTrue(conditions, "Suspended") {
                conditions = Self.setting(conditions, "Suspended", "True", "JobSuspended", "Job suspended", now)
                recorder?.record(involved(job), .normal, reason: "Suspended", message: "Job suspended", source: .jobController)
            }
            status["startTime"] = .null
        } else {
            if Self.isTrue(conditions, "Suspended") {
                conditions = Self.setting(conditions, "Suspended", "False", "JobResumed", "Job resumed", now)
                recorder?.record(involved(job), .normal, reason: "Resumed", message: "Job resumed", source: .jobController)
            }
            if status["startTime"].isNull { status["startTime"] = SimTime.string(now) }
            // Back off after failures: 10 s doubling per failure, at most 6 minutes.
            let lastFailure = failedPods.compactMap(Self.finishedAt).max()
            var backoffUntil: Date?
            if failed > 0, let lastFailure {
                let delay = min(10 * pow(2, Double(failed - 1)), 360)
                let until = lastFailure.addingTimeInterval(clock.wall(delay))
                if until > now { backoffUntil = until }
            }
            let want: Int
            if let completions {
                want = max(0, min(parallelism, completions - (indexed ? completedIndexes.count : succeeded)))
            } else {
                want = succeeded > 0 ? 0 : parallelism
            }
            if active.count > want {
                let surplus = active.sorted(by: PodState.deletionOrder).prefix(active.count - want)
                try deleteAll(Array(surplus), of: job)
                let gone = Set(surplus.map(\.sim.uid))
                active.removeAll { gone.contains($0.sim.uid) }
            } else if active.count < want {
                if let backoffUntil {
                    requeue = min(requeue ?? backoffUntil, backoffUntil)
                } else {
                    var free: [Int?] = []
                    if indexed, let completions {
                        let busy = Set(active.compactMap(Self.index)).union(completedIndexes)
                        free = (0..<completions).filter { !busy.contains($0) }.map { Optional($0) }
                    } else {
                        free = Array(repeating: nil, count: want - active.count)
                    }
                    for index in free.prefix(min(want - active.count, ReplicaSetController.burstReplicas)) {
                        active.append(try createPod(for: job, index: index))
                    }
                }
            }
        }

        status["active"] = active.isEmpty ? .null : .int(Int64(active.count))
        let ready = active.filter(PodState.isReady).count
        status["ready"] = .int(Int64(ready))
        status["succeeded"] = succeeded == 0 ? .null : .int(Int64(succeeded))
        status["failed"] = failed == 0 ? .null : .int(Int64(failed))
        status["terminating"] = 0
        status["uncountedTerminatedPods"] = .emptyObject
        if indexed { status["completedIndexes"] = Self.ranges(completedIndexes) }
        status["conditions"] = conditions.isEmpty ? .null : .array(conditions)
        if status != job["status"] {
            var updated = job
            updated["status"] = status
            try client.updateStatus(WorkloadResource.jobs, updated)
        }
        guard let requeue else { return .done }
        return .after(.seconds(max(0.001, requeue.timeIntervalSince(clock.now))))
    }

    /// Deletes a finished Job once `ttlSecondsAfterFinished` has passed.
    private func expire(_ job: JSONValue, finishedAt: Date, now: Date) throws -> ReconcileResult {
        guard let ttl = job["spec"]["ttlSecondsAfterFinished"].intValue else { return .done }
        let at = finishedAt.addingTimeInterval(clock.wall(Double(ttl)))
        if at > now { return .after(.seconds(at.timeIntervalSince(now))) }
        try client.delete(WorkloadResource.jobs, job.sim.key, uid: job.sim.uid, propagation: .background)
        return .done
    }

    private func involved(_ job: JSONValue) -> InvolvedObject {
        InvolvedObject(job, kind: "Job", apiVersion: "batch/v1")
    }

    private func createPod(for job: JSONValue, index: Int?) throws -> JSONValue {
        let template = job["spec"]["template"]
        var metadata: JSONValue = [
            "generateName": .string(index.map { "\(job.sim.name)-\($0)-" } ?? "\(job.sim.name)-"),
            "namespace": .string(job.sim.namespace),
            "ownerReferences": [job.controllerReference(kind: "Job", apiVersion: "batch/v1")],
        ]
        for field in ["labels", "annotations"] where !template["metadata"][field].isNull {
            metadata[field] = template["metadata"][field]
        }
        var spec = template["spec"]
        if let index {
            metadata[path: ["annotations", Self.completionIndex]] = .string(String(index))
            metadata[path: ["labels", Self.completionIndex]] = .string(String(index))
            spec["hostname"] = .string("\(job.sim.name)-\(index)")
        }
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec]
        let created = try client.create(WorkloadResource.pods, pod).object
        recorder?.record(involved(job), .normal, reason: "SuccessfulCreate", message: "Created pod: \(created.sim.name)",
                         source: .jobController)
        return created
    }

    private func deleteAll(_ pods: [JSONValue], of job: JSONValue) throws {
        for pod in pods {
            try client.delete(WorkloadResource.pods, pod.sim.key, uid: pod.sim.uid)
            recorder?.record(involved(job), .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.sim.name)",
                             source: .jobController)
        }
    }

    static func index(_ pod: JSONValue) -> Int? { pod.sim.annotation(completionIndex).flatMap { Int($0) } }

    static func finishedAt(_ pod: JSONValue) -> Date? {
        (pod["status"]["containerStatuses"].arrayValue ?? []).compactMap {
            SimTime.date($0["state"]["terminated"]["finishedAt"])
        }.max()
    }

    static func isTrue(_ conditions: [JSONValue], _ type: String) -> Bool {
        conditions.contains { $0["type"].stringValue == type && $0["status"].stringValue == "True" }
    }

    /// Sets a Job condition, keeping its times when nothing about it changes.
    static func setting(_ conditions: [JSONValue], _ type: String, _ status: String, _ reason: String,
                        _ message: String, _ now: Date) -> [JSONValue] {
        if let old = conditions.first(where: { $0["type"].stringValue == type }),
           old["status"].stringValue == status, old["reason"].stringValue == reason {
            return conditions
        }
        var out = conditions.filter { $0["type"].stringValue != type }
        out.append([
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastProbeTime": SimTime.string(now), "lastTransitionTime": SimTime.string(now),
        ])
        return out
    }

    /// `1,3-5,7`, as `status.completedIndexes` spells index sets.
    static func ranges(_ indexes: Set<Int>) -> JSONValue {
        let sorted = indexes.sorted()
        guard !sorted.isEmpty else { return "" }
        var parts: [String] = []
        var start = sorted[0], end = sorted[0]
        for value in sorted.dropFirst() {
            if value == end + 1 { end = value; continue }
            parts.append(start == end ? "\(start)" : "\(start)-\(end)")
            start = value
            end = value
        }
        parts.append(start == end ? "\(start)" : "\(start)-\(end)")
        return .string(parts.joined(separator: ","))
    }
}
