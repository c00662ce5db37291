import KubeClient

/// Secrets and identity: credentials written into pod specs, and the service account
/// (and its token) pods run with.
enum SecretsIdentityChecks {
    static let all: [AuditCheck] = [
        AuditCheck(
            id: "OPS-SEC-001", category: .secretsAndIdentity, severity: .high, title: "Credential in a literal env var",
            description: "A credential written into the pod spec is readable by anyone who can read the workload, and lands in Git, etcd backups and logs.",
            remediation: "Move the value to a Secret (or an external secret store) and reference it with valueFrom.secretKeyRef or a mounted volume; rotate the exposed credential.",
            kubescape: ["C-0012"],
            rule: .workload { w, _ in
                w.containers.flatMap { c in
                    (c.container.env ?? []).compactMap { variable -> Violation? in
                        guard let value = variable.value, !value.isEmpty,
                            let reason = SecretLiteralDetector.reason(name: variable.name, value: value)
                        else { return nil }
                        return Violation(
                            container: c.name,
                            "env var \(variable.name) holds a literal value that looks like a credential (\(reason)); the value is not shown")
                    }
                }
            }),
        AuditCheck(
            id: "OPS-SEC-002", category: .secretsAndIdentity, severity: .medium,
            title: "Service account token mounted automatically",
            description: "Every container gets an API token it may not need; a compromised container can then call the API server.",
            remediation: "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless the pod calls the API.",
            trivy: ["KSV-0036"], kubescape: ["C-0034", "C-0190"],
            rule: wholePod { w, context in
                let account = w.spec.serviceAccountName ?? "default"
                let fromAccount = context.rbac.serviceAccount(namespace: w.object.namespace, name: account)?
                    .automountServiceAccountToken
                let mounts = w.spec.automountServiceAccountToken ?? fromAccount ?? true
                return mounts ? "automountServiceAccountToken is not false on the pod or on ServiceAccount \(account)" : nil
            }),
        AuditCheck(
            id: "OPS-SEC-003", category: .secretsAndIdentity, severity: .low, title: "Default service account in use",
            description: "Pods of different applications sharing the default ServiceAccount share its permissions; access cannot be reviewed per application.",
            remediation: "Create a ServiceAccount per application and set spec.serviceAccountName.",
            kubescape: ["C-0189"],
            rule: wholePod { w, _ in
                let account = w.spec.serviceAccountName ?? ""
                return account.isEmpty || account == "default" ? "runs as the default ServiceAccount" : nil
            }),
        AuditCheck(
            id: "OPS-SEC-004", category: .secretsAndIdentity, severity: .low, title: "Secret exposed as env var",
            description: "Secrets in environment variables leak through crash dumps, child processes and debug endpoints; files can be rotated in place.",
            remediation: "Mount the Secret as a volume and read it from the file.",
            kubescape: ["C-0207"],
            rule: .workload { w, _ in
                w.containers.flatMap { c -> [Violation] in
                    var found = (c.container.env ?? []).filter { !($0.valueFrom?["secretKeyRef"].isNull ?? true) }
                        .map { Violation(container: c.name, "env var \($0.name) is read from a Secret") }
                    for source in c.container.envFrom?.arrayValue ?? [] where !source["secretRef"].isNull {
                        found.append(Violation(
                            container: c.name, "envFrom loads Secret \(source["secretRef"]["name"].stringValue ?? "")"))
                    }
                    return found
                }
            }),
        AuditCheck(
            id: "OPS-SEC-005", category: .secretsAndIdentity, severity: .medium, title: "Service account does not exist",
            description: "The pod names a ServiceAccount that does not exist: its pods are rejected, or pick up whatever is created under that name later.",
            remediation: "Create the ServiceAccount or fix spec.serviceAccountName.",
            kubescape: ["C-0307"],
            rule: wholePod { w, context in
                guard context.rbac.knowsServiceAccounts, let account = w.spec.serviceAccountName, !account.isEmpty,
                    account != "default"
                else { return nil }
                return context.rbac.serviceAccount(namespace: w.object.namespace, name: account) == nil
                    ? "ServiceAccount \(account) does not exist in namespace \(w.object.namespace)" : nil
            }),
        AuditCheck(
            id: "OPS-SEC-006", category: .secretsAndIdentity, severity: .high, title: "Credential in container arguments",
            description: "A credential passed on the command line is readable in the pod spec and in the process list of the node.",
            remediation: "Pass the credential in a file mounted from a Secret (most tools take a --password-file style flag) and rotate it.",
            kubescape: ["C-0012"],
            rule: .workload { w, _ in
                w.containers.flatMap { c in
                    [("command", c.container.command ?? []), ("args", c.container.args ?? [])].flatMap { field, items in
                        items.enumerated().compactMap { index, item -> Violation? in
                            guard let reason = SecretLiteralDetector.reason(argument: item) else { return nil }
                            return Violation(
                                container: c.name,
                                "\(field)[\(index)] holds a literal value that looks like a credential (\(reason)); the value is not shown")
                        }
                    }
                }
            }),
    ]
}
