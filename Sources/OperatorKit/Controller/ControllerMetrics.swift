import Metrics

/// A controller's metrics, named as controller-runtime exports them.
struct ControllerMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case success
        case error
        case requeueAfter = "requeue_after"
    }

    static let reconcileTotalName = "controller_runtime_reconcile_total"
    static let reconcileErrorsName = "controller_runtime_reconcile_errors_total"
    static let terminalErrorsName = "controller_runtime_terminal_reconcile_errors_total"
    static let reconcileTimeName = "controller_runtime_reconcile_time_seconds"
    static let activeWorkersName = "controller_runtime_active_workers"
    static let maxConcurrentName = "controller_runtime_max_concurrent_reconciles"

    private let totals: [Outcome: Counter]
    let errors: Counter
    let terminalErrors: Counter
    let reconcileTime: Timer
    let activeWorkers: Meter
    let maxConcurrent: Meter

    init(controller: String, factory: any MetricsFactory) {
        let labels = [("controller", controller)]
        var totals: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            totals[outcome] = Counter(
                label: Self.reconcileTotalName, dimensions: labels + [("result", outcome.rawValue)], factory: factory)
        }
        self.totals = totals
        errors = Counter(label: Self.reconcileErrorsName, dimensions: labels, factory: factory)
        terminalErrors = Counter(label: Self.terminalErrorsName, dimensions: labels, factory: factory)
        reconcileTime = Timer(label: Self.reconcileTimeName, dimensions: labels, factory: factory)
        activeWorkers = Meter(label: Self.activeWorkersName, dimensions: labels, factory: factory)
        maxConcurrent = Meter(label: Self.maxConcurrentName, dimensions: labels, factory: factory)
    }

    func count(_ outcome: Outcome) {
        totals[outcome]?.increment()
    }
}
