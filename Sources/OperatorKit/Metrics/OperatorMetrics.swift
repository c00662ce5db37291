import Metrics
import Prometheus

/// Wires swift-metrics to a Prometheus registry with controller-runtime's histogram buckets.
public enum OperatorMetrics {
    /// controller-runtime's reconcile-time buckets, 5 ms to 60 s.
    public static let reconcileBuckets: [Duration] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5,
        1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ].map { Duration.seconds(fractional: $0) }

    /// client-go's work-queue buckets: 10 ns × 10ⁿ up to 1000 s.
    public static let workQueueBuckets: [Duration] = (0..<12).map { exponent in
        .nanoseconds(Int64(10) * Int64(Double.pow10(exponent)))
    }

    /// A factory that records into `registry`, with the buckets above for the operator's
    /// duration histograms.
    public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[ControllerMetrics.reconcileTimeName] = reconcileBuckets
        factory.durationHistogramBuckets[WorkQueueMetrics.queueDurationName] = workQueueBuckets
        factory.durationHistogramBuckets[WorkQueueMetrics.workDurationName] = workQueueBuckets
        return factory
    }
}

extension Double {
    static func pow10(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

extension OperatorMetrics {
    /// Makes `registry` the process-wide swift-metrics backend too, so metrics of libraries
    /// (HTTP server, client) are exported beside the operator's. Call once per process.
    public static func bootstrapProcessMetrics(registry: PrometheusCollectorRegistry) {
        MetricsSystem.bootstrap(factory(registry: registry))
    }
}
