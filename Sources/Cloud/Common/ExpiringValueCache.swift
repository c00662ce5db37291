import Foundation

/// Keeps a value that expires (credentials, an access token) until `margin` before its
/// expiry, then fetches it again; one fetch at a time, however many callers ask together.
public actor ExpiringValueCache<Value: Sendable> {
    private let fetch: @Sendable () async throws -> Value
    private let expiry: @Sendable (Value) -> Date?
    /// Fetch again this long before the value expires (the SDKs use a few minutes).
    public let margin: TimeInterval
    private var current: Value?
    private var inFlight: Task<Value, any Error>?
    /// Fetches made so far (for tests and metrics).
    public private(set) var fetches = 0

    /// `expiry` returns nil for a value that never expires.
    public init(margin: TimeInterval, expiry: @escaping @Sendable (Value) -> Date?, fetch: @escaping @Sendable () async throws -> Value) {
        self.margin = margin
        self.expiry = expiry
        self.fetch = fetch
    }

    /// The kept value while it is good for more than `margin` at `now`, else a fresh one.
    public func value(now: Date = Date()) async throws -> Value {
        if let current, (expiry(current).map { $0.timeIntervalSince(now) > margin } ?? true) { return current }
        let task: Task<Value, any Error>
        if let inFlight { task = inFlight } else {
            fetches += 1
            task = Task { [fetch] in try await fetch() }
            inFlight = task
        }
        defer { inFlight = nil }
        let fresh = try await task.value
        current = fresh
        return fresh
    }

    /// The value kept now, without fetching (nil before the first fetch or after `invalidate`).
    public var cached: Value? { current }

    /// Forgets the value (the service called it expired): the next call fetches.
    public func invalidate() { current = nil }
}
