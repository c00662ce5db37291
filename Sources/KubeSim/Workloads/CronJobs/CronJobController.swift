import Foundation
import KubeClient
import Scheduling

/// kube-controller-manager's CronJob controller: creates a Job (`<name>-<minutes since the
/// epoch>`) at each scheduled time of the simulated calendar (``SimulationClock``),
/// honouring `suspend`, `startingDeadlineSeconds`, `concurrencyPolicy` (Allow, Forbid,
/// Replace), `timeZone`, and the successful/failed history limits; reports `active`,
/// `lastScheduleTime` and `lastSuccessfulTime`.
final class CronJobController: Reconciler, FeedObserver {
    let name = "cronjob-controller"
    static let scheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp"
    private let client: ClusterClient
    private let clock: SimulationClock
    private let recorder: EventRecorder?
    private let queue: WorkQueue<ObjectKey>
    private let owners = OwnerIndex()

    init(client: ClusterClient, clock: SimulationClock, recorder: EventRecorder?, queue: WorkQueue<ObjectKey>) {
        self.client = client
        self.clock = clock
        self.recorder = recorder
        self.queue = queue
    }

    var followedResources: [GroupResource] { [WorkloadResource.cronJobs, WorkloadResource.jobs] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        owners.route(type, object, isOwner: resource == WorkloadResource.cronJobs, into: queue)
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == WorkloadResource.cronJobs { owners.relist(objects, into: queue) }
    }

    private func involved(_ cronJob: JSONValue) -> InvolvedObject {
        InvolvedObject(cronJob, kind: "CronJob", apiVersion: "batch/v1")
    }

