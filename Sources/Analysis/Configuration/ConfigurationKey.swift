import Foundation
import KubeClient

/// One setting of ``AnalysisConfiguration``: its name, its environment variable, and how
/// its value is read.
struct ConfigurationKey: Sendable {
    let name: String
    let apply: @Sendable (JSONValue, inout AnalysisConfiguration) throws(AnalysisConfigurationError) -> Void

    var environmentName: String {
        var result = "OPSAGENT_ANALYSIS_"
        for character in name {
            if character == "." { result.append("_") }
            else if character.isUppercase { result.append("_"); result.append(character) }
            else { result.append(contentsOf: character.uppercased()) }
        }
        return result
    }

    static func named(_ name: String) -> ConfigurationKey? { byName[name] }

    static func fold(_ key: String) -> String {
        key.lowercased().filter { $0 != "-" && $0 != "_" }
    }

    /// The known key closest to a misspelt one, if any is close.
    static func nearest(to key: String) -> String? {
        let folded = fold(key)
        let scored = all.map { ($0.name, EditDistance.between(fold($0.name), folded)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= max(2, folded.count / 4) else { return nil }
        return name
    }

    private static let byName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static let all: [ConfigurationKey] = [
        ConfigurationKey(name: "provider") { value, c throws(AnalysisConfigurationError) in
            let text = try string(value, "provider").lowercased()
            guard let kind = AnalysisConfiguration.ProviderKind(rawValue: text) else {
                throw .invalidValue(key: "provider", value: text,
                                    expected: AnalysisConfiguration.ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            c.provider = kind
        },
        ConfigurationKey(name: "model") { value, c throws(AnalysisConfigurationError) in c.model = try string(value, "model") },
        ConfigurationKey(name: "baseURL") { value, c throws(AnalysisConfigurationError) in
            let text = try string(value, "baseURL")
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw .invalidValue(key: "baseURL", value: text, expected: "an http or https URL")
            }
            c.baseURL = text
        },
        ConfigurationKey(name: "azure.deployment") { value, c throws(AnalysisConfigurationError) in c.azureDeployment = try string(value, "azure.deployment") },
        ConfigurationKey(name: "azure.apiVersion") { value, c throws(AnalysisConfigurationError) in c.azureAPIVersion = try string(value, "azure.apiVersion") },
        ConfigurationKey(name: "apiKeySecret") { value, c throws(AnalysisConfigurationError) in
            let text = try string(value, "apiKeySecret")
            let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
                throw .invalidValue(key: "apiKeySecret", value: text, expected: "secret-name or secret-name/key")
            }
            c.apiKeySecret = .init(name: parts[0], key: parts.count == 2 ? parts[1] : "api-key")
        },
        ConfigurationKey(name: "temperature") { value, c throws(AnalysisConfigurationError) in
            c.temperature = try number(value, "temperature", in: 0...2)
        },
        ConfigurationKey(name: "outputMode") { value, c throws(AnalysisConfigurationError) in
            let text = try string(value, "outputMode")
            guard let mode = OpenAIChatProvider.OutputMode(rawValue: text) else {
                throw .invalidValue(key: "outputMode", value: text, expected: "json_schema or json_object")
            }
            c.outputMode = mode
        },
        ConfigurationKey(name: "timeout") { value, c throws(AnalysisConfigurationError) in c.settings.timeout = try duration(value, "timeout") },
        ConfigurationKey(name: "maxRetries") { value, c throws(AnalysisConfigurationError) in
            c.settings.retry.maxRetries = try integer(value, "maxRetries", in: 0...10)
        },
        ConfigurationKey(name: "maxOutputTokens") { value, c throws(AnalysisConfigurationError) in
            c.settings.maxOutputTokens = try integer(value, "maxOutputTokens", in: 64...32768)
        },
        ConfigurationKey(name: "guardrails") { value, c throws(AnalysisConfigurationError) in c.settings.guardrails = try boolean(value, "guardrails") },
        ConfigurationKey(name: "cache.ttl") { value, c throws(AnalysisConfigurationError) in c.settings.cacheTTL = try duration(value, "cache.ttl", allowZero: true) },
        ConfigurationKey(name: "cache.failureTTL") { value, c throws(AnalysisConfigurationError) in
            c.settings.failureCacheTTL = try duration(value, "cache.failureTTL", allowZero: true)
        },
        ConfigurationKey(name: "cache.capacity") { value, c throws(AnalysisConfigurationError) in
            c.cacheCapacity = try integer(value, "cache.capacity", in: 1...1_000_000)
        },
        ConfigurationKey(name: "budget.callsPerMinute") { value, c throws(AnalysisConfigurationError) in
            let limit = try integer(value, "budget.callsPerMinute", in: 0...100_000)
            c.callsPerMinute = limit == 0 ? nil : limit
        },
        ConfigurationKey(name: "budget.tokensPerHour") { value, c throws(AnalysisConfigurationError) in
            let limit = try integer(value, "budget.tokensPerHour", in: 0...1_000_000_000)
            c.tokensPerHour = limit == 0 ? nil : limit
        },
        ConfigurationKey(name: "thresholds.errorRate") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.errorRate = try number(value, "thresholds.errorRate", in: 0...1)
        },
        ConfigurationKey(name: "thresholds.cpuOfLimit") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.cpuOfLimit = try number(value, "thresholds.cpuOfLimit", in: 0...10)
        },
        ConfigurationKey(name: "thresholds.memoryOfLimit") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.memoryOfLimit = try number(value, "thresholds.memoryOfLimit", in: 0...10)
        },
        ConfigurationKey(name: "thresholds.restartWarning") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.restartWarning = try integer(value, "thresholds.restartWarning", in: 1...10_000)
        },
        ConfigurationKey(name: "thresholds.restartFailure") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.restartFailure = try integer(value, "thresholds.restartFailure", in: 1...10_000)
        },
        ConfigurationKey(name: "thresholds.minReadyFraction") { value, c throws(AnalysisConfigurationError) in
            c.thresholds.minReadyFraction = try number(value, "thresholds.minReadyFraction", in: 0...1)
        },
        ConfigurationKey(name: "redaction.patterns") { value, c throws(AnalysisConfigurationError) in
            c.redactionRules = try patterns(value)
        },
    ]

    // MARK: value readers

    private static func string(_ value: JSONValue, _ key: String) throws(AnalysisConfigurationError) -> String {
        switch value {
        case .string(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
        case .int, .double, .bool: return value.description
        default: throw .invalidValue(key: key, value: value.description, expected: "a string")
        }
    }

    private static func number(_ value: JSONValue, _ key: String, in range: ClosedRange<Double>) throws(AnalysisConfigurationError) -> Double {
        var number = value.doubleValue
        if number == nil { number = Double(try string(value, key)) }
        guard let number, range.contains(number) else {
            throw .invalidValue(key: key, value: value.stringValue ?? value.description, expected: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func integer(_ value: JSONValue, _ key: String, in range: ClosedRange<Int>) throws(AnalysisConfigurationError) -> Int {
        var number = value.intValue
        if number == nil { number = Int(try string(value, key)) }
        guard let number, range.contains(number) else {
            throw .invalidValue(key: key, value: value.stringValue ?? value.description, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func boolean(_ value: JSONValue, _ key: String) throws(AnalysisConfigurationError) -> Bool {
        if let bool = value.boolValue { return bool }
        switch try string(value, key).lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw .invalidValue(key: key, value: value.stringValue ?? value.description, expected: "true or false")
        }
    }

    private static func duration(_ value: JSONValue, _ key: String, allowZero: Bool = false) throws(AnalysisConfigurationError) -> Duration {
        let text = try string(value, key)
        guard let parsed = parseDuration(text), parsed > .zero || (allowZero && parsed == .zero) else {
            throw .invalidValue(key: key, value: text, expected: "a duration such as 30s, 2m, 1h30m or 500ms")
        }
        return parsed
    }

    /// Go-style durations (`1h30m`, `500ms`, `45s`); a bare number is seconds.
    static func parseDuration(_ text: String) -> Duration? {
        if let seconds = Double(text) { return seconds >= 0 ? .milliseconds(Int64(seconds * 1000)) : nil }
        var total = Duration.zero
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s": factor = 1
            case "m": factor = 60
            case "h": factor = 3600
            default: return false
            }
            total += .milliseconds(Int64((value * factor * 1000).rounded()))
            number = ""
            unit = ""
            return true
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard !number.isEmpty, flush() else { return nil }
        return total
    }

    private static func patterns(_ value: JSONValue) throws(AnalysisConfigurationError) -> [RedactionRule] {
        var list = value
        if case .string(let text) = value {
            do {
                list = try YAML.decode(text)
            } catch {
                throw .invalidValue(key: "redaction.patterns", value: text, expected: "a YAML or JSON list of {name, pattern, restore}")
            }
        }
        guard case .array(let items) = list else {
            throw .invalidValue(key: "redaction.patterns", value: value.description, expected: "a list of {name, pattern, restore}")
        }
        return try items.enumerated().map { index, item throws(AnalysisConfigurationError) in
            if let pattern = item.stringValue { return RedactionRule(name: "custom", pattern: pattern) }
            guard let pattern = item["pattern"].stringValue, !pattern.isEmpty else {
                throw .invalidValue(key: "redaction.patterns[\(index)]", value: item.description, expected: "a pattern string or {name, pattern, restore}")
            }
            let name = item["name"].stringValue ?? "custom"
            let restore = item["restore"].boolValue ?? true
            return RedactionRule(name: name, pattern: pattern, restoreInResult: restore)
        }
    }
}
