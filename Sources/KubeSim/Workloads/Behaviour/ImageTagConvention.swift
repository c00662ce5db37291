/// Behaviour chosen by an image tag, so a demo can roll out a bad version by changing only
/// the image. The tag (after the last `:` of the image, before any `@digest`) is split on
/// `-`, `_` and `.`; each part that matches one of these words sets a behaviour:
///
/// | tag part | behaviour | example |
/// |---|---|---|
/// | `crash` or `crashloop` | crashes (CrashLoopBackOff) | `shop:2.0-crash` |
/// | `notready` | never Ready | `shop:v3-notready` |
/// | `pullfail` or `badimage` | image pull fails (ImagePullBackOff) | `shop:v4-pullfail` |
/// | `oom` | OOMKilled | `shop:v5-oom` |
/// | `errors<N>` | N % of requests fail | `shop:v2-errors50` (50 %) |
/// | `slow<N>` | N seconds to Ready | `shop:v2-slow30` |
/// | `latency<N>` | N ms mean latency | `shop:v2-latency300` |
///
/// A pod-template annotation (``BehaviourAnnotation``) overrides what the tag says.
public enum ImageTagConvention {
    /// The tag of an image reference: `nginx:1.27-errors10` → `1.27-errors10`; nil without one.
    public static func tag(of image: String) -> String? {
        var reference = Substring(image)
        if let at = reference.firstIndex(of: "@") { reference = reference[..<at] }
        // A colon before the last slash belongs to a registry port, not a tag.
        let lastSlash = reference.lastIndex(of: "/")
        guard let colon = reference.lastIndex(of: ":") else { return nil }
        if let lastSlash, colon < lastSlash { return nil }
        let tag = reference[reference.index(after: colon)...]
        return tag.isEmpty ? nil : String(tag)
    }

    static func apply(image: String, to behaviour: inout Behaviour) {
        guard let tag = tag(of: image) else { return }
        for part in tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }) {
            switch part {
            case "crash", "crashloop": behaviour.crashes = true
            case "notready": behaviour.becomesReady = false
            case "pullfail", "badimage": behaviour.imagePullFails = true
            case "oom": behaviour.oomKilled = true
            default:
                if let n = number(part, after: "errors"), n <= 100 { behaviour.errorRate = n / 100 }
                else if let n = number(part, after: "slow") { behaviour.startupSeconds = n }
                else if let n = number(part, after: "latency") { behaviour.latencyMilliseconds = n }
            }
        }
    }

    private static func number(_ part: Substring, after prefix: String) -> Double? {
        guard part.hasPrefix(prefix) else { return nil }
        let digits = part.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        return Double(digits)
    }
}