    func reconcile(_ key: ObjectKey) throws -> ReconcileResult {
        guard let cronJob = client.object(WorkloadResource.cronJobs, key) else { return .done }
        let uid = cronJob.sim.uid
        let spec = cronJob["spec"]
        var status = cronJob["status"]
        if case .object = status {} else { status = .emptyObject }
        let jobs = client.dependents(of: uid, WorkloadResource.jobs).map(\.object).filter { $0.sim.controllerUID == uid }

        // Active list and last success from the Jobs that exist.
        let previouslyActive = Set((status["active"].arrayValue ?? []).compactMap { $0["uid"].stringValue })
        var running: [JSONValue] = []
        var finished: [(job: JSONValue, succeeded: Bool, at: Date)] = []
        for job in jobs {
            if let condition = JobController.finishedCondition(job) {
                let succeeded = condition["type"].stringValue == "Complete"
                let at = SimTime.date(job["status"]["completionTime"]) ?? SimTime.date(condition["lastTransitionTime"])
                    ?? .distantPast
                finished.append((job, succeeded, at))
                if previouslyActive.contains(job.sim.uid) {
                    recorder?.record(involved(cronJob), .normal, reason: "SawCompletedJob",
                                     message: "Saw completed job: \(job.sim.name), status: \(succeeded ? "Complete" : "Failed")",
                                     source: .cronJobController)
                }
            } else if !job.sim.isDeleting {
                running.append(job)
            }
        }
        if let lastSuccess = finished.filter(\.succeeded).map(\.at).max() {
            let current = SimTime.date(status["lastSuccessfulTime"])
            if current.map({ $0 < lastSuccess }) ?? true { status["lastSuccessfulTime"] = SimTime.string(lastSuccess) }
        }
        try trimHistory(cronJob, finished.filter(\.succeeded).map { ($0.job, $0.at) },
                        limit: spec["successfulJobsHistoryLimit"].intValue ?? 3)
        try trimHistory(cronJob, finished.filter { !$0.succeeded }.map { ($0.job, $0.at) },
                        limit: spec["failedJobsHistoryLimit"].intValue ?? 1)

        var requeue: Date?
        if !cronJob.sim.isDeleting && spec["suspend"].boolValue != true {
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule(parsing: spec["schedule"].stringValue ?? "")
            } catch {
                recorder?.record(involved(cronJob), .warning, reason: "UnparseableSchedule", message: error.description,
                                 source: .cronJobController)
                return try finish(cronJob, status: status, running: running, requeue: nil)
            }
            let zone = spec["timeZone"].stringValue.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
            let now = clock.simulatedDate()
            var earliest = SimTime.date(status["lastScheduleTime"])
                ?? cronJob.sim.creationTimestamp.map { clock.simulatedDate(at: $0) } ?? now
            if let deadline = spec["startingDeadlineSeconds"].intValue {
                earliest = max(earliest, now.addingTimeInterval(-Double(deadline)))
            }
            var due: Date?
            var cursor = earliest
            var missed = 0
            while let next = schedule.next(after: cursor, zone: zone), next <= now {
                due = next
                cursor = next
                missed += 1
                if missed > 100 { cursor = now.addingTimeInterval(-61); missed = 0 }
            }
            if let due {
                running = try start(cronJob, at: due, running: running, status: &status)
            }
            if let next = schedule.next(after: now, zone: zone) {
                requeue = clock.wallDate(forSimulated: next)
            }
        }
        return try finish(cronJob, status: status, running: running, requeue: requeue)
    }

    /// Starts the Job for scheduled time `time`, as the concurrency policy allows.
    private func start(_ cronJob: JSONValue, at time: Date, running: [JSONValue], status: inout JSONValue) throws -> [JSONValue] {
        let spec = cronJob["spec"]
        var running = running
        if let deadline = spec["startingDeadlineSeconds"].intValue,
           time.addingTimeInterval(Double(deadline)) < clock.simulatedDate() {
            recorder?.record(involved(cronJob), .warning, reason: "MissSchedule",
                             message: "Missed scheduled time to start a job: \(KubeTimestamp.format(time))",
                             source: .cronJobController)
            status["lastScheduleTime"] = SimTime.string(time)
            return running
        }
        switch spec["concurrencyPolicy"].stringValue ?? "Allow" {
        case "Forbid" where !running.isEmpty:
            recorder?.record(involved(cronJob), .normal, reason: "JobAlreadyActive",
                             message: "Not starting job because prior execution is running and concurrency policy is Forbid",
                             source: .cronJobController)
            return running
        case "Replace":
            for job in running {
                try client.delete(WorkloadResource.jobs, job.sim.key, uid: job.sim.uid, propagation: .background)
                recorder?.record(involved(cronJob), .normal, reason: "SuccessfulDelete",
                                 message: "Deleted job \(job.sim.name)", source: .cronJobController)
            }
            running = []
        default:
            break
        }
        let template = spec["jobTemplate"]
        let name = "\(cronJob.sim.name)-\(Int(time.timeIntervalSince1970 / 60))"
        var metadata: JSONValue = [
            "name": .string(name), "namespace": .string(cronJob.sim.namespace),
            "ownerReferences": [cronJob.controllerReference(kind: "CronJob", apiVersion: "batch/v1")],
        ]
        if !template["metadata"]["labels"].isNull { metadata["labels"] = template["metadata"]["labels"] }
        var annotations = template["metadata"]["annotations"].objectValue ?? [:]
        annotations[Self.scheduledTimestamp] = .string(KubeTimestamp.format(time))
        metadata["annotations"] = .object(annotations)
        let job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": template["spec"]]
        let created: JSONValue
        do {
            created = try client.create(WorkloadResource.jobs, job).object
            recorder?.record(involved(cronJob), .normal, reason: "SuccessfulCreate", message: "Created job \(name)",
                             source: .cronJobController)
        } catch {
            guard error.reason == "AlreadyExists",
                  let existing = client.object(WorkloadResource.jobs, ObjectKey(namespace: cronJob.sim.namespace, name: name))
            else {
                recorder?.record(involved(cronJob), .warning, reason: "FailedCreate",
                                 message: "Error creating job: \(error.message)", source: .cronJobController)
                throw error
            }
            created = existing  // this schedule already ran
        }
        if !running.contains(where: { $0.sim.uid == created.sim.uid }) && JobController.finishedCondition(created) == nil {
            running.append(created)
        }
        status["lastScheduleTime"] = SimTime.string(time)
        return running
    }

    private func trimHistory(_ cronJob: JSONValue, _ jobs: [(job: JSONValue, at: Date)], limit: Int) throws {
        guard jobs.count > limit else { return }
        for (job, _) in jobs.sorted(by: { $0.at < $1.at }).prefix(jobs.count - max(limit, 0)) {
            try client.delete(WorkloadResource.jobs, job.sim.key, uid: job.sim.uid, propagation: .background)
            recorder?.record(involved(cronJob), .normal, reason: "SuccessfulDelete", message: "Deleted job \(job.sim.name)",
                             source: .cronJobController)
        }
    }

    private func finish(_ cronJob: JSONValue, status: JSONValue, running: [JSONValue], requeue: Date?) throws -> ReconcileResult {
        var status = status
        // A reference keeps the resourceVersion it was made with, as the real controller's does.
        var known: [String: JSONValue] = [:]
        for ref in cronJob["status"]["active"].arrayValue ?? [] {
            if let uid = ref["uid"].stringValue { known[uid] = ref }
        }
        let refs: [JSONValue] = running.sorted { $0.sim.name < $1.sim.name }.map { job in
            known[job.sim.uid] ?? [
                "apiVersion": "batch/v1", "kind": "Job", "name": .string(job.sim.name),
                "namespace": .string(job.sim.namespace), "uid": .string(job.sim.uid),
                "resourceVersion": .string(job.sim.resourceVersion),
            ]
        }
        status["active"] = refs.isEmpty ? .null : .array(refs)
        if status != cronJob["status"] {
            var updated = cronJob
            updated["status"] = status
            try client.updateStatus(WorkloadResource.cronJobs, updated)
        }
        guard let requeue else { return .done }
        return .after(.seconds(max(0.001, requeue.timeIntervalSince(clock.now) + 0.001)))
    }
}
