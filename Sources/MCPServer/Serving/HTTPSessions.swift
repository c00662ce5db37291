import Foundation
import MCP

/// The live streamable-HTTP sessions: each is one SDK `Server` on its own
/// `StatefulHTTPServerTransport`, owned by the user who initialized it. Idle sessions end
/// after `idleTimeout`; at most `capacity` live at once (the oldest idle one makes room).
actor HTTPSessions {
    struct Session {
        let server: Server
        let transport: StatefulHTTPServerTransport
        let user: String
        var lastUsed: ContinuousClock.Instant
    }

    private var sessions: [String: Session] = [:]
    private let idleTimeout: Duration
    private let capacity: Int

    init(idleTimeout: Duration = .seconds(1800), capacity: Int = 1000) {
        self.idleTimeout = idleTimeout
        self.capacity = capacity
    }

    var count: Int { sessions.count }

    /// The session `id` of `user`, marked used; nil when unknown, ended, or someone else's.
    func session(_ id: String, user: String) -> Session? {
        guard var session = sessions[id], session.user == user else { return nil }
        session.lastUsed = .now
        sessions[id] = session
        return session
    }

    func add(_ id: String, _ session: Session) async {
        let now = ContinuousClock.now
        var expired = sessions.filter { now - $0.value.lastUsed > idleTimeout }.map(\.key)
        if sessions.count - expired.count >= capacity, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            expired.append(oldest.key)
        }
        for key in expired { await remove(key) }
        sessions[id] = session
    }

    func remove(_ id: String) async {
        guard let session = sessions.removeValue(forKey: id) else { return }
        await session.server.stop()
    }

    func removeAll() async {
        for id in Array(sessions.keys) { await remove(id) }
    }
}
