import Foundation

/// A condition did not hold before its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let timeout: Duration
    var description: String { "\(what) did not happen within \(timeout)" }
}

/// Polls `condition` until it holds, failing after `timeout` (real time). Tests use it
/// instead of sleeping a fixed time.
func eventually(
    _ what: String = "the condition", timeout: Duration = .seconds(10), poll: Duration = .milliseconds(2),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while try await !condition() {
        if ContinuousClock.now >= deadline { throw DeadlineExceeded(what: what, timeout: timeout) }
        try await Task.sleep(for: poll)
    }
}
