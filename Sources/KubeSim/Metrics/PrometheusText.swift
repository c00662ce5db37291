/// Writes the Prometheus text exposition format (0.0.4): per family `# HELP`, `# TYPE`,
/// then its series, label values escaped. Samples may be added in any order; each
/// family's lines come out together, as the format requires.
struct PrometheusText {
    private var order: [String] = []
    private var families: [String: [UInt8]] = [:]

    /// Declares a family (once; later declarations are ignored).
    mutating func family(_ name: String, _ type: String, _ help: String) {
        guard families[name] == nil else { return }
        order.append(name)
        families[name] = Array("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    /// Adds a sample to `family` (by default the family named like the sample; histogram
    /// `_bucket`, `_sum` and `_count` samples name their family explicitly).
    /// A `timestampMilliseconds` says when the value was measured, as cAdvisor stamps its
    /// samples, so `rate()` is exact however late the scrape is served.
    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double, family: String? = nil,
                         timestampMilliseconds: Int64? = nil) {
        let key = family ?? name
        if families[key] == nil {
            order.append(key)
            families[key] = []
        }
        var line = name
        if !labels.isEmpty {
            line += "{"
            for (i, (label, raw)) in labels.enumerated() {
                if i > 0 { line += "," }
                line += label + "=\"" + Self.escape(raw) + "\""
            }
            line += "}"
        }
        line += " " + Self.format(value)
        if let timestampMilliseconds { line += " " + String(timestampMilliseconds) }
        line += "\n"
        families[key]!.append(contentsOf: line.utf8)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(families.values.reduce(0) { $0 + $1.count })
        for name in order { out.append(contentsOf: families[name] ?? []) }
        return out
    }

    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
