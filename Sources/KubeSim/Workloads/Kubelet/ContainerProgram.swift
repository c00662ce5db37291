import Foundation
import KubeClient

/// What a container's `command` and `args` do, where the simulator can tell: `sleep N` runs
/// N seconds, `sleep infinity` and `tail -f` run until stopped, `exit N`, `true` and
/// `false` end at once with their code, and `echo`/`printf`/`date`/`env` print and end. A
/// shell script (`sh -c "…"`, `bash -c "…"`) is read step by step (`;`, `&&`, newlines):
/// its sleeps add up and its last step decides the exit code; `while true` / `until false`
/// loops run forever.
///
/// Anything else (an image's own entrypoint, `nginx`, `python app.py`) is a long-running
/// server under `restartPolicy: Always`, and under `Never`/`OnFailure` runs the
/// `sim.opsagent.dev/run-seconds` annotation's time (default 2 s), as before.
struct ContainerProgram: Sendable, Equatable {
    enum Ending: Sendable, Equatable {
        /// Ends by itself after `seconds` (simulated) with `code`.
        case exits(after: Double, code: Int)
        /// Runs until it is stopped.
        case runsForever
        /// Not understood: the container's behaviour decides.
        case unknown
    }

    var ending: Ending
    /// A shell or `sleep` as PID 1 has no SIGTERM handler: on deletion it runs on until the
    /// grace period ends and it is killed (exit 137). Servers stop at once (exit 0).
    var ignoresTermSignal: Bool

    static let unknown = ContainerProgram(ending: .unknown, ignoresTermSignal: false)

    init(ending: Ending, ignoresTermSignal: Bool) {
        self.ending = ending
        self.ignoresTermSignal = ignoresTermSignal
    }

    init(container: JSONValue) {
        let argv = ((container["command"].arrayValue ?? []) + (container["args"].arrayValue ?? [])).compactMap(\.stringValue)
        self = Self.parse(argv)
    }

    static let shells: Set<String> = ["sh", "bash", "ash", "dash", "zsh"]

    static func parse(_ argv: [String]) -> ContainerProgram {
        guard let first = argv.first else { return .unknown }
        let program = (first as NSString).lastPathComponent
        if shells.contains(program) {
            guard let flag = argv.firstIndex(where: { $0.hasPrefix("-") && $0.contains("c") }), flag + 1 < argv.count else {
                return .unknown
            }
            return ContainerProgram(ending: script(argv[flag + 1]), ignoresTermSignal: true)
        }
        let ending = step(argv)
        return ContainerProgram(ending: ending ?? .unknown, ignoresTermSignal: program == "sleep" || program == "tail")
    }

    /// A shell script: its steps in order; unknown steps make the whole unknown.
    static func script(_ text: String) -> Ending {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("while true") || trimmed.hasPrefix("while :") || trimmed.hasPrefix("until false")
            || trimmed.hasPrefix("while [ 1 ]") {
            return .runsForever
        }
        var seconds = 0.0
        var code = 0
        // Statements run in order; within `a && b`, a failing step ends the statement.
        for statement in trimmed.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            for part in statement.components(separatedBy: "&&") {
                let words = part.split(separator: " ").map(String.init)
                guard !words.isEmpty else { continue }
                if words[0] == "exit" {
                    return .exits(after: seconds, code: words.count > 1 ? Int(words[1]) ?? 2 : code)
                }
                guard let ending = step(words) else { return .unknown }
                guard case .exits(let after, let exitCode) = ending else { return ending }
                seconds += after
                code = exitCode
                if exitCode != 0 { break }
            }
        }
        return .exits(after: seconds, code: code)
    }

    /// One command with its arguments (nil: not understood).
    static func step(_ words: [String]) -> Ending? {
        guard let first = words.first else { return nil }
        switch (first as NSString).lastPathComponent {
        case "sleep":
            guard words.count > 1 else { return .exits(after: 0, code: 1) }
            if words[1] == "infinity" || words[1] == "inf" { return .runsForever }
            guard let seconds = duration(words[1]) else { return nil }
            return .exits(after: seconds, code: 0)
        case "true", ":": return .exits(after: 0, code: 0)
        case "false": return .exits(after: 0, code: 1)
        case "echo", "printf", "date", "env", "printenv", "hostname", "uname", "whoami", "id", "pwd":
            return .exits(after: 0, code: 0)
        case "tail":
            return words.contains("-f") || words.contains("-F") ? .runsForever : nil
        default:
            return nil
        }
    }

    /// `sleep`'s operand: seconds, or a number with s, m, h or d.
    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = text.last, let unit = units[last], let value = Double(text.dropLast()) { return value * unit }
        return Double(text)
    }
}
