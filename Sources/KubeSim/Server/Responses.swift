import HTTPTypes
import Hummingbird
import KubeClient
import NIOCore

/// A complete response: what every request except a watch or a streamed log gets. The
/// event-loop path (``InlineRequestHandler``) writes it as is; the async path wraps it in
/// Hummingbird's `Response`.
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
}

extension Response {
    init(_ reply: Reply) {
        self.init(status: reply.status, headers: reply.headers, body: .init(byteBuffer: reply.body))
    }
}

/// Building HTTP responses the way kube-apiserver writes them: compact JSON ending in a
/// newline, `Status` bodies for errors, `Warning` headers.
enum Responses {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, warnings: [String] = [],
                     contentType: String = "application/json") -> Reply {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count + 1)
        buffer.writeBytes(bytes)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return Reply(status: status, headers: headers(contentType: contentType, warnings: warnings), body: buffer)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, warnings: [String] = [],
                     contentType: String = "application/json") -> Reply {
        json(value.serializedBytes(), status: status, warnings: warnings, contentType: contentType)
    }

    static func buffer(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, warnings: [String] = []) -> Reply {
        Reply(status: status, headers: headers(contentType: "application/json", warnings: warnings), body: buffer)
    }

    static func error(_ error: APIError) -> Reply {
        var response = json(error.statusBytes, status: HTTPResponse.Status(code: error.code))
        if let retry = error.details?.retryAfterSeconds, error.code == 429 || error.code == 503 || error.code == 504 {
            response.headers[.retryAfter] = String(retry)
        }
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Reply {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.xContentTypeOptions] = "nosniff"
        return Reply(status: status, headers: headers, body: ByteBuffer(string: text))
    }

    static func headers(contentType: String, warnings: [String]) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        for warning in warnings {
            headers.append(HTTPField(name: .warning, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
        }
        return headers
    }

    /// `{"apiVersion":…,"items":[…],"kind":…List,"metadata":{…}}` from stored bytes, without re-encoding items.
    static func list(items: [[UInt8]], apiVersion: String, kind: String, revision: UInt64, continueToken: String?,
                     remainingItemCount: Int?) -> ByteBuffer {
        let size = items.reduce(128) { $0 + $1.count + 1 }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeStaticString("{\"apiVersion\":")
        buffer.writeBytes(JSONValue.string(apiVersion).serializedBytes())
        buffer.writeStaticString(",\"items\":[")
        for (i, item) in items.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeBytes(item)
        }
        buffer.writeStaticString("],\"kind\":")
        buffer.writeBytes(JSONValue.string(kind).serializedBytes())
        var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remainingItemCount)) }
        buffer.writeStaticString(",\"metadata\":")
        buffer.writeBytes(metadata.serializedBytes())
        buffer.writeStaticString("}\n")
        return buffer
    }
}

extension HTTPField.Name {
    static let warning = HTTPField.Name("Warning")!
    static let auditID = HTTPField.Name("Audit-Id")!
}
