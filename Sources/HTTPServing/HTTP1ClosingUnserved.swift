public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1
public import NIOHTTPTypes
import NIOHTTPTypesHTTP1

extension HTTPServerBuilder {
    /// HTTP/1.1 as Hummingbird's `.http1()` serves it, except that a connection accepted in
    /// the moment the server stops is closed instead of trapping the process.
    ///
    /// With `.http1()` such a connection, never handed to a serving task, deinitialises its
    /// writer unfinished: "Deinited NIOAsyncWriter without calling finish()" (swift-nio#2637).
    /// Every server that stops while clients may still connect (a Prometheus scrape of the
    /// operator during a rollout of the operator, tests starting and stopping servers) needs this.
    ///
    /// - Parameter additionalChannelHandlers: handlers for each connection, placed after the
    ///   HTTP codec (they see `HTTPRequestPart`s) and before Hummingbird's request handling.
    public static func http1ClosingUnserved(
        additionalChannelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HTTP1ClosingUnservedChannel(responder: responder, additionalChannelHandlers: additionalChannelHandlers)
        }
    }
}

/// The child channel behind ``HummingbirdCore/HTTPServerBuilder/http1ClosingUnserved(additionalChannelHandlers:)``:
/// the pipeline of Hummingbird's `HTTP1Channel`, wrapped so that dropping it unserved closes it.
public struct HTTP1ClosingUnservedChannel: ServerChildChannel, HTTPChannelHandler {
    public typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    public let responder: HTTPChannelHandler.Responder
    let additionalChannelHandlers: @Sendable () -> [any RemovableChannelHandler]

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            // As Hummingbird configures it: HTTPTypes already validated the headers, and
            // Hummingbird's default decoder limits.
            let defaults = HTTP1Channel.Configuration().httpDecoder
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = defaults.maxHeaderFieldSize
            limits.maxHeaderListSize = defaults.maxHeaderListSize
            limits.maxHeaderFieldCount = defaults.maxHeaderFieldCount
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandlers(additionalChannelHandlers())
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            // The one wrapping NIO offers that closes, instead of trapping, when dropped
            // unserved. NIO deprecates it for its deinit-based teardown, which is what this
            // needs; the call goes through a protocol so that this intended use does not warn.
            return try (DeinitClosingWrapper.self as any ChannelWrapping.Type).wrap(channel)
        }
    }

    public func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

private protocol ChannelWrapping {
    static func wrap(_ channel: any Channel) throws -> HTTP1ClosingUnservedChannel.Value
}

private enum DeinitClosingWrapper: ChannelWrapping {
    @available(*, deprecated)
    static func wrap(_ channel: any Channel) throws -> HTTP1ClosingUnservedChannel.Value {
        try NIOAsyncChannel(synchronouslyWrapping: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
    }
}
