import Foundation
import HTTPTypes
import HummingbirdCore
import KubeClient
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Answers requests on the connection's event loop, the way kube-apiserver's handlers run
/// on the goroutine that read the request: no hop to a task and back.
///
/// Every handler behind a request is synchronous except a few, and those are passed on to
/// Hummingbird's async responder (``APIResponder``) unchanged:
/// - watches, which stream for minutes;
/// - subresources with a responder of their own (`pods/log` streams, token requests);
/// - the simulator's extra endpoints (``SimulatorExtensions``), and every request while a
///   fault is in force (the fault screen may delay a request);
/// - whole collections (list, deletecollection) and the OpenAPI documents, which can take
///   long enough to hold up the other connections on the event loop;
/// - `HEAD`, `Connection: close`, `Expect` and absolute-form requests, rare enough that this
///   handler leaves them to the general path.
///
/// The handler sits after the HTTP/1 codec and before Hummingbird's channel. HTTP/1.1
/// answers requests in the order they came: while a passed-on request has not been
/// answered in full, later requests on the connection are passed on too. It reads no
/// further requests while the connection cannot take more output, as Hummingbird's writer
/// waits. A graceful shutdown may close a connection in the middle of a request body
/// answered here (Hummingbird's connection state handler, after this one, sees the
/// connection as idle); the client sees a closed connection and retries.
final class InlineRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private struct Collecting {
        var head: HTTPTypes.HTTPRequest
        var path: String
        var route: APIRoute
        var query: QueryParameters
        var body: ByteBuffer?
        var tooLarge = false
    }

    private enum State {
        case idle
        /// Reading the body of a request answered here.
        case collecting(Collecting)
        /// Passing a request's parts on to the async responder.
        case passing
    }

    private let responder: APIResponder
    private var state = State.idle
    /// Requests passed on whose response has not ended yet.
    private var passedOn = 0
    /// The user of the connection's client certificate, read at its first request.
    private var certificateUser: Result<UserInfo?, APIError>?
    /// A read was asked for while the connection could not take more output.
    private var readPending = false
    /// The `Date` header of the current second.
    private var date: (second: time_t, text: String) = (0, "")

    init(responder: APIResponder) {
        self.responder = responder
    }

    private var api: APIServices { responder.api }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.idle, .head(let head)):
            if passedOn == 0, let collecting = answerable(head) {
                state = .collecting(collecting)
            } else {
                passedOn += 1
                state = .passing
                context.fireChannelRead(data)
            }
        case (.collecting(var collecting), .body(var chunk)):
            state = .idle  // drops the buffer's second reference while it grows
            // A GET's body is not read (as on the async path); a body of another method over
            // the limit is dropped, and refused once the request is authorized.
            if ResourceHandler.carriesBody(collecting.head.method) && !collecting.tooLarge {
                if (collecting.body?.readableBytes ?? 0) + chunk.readableBytes > ResourceHandler.maxBodySize {
                    collecting.tooLarge = true
                    collecting.body = nil
                } else if collecting.body == nil {
                    collecting.body = chunk
                } else {
                    collecting.body?.writeBuffer(&chunk)
                }
            }
            state = .collecting(collecting)
        case (.collecting(let collecting), .end):
            state = .idle
            respond(to: collecting, context: context)
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(data)
        case (.passing, _):
            context.fireChannelRead(data)
        case (.collecting, .head), (.idle, .body), (.idle, .end):
            // NIO's decoder ends every request before the next head; nothing else can come here.
            assertionFailure("HTTP parts out of order: \(part) while \(state)")
            context.fireChannelRead(data)
        }
    }

    func read(context: ChannelHandlerContext) {
        guard context.channel.isWritable else {
            readPending = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && readPending {
            readPending = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Only the async responder's writes pass through here; this handler's own go to
        // the next handler directly.
        if case .end = unwrapOutboundIn(data) {
            assert(passedOn > 0, "a response ended that was not passed on")
            passedOn = max(0, passedOn - 1)
        }
        context.write(data, promise: promise)
    }

    /// The request's route when this handler answers it, nil when it goes to the async responder.
    private func answerable(_ head: HTTPTypes.HTTPRequest) -> Collecting? {
        switch head.method {
        case .get, .post, .put, .patch, .delete: break
        default: return nil
        }
        let fields = head.headerFields
        if fields[.expect] != nil || fields[.connection]?.lowercased().contains("close") == true { return nil }
        let target = head.path ?? "/"
        guard target.hasPrefix("/") else { return nil }
        let uri = URI(target)  // as the async path reads it
        let path = uri.path
        // With a fault in force every request passes the fault screen, which may hold it.
        if let extensions = api.extensions, !extensions.faults.isEmpty || extensions.claims(path) { return nil }
        let query = QueryParameters(uri.query)
        let route = APIRoute(path: path)
        switch route {
        case .resource(let resource):
            if ResourceHandler.isWatch(resource, query: query) { return nil }
            if ResourceHandler(api: api).subresourceResponder(resource) != nil { return nil }
            // Whole collections (list, deletecollection) can take long enough to hold up the
            // other connections on this event loop; they are rare next to single objects.
            if resource.name == nil && (head.method == .get || head.method == .delete) { return nil }
        case .openAPIv2, .openAPIv3, .openAPIv3Index:
            return nil  // large documents, read once per client
        default:
            break
        }
        return Collecting(head: head, path: path, route: route, query: query)
    }

    private func respond(to request: Collecting, context: ChannelHandlerContext) {
        var reply: Reply
        do throws(APIError) {
            reply = try answer(request, context: context)
        } catch {
            reply = Responses.error(error)
        }
        reply.headers[.contentLength] = String(reply.body.readableBytes)
        let second = time(nil)
        if date.second != second { date = (second, HTTPDate.format(second)) }
        reply.headers[.date] = date.text
        context.write(wrapOutboundOut(.head(HTTPResponse(status: reply.status, headerFields: reply.headers))), promise: nil)
        if reply.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(reply.body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func answer(_ request: Collecting, context: ChannelHandlerContext) throws(APIError) -> Reply {
        let head = request.head
        let user = try api.user(headers: head.headerFields, certificateUser: try connectionUser(context))
        guard case .resource(let path) = request.route else {
            return try responder.answer(request.route, method: head.method, path: request.path,
                                        headers: head.headerFields, user: user)
        }
        let handler = ResourceHandler(api: api)
        let resolved = try handler.resolve(path, method: head.method, query: request.query, user: user)
        // Like the async path (and kube-apiserver): 401, 403 and 404 come before 413.
        if request.tooLarge { throw ResourceHandler.bodyTooLarge("it exceeds \(ResourceHandler.maxBodySize) bytes") }
        // Only methods that carry a body collected one.
        return try handler.answer(resolved, headers: head.headerFields, body: request.body.map { Array($0.readableBytesView) } ?? [],
                                  user: user)
    }

    private func connectionUser(_ context: ChannelHandlerContext) throws(APIError) -> UserInfo? {
        if certificateUser == nil {
            let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
            do throws(APIError) {
                certificateUser = .success(try api.authenticator.certificateUser(certificate))
            } catch {
                certificateUser = .failure(error)
            }
        }
        return try certificateUser!.get()
    }
}

/// `Date` header values (RFC 9110 IMF-fixdate).
enum HTTPDate {
    static func format(_ second: time_t) -> String {
        var seconds = second
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
