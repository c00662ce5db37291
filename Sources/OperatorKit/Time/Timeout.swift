/// Runs `operation`, giving up after `timeout` on `clock`: returns nil when the time ran out
/// first. The operation is cancelled then, and this returns once it has finished, so it must
/// honour cancellation.
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

/// Waits for `task`, cancelling it once `timeout` has passed on `clock`; true when it
/// finished in time.
func waitForTask(_ task: Task<Void, Never>, timeout: Duration, on clock: any OperatorClock) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                task.cancel()
            }
            return true
        }
        group.addTask {
            do { try await clock.sleep(for: timeout) } catch {}
            return false
        }
        let first = await group.next() ?? true
        // Cancels the task when the timeout won, then waits for it to finish.
        group.cancelAll()
        await group.waitForAll()
        return first
    }
}
