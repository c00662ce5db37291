/// Runs `operation`, giving up after `timeout` on `clock`: returns nil when the time ran out
/// first (the operation is cancelled then).
func withTimeout<T: Sendable>(
    _ timeout: Duration, on clock: any OperatorClock, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T? {
    guard timeout > .zero else { return nil }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await clock.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { return nil }
        return first
    }
}
