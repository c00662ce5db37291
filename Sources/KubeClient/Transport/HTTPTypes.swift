/// An HTTP request as the transport sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// TLS trust and client identity for this request. `nil` uses the system trust store.
    public var tls: TLSConfiguration?
    /// An explicit proxy (kubeconfig `proxy-url`). `nil` lets libcurl honour the proxy environment.
    public var proxyURL: String?
    public var connectTimeout: Duration
    /// Total time allowed for the whole exchange; `nil` for none (watches, log follows).
    public var timeout: Duration?
    /// Sign the request with AWS Signature Version 4 (libcurl's `CURLOPT_AWS_SIGV4`); nil for none.
    public var awsSigV4: AWSSigV4Signing?

    public init(method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
                tls: TLSConfiguration? = nil, proxyURL: String? = nil,
                connectTimeout: Duration = .seconds(10), timeout: Duration? = .seconds(60)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.proxyURL = proxyURL
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// What libcurl needs to sign a request with AWS Signature Version 4.
///
/// libcurl signs the method, path, query string as written, `Host`, `X-Amz-Date` and every
/// header of the request (so the caller writes query strings already in canonical order and
/// sends no header-removal lines, which libcurl would sign too).
public struct AWSSigV4Signing: Sendable, Hashable {
    public var region: String
    /// The signing name of the service (`ec2`, `eks`, `monitoring`, `sts`).
    public var service: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String) {
        self.region = region
        self.service = service
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// The `CURLOPT_AWS_SIGV4` parameter.
    public var curlProvider: String { "aws:amz:\(region):\(service)" }
}

/// Response headers, case-insensitive by name, in arrival order.
public struct HTTPHeaders: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        for (k, v) in elements { add(k, v) }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
        fields.append((name, value))
    }

    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.map { "\($0.name.lowercased()):\($0.value)" } == b.fields.map { "\($0.name.lowercased()):\($0.value)" }
    }
    public func hash(into hasher: inout Hasher) {
        for f in fields { hasher.combine(f.name.lowercased()); hasher.combine(f.value) }
    }
}

extension String {
    /// ASCII case-insensitive equality, as HTTP compares header names (no allocation).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
        return zip(a, b).allSatisfy { lower($0) == lower($1) }
    }
}

/// The head of a response: status and headers.
public struct HTTPResponseHead: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The negotiated HTTP version ("1.1", "2").
    public var httpVersion: String
}

/// A fully read response.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]
    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A response whose body arrives as it is read, with backpressure: when the consumer
/// falls behind, the transfer pauses instead of buffering without bound.
public struct HTTPStreamingResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: ResponseBodyStream
}

/// What can send HTTP requests. `CurlTransport` is the production one; tests may substitute.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}
