/// Writes the Prometheus text exposition format (0.0.4): `# HELP`, `# TYPE`, then one
/// line per series, label values escaped.
struct PrometheusText {
    private(set) var bytes: [UInt8] = []
    private var declared = Set<String>()

    init(capacity: Int = 64 * 1024) { bytes.reserveCapacity(capacity) }

    mutating func family(_ name: String, _ type: String, _ help: String) {
        guard declared.insert(name).inserted else { return }
        append("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        sample(name, Array(labels), value)
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        append(name)
        if !labels.isEmpty {
            append("{")
            for (i, (key, raw)) in labels.enumerated() {
                if i > 0 { append(",") }
                append(key)
                append("=\"")
                append(Self.escape(raw))
                append("\"")
            }
            append("}")
        }
        append(" ")
        append(Self.format(value))
        append("\n")
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

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
