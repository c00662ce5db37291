import KubeClient

/// What a new cluster starts with: the system namespaces and the default RBAC roles and
/// bindings kube-apiserver's bootstrap policy creates (cluster-admin for `system:masters`,
/// discovery and self-reviews for every authenticated user, and admin/edit/view).
enum Bootstrap {
    static func populate(_ registry: Registry) throws {
        let catalog = registry.catalog
        func ensure(_ resource: GroupResource, namespace: String = "", _ object: JSONValue) throws {
            guard let type = catalog.type(resource), let name = object["metadata"]["name"].stringValue else { return }
            if registry.store.get(resource, ObjectKey(namespace: type.namespaced ? namespace : "", name: name)) != nil { return }
            var labeled = object
            if resource.group == "rbac.authorization.k8s.io" {
                labeled[path: ["metadata", "labels", "kubernetes.io/bootstrapping"]] = "rbac-defaults"
                labeled[path: ["metadata", "annotations", "rbac.authorization.kubernetes.io/autoupdate"]] = "true"
            }
            _ = try registry.create(type, namespace: namespace, object: labeled)
        }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            try ensure(Registry.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        }
        let clusterRoles = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterroles")
        let clusterRoleBindings = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterrolebindings")
        func role(_ name: String, _ rules: [JSONValue]) -> JSONValue {
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": .string(name)],
             "rules": .array(rules)]
        }
        func binding(_ name: String, role: String, group: String) -> JSONValue {
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": .string(name)],
             "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
             "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string(group)]]]
        }
        let readVerbs: JSONValue = ["get", "list", "watch"]
        let writeVerbs: JSONValue = ["create", "delete", "deletecollection", "patch", "update"]
        let workloads: JSONValue = ["pods", "pods/log", "pods/status", "services", "endpoints", "configmaps", "secrets",
                                    "serviceaccounts", "persistentvolumeclaims", "replicationcontrollers", "events",
                                    "deployments", "deployments/scale", "deployments/status", "replicasets",
                                    "replicasets/scale", "statefulsets", "statefulsets/scale", "daemonsets", "jobs",
                                    "cronjobs", "horizontalpodautoscalers", "ingresses", "networkpolicies",
                                    "poddisruptionbudgets", "leases", "endpointslices", "limitranges", "resourcequotas"]
        let workloadGroups: JSONValue = ["", "apps", "batch", "autoscaling", "networking.k8s.io", "policy",
                                         "coordination.k8s.io", "discovery.k8s.io"]
        try ensure(clusterRoles, role("cluster-admin", [
            ["apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]], ["nonResourceURLs": ["*"], "verbs": ["*"]],
        ]))
        try ensure(clusterRoles, role("system:discovery", [
            ["nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                                 "/readyz", "/version", "/version/"], "verbs": ["get"]],
        ]))
        try ensure(clusterRoles, role("system:basic-user", [
            ["apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
             "verbs": ["create"]],
            ["apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]],
        ]))
        try ensure(clusterRoles, role("system:public-info-viewer", [
            ["nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]],
        ]))
        try ensure(clusterRoles, role("view", [["apiGroups": workloadGroups, "resources": workloads, "verbs": readVerbs]]))
        try ensure(clusterRoles, role("edit", [
            ["apiGroups": workloadGroups, "resources": workloads, "verbs": .array(readVerbs.arrayValue! + writeVerbs.arrayValue!)],
        ]))
        try ensure(clusterRoles, role("admin", [
            ["apiGroups": workloadGroups, "resources": workloads, "verbs": .array(readVerbs.arrayValue! + writeVerbs.arrayValue!)],
            ["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
             "verbs": .array(readVerbs.arrayValue! + writeVerbs.arrayValue!)],
            ["apiGroups": ["authorization.k8s.io"], "resources": ["localsubjectaccessreviews"], "verbs": ["create"]],
        ]))
        try ensure(clusterRoleBindings, binding("cluster-admin", role: "cluster-admin", group: UserInfo.mastersGroup))
        try ensure(clusterRoleBindings, binding("system:discovery", role: "system:discovery", group: UserInfo.authenticatedGroup))
        try ensure(clusterRoleBindings, binding("system:basic-user", role: "system:basic-user", group: UserInfo.authenticatedGroup))
        try ensure(clusterRoleBindings, binding("system:public-info-viewer", role: "system:public-info-viewer",
                                                group: UserInfo.authenticatedGroup))
        try registerAPIServices(registry)
    }

    /// kube-apiserver's group priorities (`controlplane/apiserver` defaults), for the local APIServices.
    static let groupPriorities: [String: Int] = [
        "": 18000, "apps": 17800, "events.k8s.io": 17750, "authentication.k8s.io": 17700,
        "authorization.k8s.io": 17600, "autoscaling": 17500, "batch": 17400, "certificates.k8s.io": 17300,
        "networking.k8s.io": 17200, "policy": 17100, "rbac.authorization.k8s.io": 17000, "storage.k8s.io": 16800,
        "admissionregistration.k8s.io": 16700, "scheduling.k8s.io": 16600, "coordination.k8s.io": 16500,
        "apiextensions.k8s.io": 16400, "discovery.k8s.io": 16200, "flowcontrol.apiserver.k8s.io": 16100,
        "node.k8s.io": 15300, "apiregistration.k8s.io": 18000,
    ]

    /// One Local APIService per built-in group version (`v1.`, `v1.apps`, …), Available, as
    /// kube-aggregator registers them on start; `kubectl get apiservices` lists them.
    static func registerAPIServices(_ registry: Registry) throws {
        let resource = GroupResource(group: "apiregistration.k8s.io", resource: "apiservices")
        guard let type = registry.catalog.type(resource) else { return }
        var versions: [(group: String, version: String)] = []
        for builtin in BuiltinResources.all {
            for version in builtin.versions where !versions.contains(where: { $0 == (builtin.group, version) }) {
                versions.append((builtin.group, version))
            }
        }
        for (group, version) in versions {
            let name = group.isEmpty ? "\(version)." : "\(version).\(group)"
            if registry.store.get(resource, ObjectKey(namespace: "", name: name)) != nil { continue }
            let object: JSONValue = [
                "apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                "metadata": ["name": .string(name), "labels": ["kube-aggregator.kubernetes.io/automanaged": "onstart"]],
                "spec": ["group": .string(group), "version": .string(version),
                         "groupPriorityMinimum": .int(Int64(groupPriorities[group] ?? 15000)), "versionPriority": 15],
            ]
            let created = try registry.create(type, namespace: "", object: object).object.object
            var available = created
            available["status"] = ["conditions": [[
                "type": "Available", "status": "True", "reason": "Local",
                "message": "Local APIServices are always available",
                "lastTransitionTime": created["metadata"]["creationTimestamp"],
            ]]]
            _ = try registry.update(type, namespace: "", name: name, object: available, subresource: "status")
        }
    }
}
