import Foundation
import KubeClient

/// The pod-template annotations that choose a simulated behaviour. Put them on a
/// Deployment's (or Job's) pod template; every container of the pod follows them.
///
/// | annotation | value | effect |
/// |---|---|---|
/// | `sim.opsagent.dev/startup-seconds` | seconds, e.g. `"5"` | time from container start to Ready (default 1; without it, a readiness probe's `initialDelaySeconds` is used) |
/// | `sim.opsagent.dev/ready` | `"false"` | the readiness probe never passes: Running, never Ready, `Unhealthy` events |
/// | `sim.opsagent.dev/crash` | `"true"` | exits with code 1 after one second: `CrashLoopBackOff`, restarts grow, `BackOff` events |
/// | `sim.opsagent.dev/image-pull` | `"fail"` | `ErrImagePull` then `ImagePullBackOff`; the pod stays Pending |
/// | `sim.opsagent.dev/oom` | `"true"` | memory climbs to the limit, then `OOMKilled` (exit 137) and restarts |
/// | `sim.opsagent.dev/error-rate` | fraction, e.g. `"0.25"` | that share of served requests answer HTTP 500 |
/// | `sim.opsagent.dev/latency-ms` | milliseconds, e.g. `"120"` | mean request latency (default 20) |
/// | `sim.opsagent.dev/cpu` | quantity, e.g. `"250m"` | CPU used per container (default 10m) |
/// | `sim.opsagent.dev/memory` | quantity, e.g. `"256Mi"` | working set per container (default 32Mi); above the memory limit it is OOMKilled |
/// | `sim.opsagent.dev/rps` | requests per second, e.g. `"50"` | traffic served while Ready (default 10) |
/// | `sim.opsagent.dev/run-seconds` | seconds | how long a Job's container runs before it exits (default 2; wins over the command) |
/// | `sim.opsagent.dev/shutdown-seconds` | seconds | how long a container takes to stop when its pod is deleted (default 0, at most the grace period) |
///
/// Values that do not parse are ignored (the image tag or default applies).
public enum BehaviourAnnotation {
    public static let prefix = "sim.opsagent.dev/"
    public static let startupSeconds = "sim.opsagent.dev/startup-seconds"
    public static let ready = "sim.opsagent.dev/ready"
    public static let crash = "sim.opsagent.dev/crash"
    public static let imagePull = "sim.opsagent.dev/image-pull"
    public static let oom = "sim.opsagent.dev/oom"
    public static let errorRate = "sim.opsagent.dev/error-rate"
    public static let latencyMilliseconds = "sim.opsagent.dev/latency-ms"
    public static let cpu = "sim.opsagent.dev/cpu"
    public static let memory = "sim.opsagent.dev/memory"
    public static let requestsPerSecond = "sim.opsagent.dev/rps"
    public static let runSeconds = "sim.opsagent.dev/run-seconds"
    public static let shutdownSeconds = "sim.opsagent.dev/shutdown-seconds"

    static func apply(_ annotations: [String: String], to behaviour: inout Behaviour) {
        if let seconds = number(annotations[startupSeconds]), seconds >= 0 { behaviour.startupSeconds = seconds }
        if let value = flag(annotations[ready]) { behaviour.becomesReady = value }
        if let value = flag(annotations[crash]) { behaviour.crashes = value }
        if let value = annotations[imagePull]?.lowercased() {
            if value == "fail" || value == "false" { behaviour.imagePullFails = true }
            if value == "ok" || value == "succeed" || value == "true" { behaviour.imagePullFails = false }
        }
        if let value = flag(annotations[oom]) { behaviour.oomKilled = value }
        if let rate = number(annotations[errorRate]), (0...1).contains(rate) { behaviour.errorRate = rate }
        if let ms = number(annotations[latencyMilliseconds]), ms >= 0 { behaviour.latencyMilliseconds = ms }
        if let cores = quantity(annotations[cpu]), cores >= 0 { behaviour.cpuCores = cores }
        if let bytes = quantity(annotations[memory]), bytes >= 0 { behaviour.memoryBytes = bytes }
        if let rps = number(annotations[requestsPerSecond]), rps >= 0 { behaviour.requestsPerSecond = rps }
        if let seconds = number(annotations[runSeconds]), seconds >= 0 { behaviour.runSeconds = seconds }
        if let seconds = number(annotations[shutdownSeconds]), seconds >= 0 { behaviour.shutdownSeconds = seconds }
    }

    static func number(_ text: String?) -> Double? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }

    static func flag(_ text: String?) -> Bool? {
        switch text?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: return nil
        }
    }

    static func quantity(_ text: String?) -> Double? {
        guard let text, let quantity = try? Quantity(parsing: text.trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        return quantity.doubleValue
    }
}
