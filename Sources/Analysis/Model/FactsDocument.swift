import Foundation
import KubeClient

/// The facts of a request as a JSON document, redacted as it is built.
///
/// Two renderings exist. The *prompt* rendering is what an LLM reads: numbers to four
/// significant digits, lists cut to a size a model can take. The *fingerprint* rendering
/// identifies the incident for the cache and the input hash: numbers to two significant
/// digits, counters (restarts, event counts) rounded down to a power of two, and words holding
/// digits in log lines and event messages blanked, so a restart counter going from 5 to 6
/// or a timestamp moving on is not a new incident (while 5 restarts becoming 40 is).
enum FactsDocument {
    enum Rendering: Sendable { case prompt, fingerprint }

    enum Caps {
        static let metricValues = 30
        static let pods = 20
        static let events = 30
        static let logTails = 10
        static let logLines = 40
        static let logLineLength = 400
        static let checks = 30
        static let text = 1000
    }

    static func render(_ request: AnalysisRequest, as rendering: Rendering, redacting session: inout RedactionSession) -> JSONValue {
        var renderer = Renderer(rendering: rendering, session: session)
        let document = renderer.document(for: request)
        session = renderer.session
        return document
    }

    /// The fingerprint rendering, redacted by a throwaway session.
    static func fingerprint(_ request: AnalysisRequest, redactor: Redactor) -> JSONValue {
        var session = redactor.session(sensitiveValues: request.sensitiveValues)
        return render(request, as: .fingerprint, redacting: &session)
    }

    private struct Renderer {
        let rendering: Rendering
        var session: RedactionSession

        mutating func document(for request: AnalysisRequest) -> JSONValue {
            let facts = request.facts
            var document: JSONValue = [
                "subject": [
                    "kind": .string(request.subject.kind),
                    "namespace": .string(request.subject.namespace),
                    "name": .string(request.subject.name),
                ],
                "question": .string(text(request.question)),
            ]
            document["metrics"] = .array(facts.metrics.map { metric($0) })
            document["pods"] = .array(facts.pods.prefix(Caps.pods).map { pod($0) })
            if facts.pods.count > Caps.pods { document["podsOmitted"] = count(facts.pods.count - Caps.pods) }
            // Warnings first: they are what an analysis needs when the list is cut.
            let events = facts.events.filter(\.isWarning) + facts.events.filter { !$0.isWarning }
            document["events"] = .array(events.prefix(Caps.events).map { event($0) })
            document["logs"] = .array(facts.logs.prefix(Caps.logTails).map { log($0) })
            document["checks"] = .array(facts.checks.prefix(Caps.checks).map { check($0) })
            return document
        }

        mutating func metric(_ sample: MetricSample) -> JSONValue {
            var object: JSONValue = [
                "name": .string(text(sample.name)),
                "query": .string(text(sample.query)),
                "kind": .string(sample.kind.rawValue),
                "values": .array(sample.values.suffix(Caps.metricValues).map(number)),
                "samplesWithoutData": count(sample.values.filter { !$0.isFinite }.count),
            ]
            if let pod = sample.pod { object["pod"] = .string(pod) }
            if let latest = sample.latest { object["latest"] = number(latest) }
            if let threshold = sample.threshold {
                var bounds: JSONValue = .emptyObject
                if let max = threshold.max { bounds["max"] = number(max) }
                if let min = threshold.min { bounds["min"] = number(min) }
                object["threshold"] = bounds
            }
            if let limit = sample.limit { object["limit"] = number(limit) }
            return object
        }

        mutating func pod(_ pod: PodFact) -> JSONValue {
            var object: JSONValue = [
                "name": .string(pod.name),
                "phase": .string(pod.phase.rawValue),
                "ready": .bool(pod.ready),
                "restarts": count(pod.restarts),
            ]
            if let reason = pod.pendingReason { object["pendingReason"] = .string(text(reason)) }
            if let message = pod.pendingMessage { object["pendingMessage"] = .string(text(message)) }
            object["containers"] = .array(pod.containers.map { container($0) })
            return object
        }

