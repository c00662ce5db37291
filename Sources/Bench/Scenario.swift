import Foundation

/// One run's figures, by row key (seconds, milliseconds, MiB, counts, percent).
typealias Figures = [String: Double]

/// One line of a scenario's table: the figure named `key` in every run, shown as
/// min / median / max over the runs with its unit and target.
struct BenchRow: Sendable {
    var key: String
    var label: String
    var unit: String
    var target: String = ""
    var decimals: Int = 2
}

/// What one run of a scenario measured: its figures by row key, an optional breakdown
/// (named counts shown under the table, e.g. API requests by verb) and notes.
struct ScenarioRun: Sendable, Codable {
    var figures = Figures()
    var breakdown: [String: Double] = [:]
    var notes: [String] = []
}

/// One scenario of `make bench`: it sets up its own cluster and operator, runs
/// `runs` times, and fills the rows it declares. `opsagent-bench --only NAME[,NAME]`
/// picks scenarios by `name`; every run runs in a process of its own (its RSS and CPU
/// figures are that run's alone, not what earlier runs left resident). Add a scenario: one file with a type conforming to this,
/// and one line in ``Scenarios/all``.
protocol BenchScenario: Sendable {
    /// What `--only` selects: lowercase, no spaces.
    var name: String { get }
    /// Runs when `--runs` is not given.
    var defaultRuns: Int { get }
    /// One paragraph printed before the runs: what is measured and how.
    func describe(_ options: BenchOptions) -> String
    /// The table's rows, in order.
    func rows(_ options: BenchOptions) -> [BenchRow]
    /// The settings recorded with the figures in the JSON.
    func settings(_ options: BenchOptions) -> [String: Any]
    /// One run (`index` from 0): the figures by row key.
    func run(index: Int, options: BenchOptions) async throws -> ScenarioRun
    /// Lines under the table from the runs' breakdowns (use ``Report/line(_:unit:values:decimals:target:)``).
    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String]
}

extension BenchScenario {
    var defaultRuns: Int { 3 }
    func settings(_ options: BenchOptions) -> [String: Any] { [:] }
    func breakdown(_ runs: [ScenarioRun], options: BenchOptions) -> [String] { [] }
}

/// The scenarios `make bench` knows, in the order they run. One line per scenario.
enum Scenarios {
    static let all: [any BenchScenario] = [
        BlueGreenScenario(),
        AlertRuleScenario(),
        SecurityAuditScenario(),
        WorkflowScenario(),
        APIScenario(),
        MixedScenario(),
    ]
}

/// Prints a progress line at once (stdout is a pipe when the bench runs a scenario as a child).
func out(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
