import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the connection, whose TLS
/// handshake carries the client certificate the authenticator reads.
public struct SimRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Kubernetes objects and patches can be large (kube-apiserver accepts 3 MiB).
    public var maxUploadSize: Int { ResourceHandler.maxBodySize }
}
