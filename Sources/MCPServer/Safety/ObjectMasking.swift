import KubeClient

/// What every object loses before a tool shows it: `managedFields` (noise), and for kinds
/// whose data the policy hides (Secrets by default) the values under `data` and
/// `stringData` — keys stay, each value becomes `[hidden: N bytes]` — and the
/// `last-applied-configuration` annotation that would repeat them.
enum ObjectMasking {
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    static func mask(_ object: JSONValue, hidingData: Bool) -> JSONValue {
        guard case .object(var fields) = object else { return object }
        if case .object(var metadata)? = fields["metadata"] {
            metadata["managedFields"] = nil
            if hidingData, case .object(var annotations)? = metadata["annotations"] {
                annotations[lastApplied] = nil
                metadata["annotations"] = .object(annotations)
            }
            fields["metadata"] = .object(metadata)
        }
        if hidingData {
            for key in ["data", "stringData", "binaryData"] {
                guard case .object(let values)? = fields[key] else { continue }
                fields[key] = .object(values.mapValues { value in
                    .string("[hidden: \(value.stringValue.map(hiddenSize) ?? 0) bytes]")
                })
            }
        }
        return .object(fields)
    }

    /// The decoded size of a base64 value (or the length of a plain one).
    private static func hiddenSize(_ text: String) -> Int {
        let padding = text.reversed().prefix { $0 == "=" }.count
        return text.count % 4 == 0 ? text.count / 4 * 3 - padding : text.utf8.count
    }
}
