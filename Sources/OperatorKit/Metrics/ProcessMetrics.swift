import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `process_*` series Prometheus client libraries export (client_golang's process
/// collector), read from `/proc/self` at each scrape: resident and virtual memory, CPU
/// seconds, open and maximum file descriptors, and the start time.
public struct ProcessMetrics: Sendable, Equatable {
    public var residentMemoryBytes: Double
    public var virtualMemoryBytes: Double
    public var cpuSeconds: Double
    public var openFileDescriptors: Double
    public var maxFileDescriptors: Double
    /// Seconds since the Unix epoch.
    public var startTimeSeconds: Double

    /// This process's figures now; nil where `/proc` cannot be read (not Linux).
    public static func current() -> ProcessMetrics? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3, so field n is at index n - 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ n: Int) -> Double { n - 3 < fields.count ? Double(fields[n - 3]) ?? 0 : 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        var bootTime = 0.0
        if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }) {
            bootTime = Double(line.split(separator: " ").last ?? "") ?? 0
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        let maximum = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : 0
        return ProcessMetrics(
            residentMemoryBytes: field(24) * pageSize, virtualMemoryBytes: field(23),
            cpuSeconds: (field(14) + field(15)) / ticks,
            openFileDescriptors: Double(max(0, open - 1)),  // less the descriptor that lists the directory
            maxFileDescriptors: maximum, startTimeSeconds: bootTime + field(22) / ticks)
        #else
        return nil
        #endif
    }

    /// The series in the Prometheus text format, with `# HELP` and `# TYPE`.
    public var exposition: String {
        func series(_ name: String, _ type: String, _ help: String, _ value: Double) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(MetricsExposition.format(value))\n"
        }
        return series("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", cpuSeconds)
            + series("process_open_fds", "gauge", "Number of open file descriptors.", openFileDescriptors)
            + series("process_max_fds", "gauge", "Maximum number of open file descriptors.", maxFileDescriptors)
            + series("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtualMemoryBytes)
            + series("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", residentMemoryBytes)
            + series("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                     startTimeSeconds)
    }
}
