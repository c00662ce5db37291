import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class LockedDictionary: @unchecked Sendable {
    private var values: [String: Int] = [:]
    private let lock = NSLock()
    func set(_ key: String, _ value: Int) { lock.withLock { values[key] = value } }
    func all() -> [String: Int] { lock.withLock { values } }
}

func until(_ what: String, seconds limit: Int, poll: Duration = .milliseconds(50),
           _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(limit)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: poll)
    }
    throw BenchError("timed out waiting until \(what)")
}

/// Runs `body` for each item with at most `concurrency` in flight.
func forEach(_ items: [String], concurrency: Int, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<concurrency {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}

/// Runs blocking work (reading a pipe) on a thread of its own, so that it does not hold one
/// of Swift's cooperative threads (there are as many as cores: two here) while it waits.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// Lets `perf record --control fifo:PATH -D -1` sample only the throughput windows: with
/// `OPSAGENT_BENCH_PERF_FIFO=PATH` set, the bench writes `enable` to that FIFO when N rollouts
/// are applied and `disable` once all are Healthy.
enum Profiler {
    static func control(_ command: String) {
        guard let path = ProcessInfo.processInfo.environment["OPSAGENT_BENCH_PERF_FIFO"],
              let fifo = FileHandle(forWritingAtPath: path) else { return }
        fifo.write(Data((command + "\n").utf8))
        try? fifo.close()
    }
}

/// Starts this executable with `arguments`, its standard input and output on pipes, and
/// returns once it has written its first line (how a child says it is ready), with that line.
func spawnSelf(_ arguments: [String]) async throws -> (process: Process, input: Pipe, output: Pipe, firstLine: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                ?? CommandLine.arguments[0])
    process.arguments = arguments
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let line = await onThread { () -> String in
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self)
    }
    return (process, input, output, line)
}

/// The embedded cluster in a child process (this executable with `--sim`).
final class SimProcess: @unchecked Sendable {
    let process: Process
    let input: Pipe
    let output: Pipe
    let kubeconfig: String
    var pid: Int32 { process.processIdentifier }

    private init(process: Process, input: Pipe, output: Pipe, kubeconfig: String) {
        self.process = process
        self.input = input
        self.output = output
        self.kubeconfig = kubeconfig
    }

    static func start(timeScale: Double) async throws -> SimProcess {
        let (process, input, output, line) = try await spawnSelf(["--sim", String(timeScale)])
        guard line.hasPrefix("kubeconfig ") else { throw BenchError("the simulator did not start: \(line)") }
        let path = line.dropFirst("kubeconfig ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        return SimProcess(process: process, input: input, output: output, kubeconfig: path)
    }

    /// The writes the simulator's store has committed so far, by "verb resource"
    /// ("added pods", "modified replicasets"): the operator's and the simulated controllers'.
    func writeCounts() async -> [String: Int] {
        input.fileHandleForWriting.write(Data("writes\n".utf8))
        let reader = output.fileHandleForReading
        let line = await onThread { () -> String in
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                guard let byte = try? reader.read(upToCount: 1), !byte.isEmpty else { break }
                data.append(byte)
            }
            return String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("writes ") else { return [:] }
        var counts: [String: Int] = [:]
        for pair in line.dropFirst("writes ".count).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return counts
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
