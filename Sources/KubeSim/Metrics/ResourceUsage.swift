import Foundation

/// What a running simulated container uses at a moment, following its ``Behaviour``: a
/// constant CPU rate (so its cumulative CPU seconds grow at exactly that rate, which is
/// what `rate()` recovers), and a steady working set, or one that climbs to the memory
/// limit when the container is about to be OOM-killed.
struct ContainerUsage: Sendable, Equatable {
    var cpuCores: Double
    /// CPU seconds used since the container (this run of it) started.
    var cpuSeconds: Double
    var workingSetBytes: Double
    var limitBytes: Double?

    init?(_ container: ContainerRuntime, at now: Date, clock: SimulationClock) {
        guard case .running(let since) = container.phase else { return nil }
        let elapsed = max(0, now.timeIntervalSince(since))
        cpuCores = container.behaviour.cpuCores
        cpuSeconds = cpuCores * elapsed
        limitBytes = container.memoryLimit
        if container.isOOMKilled {
            let target = container.memoryLimit ?? container.behaviour.memoryBytes
            let climb = min(1, elapsed / max(clock.wall(ContainerTimings.oomAfter), 0.001))
            workingSetBytes = target * (0.3 + 0.7 * climb)
        } else {
            workingSetBytes = container.behaviour.memoryBytes
        }
    }
}

/// The requests a simulated pod has served in the current run of its first container:
/// `requestsPerSecond` for every wall second it has been Ready, a share of them failing
/// at the behaviour's error rate, with latencies spread around the mean.
struct TrafficCounters: Sendable, Equatable {
    /// Latency classes as (share of requests, multiple of the mean latency); the shares
    /// sum to 1 and the weighted multiples to 1, so sum / count is the mean exactly.
    static let latencyClasses: [(share: Double, factor: Double)] = [(0.5, 0.6), (0.3, 1.0), (0.15, 1.8), (0.05, 2.6)]
    /// `http_request_duration_seconds` buckets (Prometheus client defaults).
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    var total: Int
    var errors: Int
    var meanLatencySeconds: Double

    init(_ pod: PodRuntime, at now: Date) {
        let served = pod.servedSeconds(at: now)
        total = Int((pod.traffic.requestsPerSecond * served).rounded(.down))
        errors = Int((Double(total) * pod.traffic.errorRate).rounded(.down))
        meanLatencySeconds = pod.traffic.latencyMilliseconds / 1000
    }

    var successes: Int { total - errors }

    /// Requests per latency class: cumulative shares rounded down, so every count only grows.
    var perClass: [(latency: Double, count: Int)] {
        var out: [(Double, Int)] = []
        var cumulativeShare = 0.0
        var previous = 0
        for (index, latencyClass) in Self.latencyClasses.enumerated() {
            cumulativeShare += latencyClass.share
            let cumulative = index == Self.latencyClasses.count - 1
                ? total : Int((Double(total) * cumulativeShare).rounded(.down))
            out.append((meanLatencySeconds * latencyClass.factor, cumulative - previous))
            previous = cumulative
        }
        return out
    }

    /// Cumulative counts per bucket upper bound, then the sum of latencies.
    var histogram: (buckets: [(le: Double, count: Int)], sum: Double) {
        let classes = perClass
        let buckets = Self.buckets.map { le in (le, classes.filter { $0.latency <= le }.reduce(0) { $0 + $1.count }) }
        return (buckets, classes.reduce(0) { $0 + $1.latency * Double($1.count) })
    }
}
