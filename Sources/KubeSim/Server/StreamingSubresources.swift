import Hummingbird
import KubeClient

/// `pods/exec`, `pods/attach` and `pods/portforward`: the simulated containers are not
/// processes, so there is no shell to run a command in, no stdout to attach to and no port to
/// forward. Rather than a bare 404, the request is refused with a Status naming the
/// limitation, which kubectl prints as `error: unable to upgrade connection: …`.
struct StreamingSubresources: SubresourceResponder {
    static let paths = ["pods/exec", "pods/attach", "pods/portforward"]

    func respond(to request: SubresourceRequest) async throws(APIError) -> Response {
        let key = ObjectKey(namespace: request.namespace, name: request.name)
        guard request.registry.store.get(request.type.groupResource, key) != nil else {
            throw APIError.notFound(request.type.groupResource, name: request.name)
        }
        let what: String
        switch request.subresource {
        case "exec": what = "run commands in containers (kubectl exec)"
        case "attach": what = "attach to containers (kubectl attach)"
        default: what = "forward ports (kubectl port-forward)"
        }
        throw APIError(code: 400, reason: "BadRequest",
                       message: "the embedded cluster (opsagent sim) cannot \(what): its containers are simulated, not processes; read what they print with kubectl logs")
    }
}
