import Graphiti
import KubeClient
import OperatorKit

/// Subscriptions, fed by the informers' watch events. Each subscriber gets the changes of
/// the namespaces it may `watch` (a SubjectAccessReview per namespace, cached briefly); a
/// change it may not see is skipped, never sent.
extension OpsResolver {
    func deploymentStatusChanged(context: APIContext, arguments: NoArguments) async throws -> AsyncThrowingStream<DeploymentNode, any Error> {
        Self.visible(context.caches.deploymentChanges, to: context, resource: APICaches.deployments, namespace: { $0.namespace })
    }

    func alertCreated(context: APIContext, arguments: NoArguments) async throws -> AsyncThrowingStream<AlertNode, any Error> {
        Self.visible(context.caches.alertsFiring, to: context, resource: APICaches.alertRules, namespace: { $0.namespace })
    }

    func workflowRunUpdated(context: APIContext, arguments: NoArguments) async throws -> AsyncThrowingStream<WorkflowRunNode, any Error> {
        Self.visible(context.caches.runChanges, to: context, resource: APICaches.runs, namespace: { $0.namespace })
    }

    /// The current metrics of `resource` (`cluster` when not given), every metrics interval.
    func metricUpdated(context: APIContext, arguments: MetricUpdatedArguments) async throws -> AsyncThrowingStream<MetricNode, any Error> {
        let resource = arguments.resource ?? "cluster"
        let (source, target) = try await metricsAccess(context, resource: resource)
        let interval = context.services.metricsInterval
        return AsyncThrowingStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    do {
                        for node in try await source.current(resource, target) { continuation.yield(node) }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func visible<Node: Sendable>(_ source: Broadcaster<Node>, to context: APIContext, resource: ResourceDescriptor,
                                        namespace: @escaping @Sendable (Node) -> String) -> AsyncThrowingStream<Node, any Error> {
        relay(source.subscribe()) { node in try await context.may("watch", resource, namespace: namespace(node)) ? node : nil }
    }
}
