import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel (`HTTP1Channel`), set up the same way with two
/// differences:
/// - ``InlineRequestHandler`` sits after the HTTP codec and answers most requests on the
///   event loop;
/// - the connection's async channel closes itself when it is dropped unserved. A connection
///   accepted in the moment the server stops is never handed to a serving task; with
///   Hummingbird's setup its writer then traps the process ("Deinited NIOAsyncWriter without
///   calling finish()", swift-nio#2637). Tests stop many servers while clients reconnect.
struct SimHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let api: APIResponder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(InlineRequestHandler(responder: api))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try Self.closingOnDeinit(channel)
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }

    /// The one wrapping NIO offers that closes, instead of trapping, when dropped unserved.
    /// NIO deprecates it for its deinit-based teardown, which is what this needs; the call goes
    /// through a protocol so that this one intended use does not warn.
    private static func closingOnDeinit(_ channel: any Channel) throws -> Value {
        try (DeinitClosingWrapper.self as any ChannelWrapping.Type).wrap(channel)
    }
}

private protocol ChannelWrapping {
    static func wrap(_ channel: any Channel) throws -> SimHTTP1Channel.Value
}

private enum DeinitClosingWrapper: ChannelWrapping {
    @available(*, deprecated)
    static func wrap(_ channel: any Channel) throws -> SimHTTP1Channel.Value {
        try NIOAsyncChannel(synchronouslyWrapping: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
    }
}
