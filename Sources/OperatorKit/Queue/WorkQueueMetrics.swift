import Metrics

/// The work queue's metrics, named as client-go's workqueue exports them and labelled with
/// the queue's (controller's) name.
public struct WorkQueueMetrics: Sendable {
    let depth: Meter
    let adds: Counter
    let retries: Counter
    let queueDuration: Timer
    let workDuration: Timer
    let unfinishedWork: Meter
    let longestRunning: Meter

    public static let depthName = "workqueue_depth"
    public static let addsName = "workqueue_adds_total"
    public static let retriesName = "workqueue_retries_total"
    public static let queueDurationName = "workqueue_queue_duration_seconds"
    public static let workDurationName = "workqueue_work_duration_seconds"
    public static let unfinishedWorkName = "workqueue_unfinished_work_seconds"
    public static let longestRunningName = "workqueue_longest_running_processor_seconds"

    public init(queueName: String, factory: any MetricsFactory) {
        let labels = [("controller", queueName), ("name", queueName)]
        depth = Meter(label: Self.depthName, dimensions: labels, factory: factory)
        adds = Counter(label: Self.addsName, dimensions: labels, factory: factory)
        retries = Counter(label: Self.retriesName, dimensions: labels, factory: factory)
        queueDuration = Timer(label: Self.queueDurationName, dimensions: labels, factory: factory)
        workDuration = Timer(label: Self.workDurationName, dimensions: labels, factory: factory)
        unfinishedWork = Meter(label: Self.unfinishedWorkName, dimensions: labels, factory: factory)
        longestRunning = Meter(label: Self.longestRunningName, dimensions: labels, factory: factory)
    }

    /// Metrics that go nowhere.
    public static var disabled: WorkQueueMetrics {
        WorkQueueMetrics(queueName: "", factory: NOOPMetricsHandler.instance)
    }
}
