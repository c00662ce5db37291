import Foundation
import KubeClient
import Testing

/// The dashboard in a real browser: headless Chromium (Debian `chromium`, which
/// `scripts/install-deps.sh` installs) loads it from `opsagent api` against the embedded
/// cluster; the test changes a rollout's status and the page must show it without a reload.
/// The screenshot is kept at `.build/test-artifacts/dashboard.png`.
@Suite(.serialized) struct DashboardBrowserTests {
    static let driver = APICluster.root.appendingPathComponent("Tests/GraphQLAPITests/Browser/dashboard_browser.py").path
    static let screenshot = APICluster.root.appendingPathComponent(".build/test-artifacts/dashboard.png")

    @Test func aRolloutChangeReachesTheOpenPageLive() async throws {
        let chromium = ["chromium", "chromium-browser"].first { name in
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        let browser = try #require(chromium, "headless Chromium is needed: scripts/install-deps.sh installs the Debian package chromium")
        let cluster = try await APICluster.start()
        defer { Task { await cluster.stop() } }
        try await cluster.setStatus("team-a", "web", ["phase": "Healthy", "activeColor": "blue", "activeRevision": "r1", "replicas": 2,
                                                      "readyReplicas": 2])
        try FileManager.default.createDirectory(at: Self.screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: Self.screenshot)

        let row = #"document.querySelector("[data-id=\"team-a/web\"]")"#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.driver, "--url", "\(cluster.url)/#token=\(cluster.adminToken)", "--chromium", browser,
            "--ready-js", "window.opsagentDashboard && window.opsagentDashboard.connected && window.opsagentDashboard.pending === 0 "
                + "&& \(row) !== null && \(row).dataset.phase === \"Healthy\"",
            "--changed-js", "\(row).dataset.phase === \"Paused\" && window.opsagentDashboard.updates > 0",
            "--screenshot", Self.screenshot.path, "--timeout", "30",
        ]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let reader = LineReader(output.fileHandleForReading)
        var transcript: [String] = []
        while let line = await reader.next() {
            transcript.append(line)
            if line == "READY" || line.hasPrefix("FAILED") { break }
        }
        try #require(transcript.last == "READY", "the page loaded with the rollout: \(transcript.joined(separator: "\n"))")

        try await cluster.setStatus("team-a", "web", ["phase": "Paused", "previewRevision": "r2", "message": "waiting for a promotion"])
        input.fileHandleForWriting.write(Data("GO\n".utf8))
        while let line = await reader.next() { transcript.append(line) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0 && transcript.contains("PASSED"),
                "the open page showed the change without a reload: \(transcript.joined(separator: "\n"))")
        let size = (try? FileManager.default.attributesOfItem(atPath: Self.screenshot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "a screenshot of the page is kept at \(Self.screenshot.path)")
    }
}

/// Lines of a pipe, read on a thread of their own (a blocking read must not hold one of the
/// few cooperative threads).
final class LineReader: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    func next() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                while true {
                    if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = String(decoding: self.buffer[..<newline], as: UTF8.self)
                        self.buffer.removeSubrange(...newline)
                        continuation.resume(returning: line)
                        return
                    }
                    let chunk = self.handle.availableData
                    if chunk.isEmpty {
                        let rest = self.buffer.isEmpty ? nil : String(decoding: self.buffer, as: UTF8.self)
                        self.buffer = Data()
                        continuation.resume(returning: rest)
                        return
                    }
                    self.buffer.append(chunk)
                }
            }
        }
    }
}
