import Foundation
import KubeClient
import Logging

/// The controllers the simulated cluster plays, as kube-controller-manager, kube-scheduler,
/// the kubelets and metrics-server would: Deployments → ReplicaSets → Pods on simulated
/// Nodes, Services → Endpoints and EndpointSlices, Jobs and CronJobs, Events, pod logs,
/// resource metrics and a Prometheus exposition. Pods follow the ``Behaviour`` their
/// template annotations or image tags choose.
///
/// The controllers are in-process clients of the registry: their writes get
/// resourceVersions, generations, watch events and garbage collection like any client's.
public final class WorkloadSimulation: Sendable {
    public let options: SimulationOptions
    public let clock: SimulationClock
    let client: ClusterClient
    let pool: NodePool
    let recorder: EventRecorder?
    let kubelet: Kubelet
    let metrics: ClusterMetrics
    let metricsServer: MetricsServer
    let logs: PodLogs
    private let feed: StoreFeed
    private let loops: [any RunnableLoop]
    private let logger: Logger

    /// Admission the simulated cluster needs in the registry (Job selectors).
    public static var admission: [any AdmissionPlugin] { [JobSelectorDefaults()] }

    public init(registry: Registry, options: SimulationOptions = SimulationOptions(),
                logger: Logger = Logger(label: "opsagent.sim.workloads")) {
        self.options = options
        self.logger = logger
        clock = SimulationClock(timeScale: options.timeScale)
        client = ClusterClient(registry: registry, fieldManager: "kube-controller-manager")
        pool = NodePool()
        recorder = options.recordEvents ? EventRecorder(client: client, ttl: options.eventTTL, logger: logger) : nil

        let kubeletQueue = WorkQueue<ObjectKey>()
        kubelet = Kubelet(client: ClusterClient(registry: registry, fieldManager: "kubelet"), pool: pool, clock: clock,
                          recorder: recorder, queue: kubeletQueue)
        let schedulerQueue = WorkQueue<ObjectKey>()
        let scheduler = Scheduler(client: ClusterClient(registry: registry, fieldManager: "kube-scheduler"), pool: pool,
                                  recorder: recorder, queue: schedulerQueue, capacity: options.nodeCapacity,
                                  maxNodes: options.maxNodes)
        let replicaSetQueue = WorkQueue<ObjectKey>()
        let kubelet = self.kubelet
        let replicaSets = ReplicaSetController(client: client, clock: clock, recorder: recorder, queue: replicaSetQueue,
                                               exactReadySince: { kubelet.readySince($0, uid: $1) })
        let replicationControllerQueue = WorkQueue<ObjectKey>()
        let replicationControllers = ReplicaSetController(client: client, clock: clock, recorder: recorder,
                                                          queue: replicationControllerQueue, flavor: .replicationControllers,
                                                          exactReadySince: { kubelet.readySince($0, uid: $1) })
        let deploymentQueue = WorkQueue<ObjectKey>()
        let deployments = DeploymentController(client: client, clock: clock, recorder: recorder, queue: deploymentQueue)
        let endpointsQueue = WorkQueue<ObjectKey>()
        let endpoints = EndpointsController(client: client, pool: pool, queue: endpointsQueue)
        let jobQueue = WorkQueue<ObjectKey>()
        let jobs = JobController(client: client, clock: clock, recorder: recorder, queue: jobQueue)
        let cronJobQueue = WorkQueue<ObjectKey>()
        let cronJobs = CronJobController(client: client, clock: clock, recorder: recorder, queue: cronJobQueue)

        loops = [
            ControllerLoop(scheduler, queue: schedulerQueue, logger: logger),
            ControllerLoop(kubelet, queue: kubeletQueue, logger: logger),
            ControllerLoop(replicaSets, queue: replicaSetQueue, logger: logger),
            ControllerLoop(replicationControllers, queue: replicationControllerQueue, logger: logger),
            ControllerLoop(deployments, queue: deploymentQueue, logger: logger),
            ControllerLoop(endpoints, queue: endpointsQueue, logger: logger),
            ControllerLoop(jobs, queue: jobQueue, logger: logger),
            ControllerLoop(cronJobs, queue: cronJobQueue, logger: logger),
        ]
        feed = StoreFeed(store: registry.store,
                         observers: [scheduler, kubelet, replicaSets, replicationControllers, deployments, endpoints, jobs, cronJobs],
                         logger: logger)
        metrics = ClusterMetrics(client: client, kubelet: kubelet, clock: clock)
        metricsServer = MetricsServer(client: client, kubelet: kubelet, pool: pool, clock: clock)
        logs = PodLogs(client: client, kubelet: kubelet, clock: clock)
        // metrics.k8s.io shows in discovery, as when metrics-server is installed.
        for type in MetricsServer.resourceTypes where registry.catalog.type(type.groupResource) == nil {
            registry.catalog.register(type)
        }
    }

    /// Serves `pods/log`.
    public var logResponder: any SubresourceResponder { PodLogResponder(logs: logs) }

    /// Registers the initial nodes, then runs every controller until the task is cancelled.
    public func run() async {
        registerNodes()
        let loops = self.loops
        let recorder = self.recorder
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.feed.run() }
                if let recorder { group.addTask { await recorder.run() } }
                for loop in loops { group.addTask { await loop.run() } }
            }
        } onCancel: {
            for loop in loops { loop.stop() }
            recorder?.stop()
        }
    }

    private func registerNodes() {
        for index in 0..<options.initialNodes {
            let name = NodeTemplate.name(index)
            if client.stored(WorkloadResource.nodes, ObjectKey(namespace: "", name: name)) != nil { continue }
            do {
                try client.create(WorkloadResource.nodes, NodeTemplate.node(index: index, capacity: options.nodeCapacity))
            } catch {
                logger.warning("could not register simulated node \(name): \(error)")
            }
        }
    }

    /// The `/metrics/cluster` exposition text (Prometheus format), optionally for one namespace.
    public func clusterMetrics(namespace: String? = nil) -> [UInt8] { metrics.render(namespace: namespace) }
}

/// A controller loop, type-erased.
protocol RunnableLoop: Sendable {
    func run() async
    func stop()
}

extension ControllerLoop: RunnableLoop {}
