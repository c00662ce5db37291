import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// kube-controller-manager's Deployment controller: one ReplicaSet per pod template
/// (`<name>-<pod-template-hash>`, revision annotations), rolled with RollingUpdate
/// (maxSurge, maxUnavailable) or Recreate, proportional scaling, pause, revision history
/// clean-up, progress deadlines, and the status and conditions `kubectl rollout status` reads.
final class DeploymentController: Reconciler, FeedObserver {
    let name = "deployment-controller"
    let client: ClusterClient
    let clock: SimulationClock
    let recorder: SimEventRecorder?
    private let queue: SimWorkQueue<StoreKey>
    private let owners = OwnerIndex()
    /// The exact time behind each `Progressing` condition's `lastUpdateTime` this controller
    /// wrote (the API keeps whole seconds, too coarse for a fast simulated clock), by uid.
    let progressTimes = NIOLockedValueBox<[String: (stamp: String, date: Date)]>([:])

    init(client: ClusterClient, clock: SimulationClock, recorder: SimEventRecorder?, queue: SimWorkQueue<StoreKey>) {
        self.client = client
        self.clock = clock
        self.recorder = recorder
        self.queue = queue
    }

    // MARK: Feed

    var followedResources: [GroupResource] { [WorkloadResource.deployments, WorkloadResource.replicaSets] }

    func observe(_ type: WatchEventType, _ resource: GroupResource, _ object: StoredObject) {
        let isDeployment = resource == WorkloadResource.deployments
        owners.route(type, object, isOwner: isDeployment, into: queue)
        if isDeployment, type == .deleted {
            progressTimes.withLockedValue { _ = $0.removeValue(forKey: object.uid) }
        }
    }

    func resync(_ resource: GroupResource, _ objects: [StoredObject]) {
        if resource == WorkloadResource.deployments { owners.relist(objects, into: queue) }
    }

    // MARK: Reconcile

    func reconcile(_ key: StoreKey) throws -> ReconcileResult {
        guard let object = client.object(WorkloadResource.deployments, key) else { return .done }
        let deployment = DeploymentView(json: object)
        let replicaSets = client.dependents(of: deployment.uid, WorkloadResource.replicaSets)
            .map { ReplicaSetView(json: $0.object) }
            .filter { $0.json.sim.controllerUID == deployment.uid }
        var sync = DeploymentSync(controller: self, deployment: deployment, replicaSets: replicaSets)
        try sync.run()
        guard let next = sync.requeueAt else { return .done }
        return .after(.seconds(max(0.001, next.timeIntervalSince(clock.now))))
    }

    func event(_ deployment: DeploymentView, _ type: EventType, _ reason: String, _ message: String) {
        recorder?.record(InvolvedObject(deployment.json, kind: "Deployment", apiVersion: "apps/v1"), type,
                         reason: reason, message: message, source: .deploymentController)
    }

    /// When the `Progressing` condition was last updated, to the millisecond when this
    /// controller wrote it.
    func progressUpdateTime(_ deployment: DeploymentView, _ condition: DeploymentCondition) -> Date? {
        let stamp = condition.lastUpdateTime.stringValue ?? ""
        if let known = progressTimes.withLockedValue({ $0[deployment.uid] }), known.stamp == stamp { return known.date }
        return KubeTimestamp.parse(stamp)
    }

    func rememberProgressTime(_ deployment: DeploymentView, stamp: String, date: Date) {
        progressTimes.withLockedValue { $0[deployment.uid] = (stamp, date) }
    }
}
