import Controllers
import Foundation
import KubeClient
import OperatorKit
import OpsAPI
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Counts the operator's API requests by verb and resource (the transport under its client).
final class CountingTransport: HTTPTransport {
    let base: any HTTPTransport
    private let counts = NIOLockedValueBox([String: Int]())

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        record(request, watch: false)
        return try await base.send(request)
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        record(request, watch: true)
        return try await base.stream(request)
    }

    func snapshot() -> [String: Int] { counts.withLockedValue { $0 } }

    var writes: Int { snapshot().filter { Self.isWrite($0.key) }.values.reduce(0, +) }

    static func isWrite(_ key: String) -> Bool {
        ["create", "update", "patch", "delete"].contains { key.hasPrefix($0 + " ") }
    }

    /// "verb resource[/subresource]", kubectl-style verbs (get, list, watch, create, update, patch, delete).
    private func record(_ request: HTTPRequest, watch: Bool) {
        // Split by hand: Foundation's URLComponents cost more than the request it counts.
        let url = request.url
        var hostStart = url.startIndex
        if let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") { hostStart = url.index(colon, offsetBy: 3) }
        let pathStart = url[hostStart...].firstIndex(of: "/") ?? url.endIndex
        let queryStart = url[pathStart...].firstIndex(of: "?") ?? url.endIndex
        let path = url[pathStart..<queryStart]
        let query = queryStart < url.endIndex ? url[url.index(after: queryStart)...] : ""
        var parts = path.split(separator: "/").map(String.init)
        if parts.first == "api" {
            parts.removeFirst(min(2, parts.count))  // api, v1
        } else if parts.first == "apis" {
            parts.removeFirst(min(3, parts.count))  // apis, group, version
        }
        if parts.first == "namespaces", parts.count >= 3 { parts.removeFirst(2) }
        let resource = parts.first ?? "?"
        let named = parts.count >= 2
        let sub = parts.count >= 3 ? "/" + parts[2] : ""
        let verb: String
        switch request.method {
        case "GET": verb = watch || query.contains("watch=true") || query.contains("watch=1") ? "watch" : named ? "get" : "list"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = "delete"
        default: verb = request.method.lowercased()
        }
        counts.withLockedValue { $0["\(verb) \(resource)\(sub)", default: 0] += 1 }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// CPU seconds (user+system) and resident memory of a process, from /proc.
enum ProcStats {
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) … utime(11) stime(12)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
    }

    /// A memory figure of /proc/PID/status in MiB: VmRSS by default, or RssAnon/RssFile.
    static func rssMiB(_ pid: Int32, field: String = "VmRSS") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}


/// Waits until the operator has made no request for a second (at most 60 s).
func quiesce(_ counting: CountingTransport) async throws {
    var last = counting.snapshot()
    var quietSince = ContinuousClock.now
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(100))
        let now = counting.snapshot()
        if now != last { last = now; quietSince = ContinuousClock.now }
        if ContinuousClock.now - quietSince > .seconds(1) { return }
    }
}

/// glibc's `malloc_trim`: returns the heap's free memory to the system (not exported by the
/// Glibc module).
@_silgen_name("malloc_trim")
func malloc_trim(_ pad: Int) -> Int32
