import Analysis
import KubeClient

/// Hides secrets in what a tool returns, with the Analysis layer's redactor: the known
/// Secret values of the namespaces the call read (and their base64 and derived forms),
/// the redactor's credential detectors, and the values of environment variables (any
/// `{name, value}` pair) whose names look secret.
struct OutputRedaction {
    var session: RedactionSession
    let redactor: Redactor
    /// Strings already redacted in this answer (lists repeat namespaces, nodes, phases): the
    /// session gives a string the same placeholders every time, so the result is reused.
    private var redacted: [String: String] = [:]

    init(redactor: Redactor, sensitiveValues: Set<String>) {
        self.redactor = redactor
        self.session = redactor.session(sensitiveValues: sensitiveValues)
    }

    mutating func redact(_ output: ToolOutput) -> ToolOutput {
        ToolOutput(structured: redact(output.structured), text: session.redact(output.text))
    }

    mutating func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            if let known = redacted[text] { return .string(known) }
            let result = session.redact(text)
            redacted[text] = result
            return .string(result)
        case .array(let items):
            return .array(items.map { redact($0) })
        case .object(var fields):
            if let name = fields["name"]?.stringValue, let secret = fields["value"]?.stringValue, !secret.isEmpty,
               redactor.isSecretName(name) {
                // An env var such as DB_PASSWORD: hidden whole, as the analysis step hides it.
                fields["value"] = .string(session.redact(environment: [name: secret])[name] ?? "[REDACTED]")
                for (key, field) in fields where key != "value" { fields[key] = redact(field) }
                return .object(fields)
            }
            // `continue` is the API server's opaque paging token: base64 that the blob detector
            // would take for a secret, and that must come back intact to read the next page.
            for (key, field) in fields where key != "continue" { fields[key] = redact(field) }
            return .object(fields)
        default:
            return value
        }
    }
}