        mutating func container(_ container: ContainerFact) -> JSONValue {
            var object: JSONValue = [
                "name": .string(container.name),
                "image": .string(text(container.image)),
                "ready": .bool(container.ready),
                "restartCount": count(container.restartCount),
            ]
            switch container.state {
            case .running:
                object["state"] = ["state": "running"]
            case .waiting(let reason, let message):
                var state: JSONValue = ["state": "waiting", "reason": .string(reason)]
                if let message { state["message"] = .string(text(message)) }
                object["state"] = state
            case .terminated(let termination):
                var state = self.termination(termination)
                state["state"] = "terminated"
                object["state"] = state
            }
            if let last = container.lastTermination { object["lastTermination"] = termination(last) }
            var limits: JSONValue = .emptyObject
            // In Kubernetes notation, as the manifest has them (`500m`, `256Mi`), when known.
            if let cpu = container.limits.cpu { limits["cpu"] = .string(cpu) } else if let cpu = container.limits.cpuCores { limits["cpuCores"] = number(cpu) }
            if let memory = container.limits.memory { limits["memory"] = .string(memory) } else if let memory = container.limits.memoryBytes { limits["memoryBytes"] = number(memory) }
            if limits != .emptyObject { object["limits"] = limits }
            if !container.environment.isEmpty {
                let redacted = session.redact(environment: container.environment)
                object["env"] = .object(redacted.mapValues { .string(text($0, redact: false)) })
            }
            return object
        }

        mutating func termination(_ termination: ContainerTermination) -> JSONValue {
            var object: JSONValue = ["reason": .string(termination.reason), "exitCode": .int(Int64(termination.exitCode))]
            if let message = termination.message { object["message"] = .string(text(message)) }
            return object
        }

        mutating func event(_ event: EventFact) -> JSONValue {
            [
                "type": .string(event.type),
                "reason": .string(event.reason),
                "message": .string(blankDigits(text(event.message))),
                "object": .string(event.object),
                "count": count(event.count),
            ]
        }

        mutating func log(_ tail: LogTail) -> JSONValue {
            let lines = session.redact(lines: Array(tail.lines.suffix(Caps.logLines)))
                .map { blankDigits(String($0.prefix(Caps.logLineLength))) }
            return [
                "pod": .string(tail.pod),
                "container": .string(tail.container),
                "previous": .bool(tail.previous),
                "lines": .array(lines.map(JSONValue.string)),
            ]
        }

        mutating func check(_ check: CheckResult) -> JSONValue {
            [
                "name": .string(text(check.name)),
                "outcome": .string(check.outcome.rawValue),
                "detail": .string(text(check.detail)),
                "severity": .string(check.severity.rawValue),
            ]
        }

        // MARK: values

        mutating func text(_ value: String, redact: Bool = true) -> String {
            let clipped = value.count > Caps.text ? String(value.prefix(Caps.text)) + "…" : value
            return redact ? session.redact(clipped) : clipped
        }

        func number(_ value: Double) -> JSONValue {
            guard value.isFinite else { return .string(value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf")) }
            return .double(Self.round(value, significantDigits: rendering == .prompt ? 4 : 2))
        }

        func count(_ value: Int) -> JSONValue {
            guard rendering == .fingerprint, value > 1 else { return .int(Int64(value)) }
            // Rounded down to a power of two: 2, 4, 8, 16…
            return .int(Int64(1) << Int64(Int.bitWidth - 1 - value.leadingZeroBitCount))
        }

        /// In the fingerprint, every word holding a digit (a timestamp, a count, an address,
        /// a request ID) becomes `0`: `pc=0x4a2b1c` and `pc=0x4a2b9f` are the same line.
        func blankDigits(_ value: String) -> String {
            guard rendering == .fingerprint else { return value }
            var result = ""
            var word = ""
            func flush() {
                if word.contains(where: \.isNumber) { result.append("0") } else { result += word }
                word = ""
            }
            for character in value {
                if character.isLetter || character.isNumber {
                    word.append(character)
                } else {
                    flush()
                    result.append(character)
                }
            }
            flush()
            return result
        }

        static func round(_ value: Double, significantDigits: Int) -> Double {
            guard value != 0 else { return 0 }
            // Through decimal text, so 268435456 becomes 268400000 and not 268399999.99999997.
            return Double(String(format: "%.\(max(1, significantDigits))g", value)) ?? value
        }
    }
}
