import Foundation
import KubeClient

/// One line a simulated container wrote.
struct LogLine: Sendable, Equatable {
    var time: Date
    var text: String
}

/// What a simulated container writes to stdout during one run, as a function of time, so
/// any window of it (`tailLines`, `sinceSeconds`, `follow`) is produced without storing
/// anything: start-up lines, one line per simulated second while it runs (requests served,
/// failed requests at the behaviour's error rate, readiness warnings, batch progress), and
/// how the run ended (a panic, memory pressure before an OOM kill, a finished job).
struct LogScript: Sendable {
    /// At most this many periodic lines are kept per run, as after log rotation.
    static let retainedLines = 10_000

    let pod: StoreKey
    let podUID: String
    let podIP: String
    let container: ContainerRuntime
    let restartPolicy: RestartPolicy
    let clock: SimulationClock
    /// Which run of the container (its restart count when it ran).
    let run: Int
    let since: Date
    /// When the run ended (nil: still running).
    let end: Date?
    let exit: ContainerTermination?

    var period: TimeInterval { clock.wall(1) }

    /// The lines written by `until`, oldest first; at most `tail` of the newest when given.
    func lines(until now: Date, tail: Int? = nil) -> [LogLine] {
        let stop = min(end ?? now, now)
        guard stop >= since else { return [] }
        var head: [LogLine] = [
            LogLine(time: since, text: "level=info msg=\"starting \(container.name)\" image=\"\(container.image)\" pod=\(pod.name) run=\(run)"),
            LogLine(time: since, text: "level=info msg=\"listening\" addr=\"0.0.0.0:\(port)\""),
        ]
        if let readyAt = container.readyAt(since: since, clock: clock), readyAt <= stop {
            head.append(LogLine(time: readyAt, text: "level=info msg=\"ready to serve traffic\" startup_seconds=\(Self.number(container.behaviour.startupSeconds))"))
        }
        let count = Int((stop.timeIntervalSince(since) / period).rounded(.down))
        let wanted = tail.map { max(0, $0) } ?? Int.max
        let first = max(0, count - min(wanted, Self.retainedLines))
        var body: [LogLine] = []
        body.reserveCapacity(count - first)
        if first < count {
            for k in (first + 1)...count {
                let time = since.addingTimeInterval(Double(k) * period)
                body.append(LogLine(time: time, text: periodicLine(k, at: time)))
            }
        }
        var all = (head + body).sorted { $0.time < $1.time }
        if let exit, end != nil, let at = end, at <= now { all += footer(exit, at: at) }
        if let tail { return Array(all.suffix(max(0, tail))) }
        return all
    }

    private var port: Int { 8080 }

    private func periodicLine(_ k: Int, at time: Date) -> String {
        let behaviour = container.behaviour
        if restartPolicy != .always {
            return "level=info msg=\"processing batch\" item=\(k) elapsed_seconds=\(k)"
        }
        if let readyAt = container.readyAt(since: since, clock: clock), time >= readyAt {
            let latency = Int((behaviour.latencyMilliseconds * (0.6 + 1.2 * fraction(k, salt: 7))).rounded())
            let client = "10.\(100 + k % 3).\(k % 7).\(2 + k % 200)"
            let path = ["/api/items", "/api/orders", "/api/users", "/healthz/ready"][k % 4]
            if fraction(k, salt: 1) < behaviour.errorRate {
                return "level=error msg=\"request failed\" method=GET path=\(path) status=500 duration_ms=\(latency) client=\(client) error=\"upstream connect error or disconnect/reset before headers\""
            }
            return "level=info msg=\"request served\" method=GET path=\(path) status=200 duration_ms=\(latency) client=\(client)"
        }
        if !behaviour.becomesReady {
            return "level=warn msg=\"readiness check failing\" endpoint=/healthz/ready status=503 reason=\"dependency database unavailable\""
        }
        return "level=info msg=\"warming up\" elapsed_seconds=\(k)"
    }

    private func footer(_ exit: ContainerTermination, at time: Date) -> [LogLine] {
        switch exit.reason {
        case "OOMKilled":
            let limit = container.memoryLimit.map { "\(Int($0 / 1_048_576))Mi" } ?? "node memory"
            return [LogLine(time: time, text: "level=warn msg=\"memory usage high\" working_set_bytes=\(Int(container.behaviour.memoryBytes)) limit=\(limit)")]
        case "Completed":
            return [LogLine(time: time, text: "level=info msg=\"job finished\" status=success")]
        default:
            if restartPolicy != .always {
                return [LogLine(time: time, text: "level=error msg=\"job failed\" error=\"exit status \(exit.exitCode)\"")]
            }
            return [
                LogLine(time: time, text: "panic: runtime error: invalid memory address or nil pointer dereference"),
                LogLine(time: time, text: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b1c]"),
                LogLine(time: time, text: ""),
                LogLine(time: time, text: "goroutine 1 [running]:"),
                LogLine(time: time, text: "main.(*Server).handle(0xc000126000)"),
                LogLine(time: time, text: "\t/app/server.go:142 +0x1c"),
            ]
        }
    }

    /// A stable pseudo-random number in [0, 1) for line `k` of this run.
    private func fraction(_ k: Int, salt: UInt64) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for byte in "\(podUID)/\(container.name)/\(run)/\(k)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(1 << 53)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
