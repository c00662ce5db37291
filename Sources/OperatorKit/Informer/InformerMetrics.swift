import Metrics

/// An informer's metrics: how often its watches restarted and how often it listed again.
public struct InformerMetrics: Sendable {
    let watchRestarts: Counter
    let relists: Counter
    let watchEvents: Counter

    public static let watchRestartsName = "informer_watch_restarts_total"
    public static let relistsName = "informer_relists_total"
    public static let watchEventsName = "informer_watch_events_total"

    public init(resource: String, factory: any MetricsFactory) {
        let labels = [("resource", resource)]
        watchRestarts = Counter(label: Self.watchRestartsName, dimensions: labels, factory: factory)
        relists = Counter(label: Self.relistsName, dimensions: labels, factory: factory)
        watchEvents = Counter(label: Self.watchEventsName, dimensions: labels, factory: factory)
    }

    public static var disabled: InformerMetrics { InformerMetrics(resource: "", factory: NOOPMetricsHandler.instance) }
}
