/// How a ``Manager`` runs its controllers.
public struct ManagerConfiguration: Sendable {
    /// The namespaces informers watch (all by default).
    public var namespaces: NamespaceScope = .all
    /// Concurrent reconciles per controller unless a controller sets its own.
    public var workersPerController = 1
    /// Lease-based leader election; nil runs the controllers without it (one replica).
    public var leaderElection: LeaderElectionConfiguration?
    /// How long a shutdown waits for reconciles in flight before cancelling them.
    public var gracefulShutdownTimeout: Duration = .seconds(30)
    /// Re-deliver every cached object this often; nil (the default) never does.
    public var resyncPeriod: Duration?
    /// The component name on Events and in logs.
    public var component = "opsagent"
    /// Background jobs (LLM calls, notifications, scans) running at once, across controllers.
    public var backgroundJobs = 8
    /// How the informers' caches keep objects (``CacheStorage``). Compact by default: in
    /// `make bench`, an operator with 10,000 rollouts cached holds 141 MiB at `/readyz`
    /// instead of 350; each read parses its object again, which costs most when every
    /// rollout is re-reconciled at once (3× the CPU of parsed trees). Passes over a whole
    /// cache (audits) read it object by object (``ObjectCache/lazyObjects()``).
    public var cacheStorage: CacheStorage = .compact

    public init(
        namespaces: NamespaceScope = .all, workersPerController: Int = 1,
        leaderElection: LeaderElectionConfiguration? = nil, gracefulShutdownTimeout: Duration = .seconds(30),
        resyncPeriod: Duration? = nil, component: String = "opsagent", backgroundJobs: Int = 8,
        cacheStorage: CacheStorage = .compact
    ) {
        self.backgroundJobs = backgroundJobs
        self.cacheStorage = cacheStorage
        self.namespaces = namespaces
        self.workersPerController = workersPerController
        self.leaderElection = leaderElection
        self.gracefulShutdownTimeout = gracefulShutdownTimeout
        self.resyncPeriod = resyncPeriod
        self.component = component
    }
}

/// The manager cannot do what was asked.
public enum ManagerError: Error, CustomStringConvertible {
    case alreadyRunning
    case duplicateController(String)
    case invalidController(String)

    public var description: String {
        switch self {
        case .alreadyRunning:
            return "the manager is already running; create another manager to run it twice"
        case .duplicateController(let name):
            return "a controller named \(name) is already registered; give each controller a unique name"
        case .invalidController(let message):
            return message
        }
    }
}
