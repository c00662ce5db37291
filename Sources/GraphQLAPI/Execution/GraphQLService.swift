import Foundation
import GraphQL
import Graphiti
import KubeClient
import Logging
import OperatorKit

/// Runs GraphQL operations for authenticated callers: the cost bounds first, then the
/// schema's resolvers. Shared by the HTTP endpoint (queries, mutations) and the WebSocket
/// endpoint (subscriptions).
public final class GraphQLService: Sendable {
    public let api: OpsGraphQLAPI
    let fast: FastQuery
    let services: APIServices
    let authenticator: TokenAuthenticator
    let cost: QueryCost
    let logger: Logger

    public init(services: APIServices, cost: QueryCost = QueryCost(), logger: Logger) throws {
        api = try OpsGraphQLAPI()
        fast = try FastQuery(schema: api.schema.schema, resolver: api.resolver)
        self.services = services
        authenticator = TokenAuthenticator(client: services.serverClient, logger: logger)
        self.cost = cost
        self.logger = logger
    }

    /// The largest operation text accepted.
    static let maxQueryBytes = 64 << 10

    func context(for user: TokenAuthenticator.User) -> APIContext { APIContext(user: user, services: services) }

    /// Why the request may not run (too long, too deep, too costly), as a result to send back.
    func refusal(_ parsed: ParsedRequest) -> GraphQLResult? {
        guard parsed.request.query.utf8.count <= Self.maxQueryBytes else {
            return GraphQLResult(errors: [GraphQLError(message: "the query is longer than \(Self.maxQueryBytes) bytes")])
        }
        // A syntax error is reported by the execution itself, with its location.
        guard let document = parsed.document else { return nil }
        if let reason = cost.refusal(document, schema: api.schema.schema, operationName: parsed.request.operationName,
                                     objectFields: fast.objectFields) {
            return GraphQLResult(errors: [GraphQLError(message: reason)])
        }
        return nil
    }

    /// The JSON answer to a request and how many errors it holds.
    public struct Answer: Sendable {
        public var json: String
        public var errors: Int

        init(json: String, errors: Int) {
            self.json = json
            self.errors = errors
        }

        init(_ result: GraphQLResult) {
            let data = (try? GraphQLJSONEncoder().encode(result)) ?? Data(#"{"errors":[{"message":"cannot encode the result"}]}"#.utf8)
            self.init(json: String(decoding: data, as: UTF8.self), errors: result.errors.count)
        }
    }

    /// Executes a query or mutation: queries of the resources' fields by ``FastQuery``, the
    /// rest (mutations, introspection, invalid documents) by GraphQLSwift.
    public func execute(_ request: GraphQLRequest, as user: TokenAuthenticator.User) async -> Answer {
        await execute(ParsedRequest(request), as: user)
    }

    func execute(_ parsed: ParsedRequest, as user: TokenAuthenticator.User) async -> Answer {
        let request = parsed.request
        if let refused = refusal(parsed) { return Answer(refused) }
        if parsed.kind == .subscription {
            return Answer(GraphQLResult(errors: [GraphQLError(message: "subscriptions are served over WebSocket at /graphql (protocol graphql-transport-ws)")]))
        }
        let started = ContinuousClock.now
        let context = context(for: user)
        let answer: Answer
        if let prepared = fast.prepare(parsed, kind: .query), let fast = try? await fast.execute(prepared, context: context) {
            answer = Answer(json: fast.json, errors: fast.errors)
        } else {
            do {
                answer = Answer(try await api.execute(request: request, context: context))
            } catch {
                answer = Answer(GraphQLResult(errors: [GraphQLError(message: "\(error)")]))
            }
        }
        log(parsed, user: user, errors: answer.errors, elapsed: ContinuousClock.now - started)
        return answer
    }

    /// A subscription to changes of the resources, served by ``FastQuery`` (nil for the
    /// others, and for requests it leaves to GraphQLSwift, which then reports their errors).
    func fastSubscription(_ parsed: ParsedRequest, as user: TokenAuthenticator.User) async -> AsyncThrowingStream<String, any Error>? {
        guard refusal(parsed) == nil, let prepared = fast.prepare(parsed, kind: .subscription) else { return nil }
        return try? await fast.subscribe(prepared, context: context(for: user))
    }

    /// Starts a subscription: a stream of results, or the errors that refused it.
    func subscribe(_ parsed: ParsedRequest, as user: TokenAuthenticator.User)
        async -> Result<AsyncThrowingStream<GraphQLResult, any Error>, GraphQLErrors> {
        if let refused = refusal(parsed) { return .failure(GraphQLErrors(refused.errors)) }
        do {
            return try await api.subscribe(request: parsed.request, context: context(for: user))
        } catch let errors as GraphQLErrors {
            return .failure(errors)
        } catch {
            return .failure(GraphQLErrors([GraphQLError(message: "\(error)")]))
        }
    }

    /// One line per operation: who, which operation, how it ended. Variables are left out
    /// (they may carry values the caller considers secret).
    private func log(_ parsed: ParsedRequest, user: TokenAuthenticator.User, errors: Int, elapsed: Duration) {
        logger.info("graphql \(parsed.kind.map { "\($0)" } ?? "invalid")", metadata: [
            "user": "\(user.name)", "operation": "\(parsed.request.operationName ?? "-")", "errors": "\(errors)",
            "ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
        ])
    }
}

/// A request parsed once, for the cost bounds, the choice of executor and the log: its
/// document and the operation it runs (nil when it does not parse or names no operation;
/// GraphQLSwift then answers with the error and its location).
struct ParsedRequest: Sendable {
    let request: GraphQLRequest
    let document: Document?
    let operation: OperationDefinition?

    init(_ request: GraphQLRequest) {
        self.request = request
        document = try? GraphQL.parse(source: request.query)
        operation = document.flatMap { QueryCost.operation(in: $0, named: request.operationName) }
    }

    var kind: OperationType? { operation?.operation }
}
