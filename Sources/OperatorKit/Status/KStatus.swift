import KubeClient

/// The health GitOps tools compute for a custom resource, by the published kstatus rules
/// (sigs.k8s.io/cli-utils `pkg/kstatus/status`, the generic rules Flux and Argo CD's kstatus
/// health use), in their order:
///
/// 1. `metadata.deletionTimestamp` set → ``terminating``;
/// 2. `status.observedGeneration` present and behind `metadata.generation` → ``inProgress``;
/// 3. condition `Reconciling=True` → ``inProgress``;
/// 4. condition `Stalled=True` → ``failed``;
/// 5. otherwise → ``current``.
///
/// The kit's ``ConditionChanges`` helpers keep `Ready`, `Reconciling` and `Stalled` in step so
/// every opsagent resource computes what its `Ready` condition says.
public enum KStatus: String, Sendable, Hashable {
    case current = "Current"
    case inProgress = "InProgress"
    case failed = "Failed"
    case terminating = "Terminating"

    public static func of(_ object: JSONValue) -> KStatus {
        if !object["metadata"]["deletionTimestamp"].isNull { return .terminating }
        let status = object["status"]
        if let observed = status["observedGeneration"].intValue, let generation = object["metadata"]["generation"].intValue,
           observed < generation {
            return .inProgress
        }
        if status.condition(ConditionType.reconciling)?.status == .true { return .inProgress }
        if status.condition(ConditionType.stalled)?.status == .true { return .failed }
        return .current
    }
}
