/// A stream of `transform` applied to each element of `source`, in order; a nil result
/// skips the element. It ends when `source` ends or `transform` throws (with that error),
/// and stops reading `source` when its consumer goes away.
func relay<Source: AsyncSequence & Sendable, Output: Sendable>(
    _ source: Source, _ transform: @escaping @Sendable (Source.Element) async throws -> Output?
) -> AsyncThrowingStream<Output, any Error> where Source.Element: Sendable {
    AsyncThrowingStream { continuation in
        let task = Task {
            do {
                for try await element in source {
                    if let output = try await transform(element) { continuation.yield(output) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
    }
}
