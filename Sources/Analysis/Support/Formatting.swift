import Foundation

/// Numbers as people read them in summaries and evidence.
enum Format {
    /// `12.5%`.
    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "NaN" }
        return decimal(fraction * 100) + "%"
    }

    /// Up to three significant decimals, no trailing zeros: `0.0123`, `12.5`, `340`.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let digits = max(0, 2 - Int(floor(log10(abs(value)))))
        var text = String(format: "%.\(min(digits, 6))f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Bytes in Kubernetes binary units: `256Mi`, `1.5Gi`.
    static func bytes(_ value: Double) -> String {
        let units = ["", "Ki", "Mi", "Gi", "Ti", "Pi"]
        var amount = value
        var unit = 0
        while abs(amount) >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return decimal(amount) + units[unit]
    }

    /// Cores as Kubernetes writes them: `500m`, `2`.
    static func cores(_ value: Double) -> String {
        if value < 1 { return decimal(value * 1000) + "m" }
        return decimal(value)
    }
}
