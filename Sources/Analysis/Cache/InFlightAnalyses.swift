/// Makes concurrent analyses of the same input share one provider call.
///
/// The first caller for a key becomes its owner and does the work; callers arriving
/// while it runs wait for its result. A waiter that is cancelled leaves at once; when an
/// owner gives up without a result (it was cancelled), its waiters are released to try
/// themselves.
actor InFlightAnalyses {
    private var waiters: [String: [UInt64: CheckedContinuation<AnalysisResult?, Never>]] = [:]
    private var nextID: UInt64 = 0

    /// True when the caller now owns the key and must call ``finish(_:with:)``.
    func claim(_ key: String) -> Bool {
        guard waiters[key] == nil else { return false }
        waiters[key] = [:]
        return true
    }

    /// The owner's result, or nil when the owner gave up or this waiter was cancelled.
    func wait(for key: String) async -> AnalysisResult? {
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Runs on this actor before any suspension, so `leave` (which hops here)
                // always finds the continuation installed unless `finish` resumed it.
                if waiters[key] == nil {
                    continuation.resume(returning: nil)
                } else {
                    waiters[key]![id] = continuation
                }
            }
        } onCancel: {
            Task { await self.leave(key, id) }
        }
    }

    /// Releases the key and hands `result` (nil: none) to everyone waiting for it.
    func finish(_ key: String, with result: AnalysisResult?) {
        let pending = waiters.removeValue(forKey: key) ?? [:]
        for continuation in pending.values { continuation.resume(returning: result) }
    }

    private func leave(_ key: String, _ id: UInt64) {
        waiters[key]?.removeValue(forKey: id)?.resume(returning: nil)
    }
}
