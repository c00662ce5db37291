import KubeClient

/// The update validation of `pkg/apis/*/validation` for fields that may not change once set,
/// with kube-apiserver's texts: a Service's clusterIPs, a Job's selector and template, an
/// immutable ConfigMap's or Secret's data, the selector of apps/v1 workloads, a PVC's spec
/// but its resources, a Pod's spec but the fields a running pod can take.
///
/// Values kube prints with Go's `%#v` are rendered alike where they are short (label
/// selectors, string slices); whole pod specs and templates are named, not printed.
enum ImmutableFields {
    static func check(_ new: JSONValue, old: JSONValue, type: ResourceType, name: String) throws(APIError) {
        var causes: [APIError.Cause] = []
        switch (type.group, type.kind) {
        case ("", "ConfigMap"):
            causes = frozenData(new, old: old, fields: ["data", "binaryData"])
        case ("", "Secret"):
            causes = frozenData(new, old: old, fields: ["data"])
            if new["type"] != old["type"] {
                causes.append(invalid("type", goString(new["type"]), "field is immutable"))
            }
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"):
            if new["spec"]["selector"] != old["spec"]["selector"] {
                causes.append(invalid("spec.selector", labelSelector(new["spec"]["selector"]), "field is immutable"))
            }
        case ("batch", "Job"):
            if new["spec"]["selector"] != old["spec"]["selector"] {
                causes.append(invalid("spec.selector", labelSelector(new["spec"]["selector"]), "field is immutable"))
            }
            if new["spec"]["template"] != old["spec"]["template"] {
                causes.append(invalid("spec.template", "core.PodTemplateSpec{...}", "field is immutable"))
            }
        case ("", "PersistentVolumeClaim"):
            var newSpec = new["spec"], oldSpec = old["spec"]
            newSpec["resources"] = .null
            oldSpec["resources"] = .null
            newSpec["volumeAttributesClassName"] = .null
            oldSpec["volumeAttributesClassName"] = .null
            if newSpec != oldSpec {
                causes.append(.init(type: "FieldValueForbidden",
                                    message: "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n"
                                        + diff("core.PersistentVolumeClaimSpec", oldSpec, newSpec),
                                    field: "spec"))
            }
        case ("", "Pod"):
            causes = podSpec(new["spec"], old: old["spec"])
        case ("", "Service"):
            causes = serviceClusterIPs(new["spec"], old: old["spec"])
        default:
            return
        }
        if !causes.isEmpty { throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: causes) }
    }

    // MARK: kinds

    /// `ValidateConfigMapUpdate` / `ValidateSecretUpdate`.
    static func frozenData(_ new: JSONValue, old: JSONValue, fields: [String]) -> [APIError.Cause] {
        guard old["immutable"].boolValue == true else { return [] }
        var causes: [APIError.Cause] = []
        let message = "Forbidden: field is immutable when `immutable` is set"
        if new["immutable"].boolValue != true { causes.append(.init(type: "FieldValueForbidden", message: message, field: "immutable")) }
        for field in fields where normalizedMap(new[field]) != normalizedMap(old[field]) {
            causes.append(.init(type: "FieldValueForbidden", message: message, field: field))
        }
        return causes
    }

    /// Absent and `{}` count as equal (kube stores both as an empty protobuf map).
    private static func normalizedMap(_ value: JSONValue) -> JSONValue {
        if case .object(let members) = value, members.isEmpty { return .null }
        return value
    }

    /// `ValidatePodUpdate`: only images, activeDeadlineSeconds, added tolerations and a
    /// negative terminationGracePeriodSeconds set to 1 may change.
    static func podSpec(_ new: JSONValue, old: JSONValue) -> [APIError.Cause] {
        for field in ["containers", "initContainers"] {
            if (new[field].arrayValue ?? []).count != (old[field].arrayValue ?? []).count {
                return [.init(type: "FieldValueForbidden", message: "Forbidden: pod updates may not add or remove containers",
                              field: "spec.\(field)")]
            }
        }
        var masked = new
        for field in ["containers", "initContainers"] {
            guard var containers = masked[field].arrayValue, let oldContainers = old[field].arrayValue else { continue }
            for i in containers.indices { containers[i]["image"] = oldContainers[i]["image"] }
            masked[field] = .array(containers)
        }
        // activeDeadlineSeconds may be set or lowered, not unset or raised.
        if let newDeadline = new["activeDeadlineSeconds"].intValue {
            if let oldDeadline = old["activeDeadlineSeconds"].intValue, newDeadline > oldDeadline {
                return [invalid("spec.activeDeadlineSeconds", "\(newDeadline)",
                                "must be less than or equal to previous value")]
            }
            masked["activeDeadlineSeconds"] = old["activeDeadlineSeconds"]
        } else if !old["activeDeadlineSeconds"].isNull {
            return [invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value")]
        }
        let oldTolerations = old["tolerations"].arrayValue ?? []
        let newTolerations = new["tolerations"].arrayValue ?? []
        if oldTolerations.allSatisfy({ toleration in newTolerations.contains(toleration) }) {
            masked["tolerations"] = old["tolerations"]
        }
        // The binding subresource sets nodeName once; the simulated scheduler binds by an update.
        if (old["nodeName"].stringValue ?? "").isEmpty { masked["nodeName"] = old["nodeName"] }
        if let grace = old["terminationGracePeriodSeconds"].intValue, grace < 0, new["terminationGracePeriodSeconds"].intValue == 1 {
            masked["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"]
        }
        if masked == old { return [] }
        let message = "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
            + diff("core.PodSpec", old, masked)
        return [.init(type: "FieldValueForbidden", message: message, field: "spec")]
    }

    /// The Service REST update's `normalizeClusterIPs` has already run (in defaulting); this
    /// is `validateUpgradeDowngradeClusterIPs`.
    static func serviceClusterIPs(_ new: JSONValue, old: JSONValue) -> [APIError.Cause] {
        if new["type"] == "ExternalName" || old["type"] == "ExternalName" { return [] }
        let oldIPs = (old["clusterIPs"].arrayValue ?? []).compactMap(\.stringValue)
        let newIPs = (new["clusterIPs"].arrayValue ?? []).compactMap(\.stringValue)
        let headless = { (ips: [String]) in ips.first == "None" }
        if headless(oldIPs) && headless(newIPs) { return [] }
        let shown = "[]string{" + newIPs.map { goQuote($0) }.joined(separator: ", ") + "}"
        if oldIPs.count == newIPs.count {
            return oldIPs.indices.filter { oldIPs[$0] != newIPs[$0] }
                .map { invalid("spec.clusterIPs[\($0)]", shown, "may not change once set") }
        }
        if oldIPs.count > newIPs.count {
            if newIPs.isEmpty { return [invalid("spec.clusterIPs[0]", shown, "primary clusterIP can not be unset")] }
            if newIPs[0] != oldIPs[0] { return [invalid("spec.clusterIPs[0]", shown, "may not change once set")] }
            return []
        }
        if !oldIPs.isEmpty, newIPs[0] != oldIPs[0] { return [invalid("spec.clusterIPs[0]", shown, "may not change once set")] }
        return []
    }

    // MARK: rendering

    static func invalid(_ field: String, _ shown: String, _ detail: String) -> APIError.Cause {
        .init(type: "FieldValueInvalid", message: "Invalid value: \(shown): \(detail)", field: field)
    }

    /// Go's `strconv.Quote` for the ASCII texts at hand (JSON's quoting agrees on them).
    static func goQuote(_ text: String) -> String { JSONValue.string(text).serialized() }

    static func goString(_ value: JSONValue) -> String { value.stringValue.map(goQuote) ?? "\"\"" }

    /// `%#v` of a `metav1.LabelSelector`, as `ValidateImmutableField` prints it.
    static func labelSelector(_ selector: JSONValue) -> String {
        if selector.isNull { return "null" }
        let labels = selector["matchLabels"].objectValue ?? [:]
        let matchLabels = selector["matchLabels"].isNull
            ? "map[string]string(nil)"
            : "map[string]string{" + labels.keys.sorted().map { "\(goQuote($0)):\(goString(labels[$0]!))" }.joined(separator: ", ") + "}"
        let expressions = selector["matchExpressions"].arrayValue
        let matchExpressions = expressions.map { list in
            "[]v1.LabelSelectorRequirement{" + list.map { requirement in
                let values = requirement["values"].arrayValue.map { "[]string{" + $0.map(goString).joined(separator: ", ") + "}" }
                    ?? "[]string(nil)"
                return "v1.LabelSelectorRequirement{Key:\(goString(requirement["key"])), Operator:\(goString(requirement["operator"])), Values:\(values)}"
            }.joined(separator: ", ") + "}"
        } ?? "[]v1.LabelSelectorRequirement(nil)"
        return "v1.LabelSelector{MatchLabels:\(matchLabels), MatchExpressions:\(matchExpressions)}"
    }

    /// A short stand-in for the `cmp.Diff` kube appends: the changed top-level fields, old then new.
    static func diff(_ typeName: String, _ old: JSONValue, _ new: JSONValue) -> String {
        let oldFields = old.objectValue ?? [:], newFields = new.objectValue ?? [:]
        let keys = Set(oldFields.keys).union(newFields.keys).sorted()
        var lines = ["  \(typeName){"]
        var same = 0
        for key in keys {
            let before = oldFields[key] ?? .null, after = newFields[key] ?? .null
            if before == after { same += 1; continue }
            if !before.isNull { lines.append("- \t\(key): \(before.serialized()),") }
            if !after.isNull { lines.append("+ \t\(key): \(after.serialized()),") }
        }
        if same > 0 { lines.append("  \t... // \(same) identical fields") }
        lines.append("  }")
        return lines.joined(separator: "\n")
    }
}
