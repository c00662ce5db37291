import Foundation
import KubeClient

/// A sample of an instant query: the series' labels and its value (NaN kept as NaN).
public struct PrometheusSample: Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double
    public var timestamp: Double
}

/// The result of an instant query.
public enum PrometheusResult: Sendable, Hashable {
    case scalar(Double)
    case vector([PrometheusSample])
    /// Range vectors and strings are not numbers a check can judge.
    case other(resultType: String)

    /// The single number a check judges: a scalar, or the only element of a vector.
    /// `nil` for an empty vector; an error for several series (the query must aggregate).
    public func singleValue(query: String) throws(PrometheusError) -> Double? {
        switch self {
        case .scalar(let v): return v
        case .vector(let samples):
            if samples.isEmpty { return nil }
            if samples.count == 1 { return samples[0].value }
            throw PrometheusError.notSingleValue(query: query, series: samples.count)
        case .other(let type):
            throw PrometheusError.notSingleValue(query: query, series: -1, resultType: type)
        }
    }
}

public enum PrometheusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Prometheus refused the query (bad PromQL, timeout…).
    case query(query: String, errorType: String, message: String)
    case unreachable(url: String, message: String)
    case http(url: String, status: Int, body: String)
    case malformed(String)
    case notSingleValue(query: String, series: Int, resultType: String = "vector")

    public var description: String {
        switch self {
        case .query(let q, let type, let message):
            return "Prometheus rejected the query `\(q)` (\(type)): \(message); fix the PromQL in the check"
        case .unreachable(let url, let message):
            return "cannot reach Prometheus at \(url): \(message); check --prometheus-url or the check's address"
        case .http(let url, let status, let body):
            return "Prometheus at \(url) answered HTTP \(status): \(body.prefix(200))"
        case .malformed(let message):
            return "Prometheus sent an answer this program cannot read: \(message)"
        case .notSingleValue(let q, let series, let type):
            if series < 0 { return "the query `\(q)` returns a \(type), not a number; use an instant vector or scalar expression" }
            return "the query `\(q)` returns \(series) series; aggregate it (sum, avg, max…) so it returns one number"
        }
    }
}

/// Instant queries against the Prometheus HTTP API, over the project's libcurl transport.
public struct PrometheusClient: Sendable {
    public var baseURL: String
    public var transport: any HTTPTransport
    public var timeout: Duration
    /// Extra headers (e.g. `Authorization` for a secured Prometheus).
    public var headers: HTTPHeaders

    public init(baseURL: String, transport: any HTTPTransport = CurlTransport.shared, timeout: Duration = .seconds(15),
                headers: HTTPHeaders = [:]) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.transport = transport
        self.timeout = timeout
        self.headers = headers
    }

    /// Evaluates `query` at `time` (now when nil).
    public func query(_ query: String, at time: Date? = nil) async throws(PrometheusError) -> PrometheusResult {
        var form = [("query", query)]
        if let time { form.append(("time", String(format: "%.3f", time.timeIntervalSince1970))) }
        return try Self.decode(try await post("/api/v1/query", form: form, query: query))
    }

    /// POSTs a form to an API endpoint; returns the answer's `data` when Prometheus
    /// answered success, and throws what went wrong otherwise.
    func post(_ endpoint: String, form: [(String, String)], query: String) async throws(PrometheusError) -> JSONValue {
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var headers = self.headers
        headers.set("Content-Type", "application/x-www-form-urlencoded")
        headers.set("Accept", "application/json")
        let url = baseURL + endpoint
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers,
                                                            body: Array(body.utf8), timeout: timeout))
        } catch {
            throw .unreachable(url: baseURL, message: "\(error)")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: response.body) } catch {
            throw .http(url: url, status: response.status, body: response.bodyText)
        }
        if json["status"].stringValue == "error" {
            throw .query(query: query, errorType: json["errorType"].stringValue ?? "error", message: json["error"].stringValue ?? "")
        }
        guard response.status == 200, json["status"].stringValue == "success" else {
            throw .http(url: url, status: response.status, body: response.bodyText)
        }
        return json["data"]
    }

    static func decode(_ data: JSONValue) throws(PrometheusError) -> PrometheusResult {
        switch data["resultType"].stringValue {
        case "scalar":
            let (_, value) = try sample(data["result"])
            return .scalar(value)
        case "vector":
            var samples: [PrometheusSample] = []
            for item in data["result"].arrayValue ?? [] {
                let (ts, value) = try sample(item["value"])
                var labels: [String: String] = [:]
                for (k, v) in item["metric"].objectValue ?? [:] { labels[k] = v.stringValue ?? "" }
                samples.append(PrometheusSample(labels: labels, value: value, timestamp: ts))
            }
            return .vector(samples)
        case let type?:
            return .other(resultType: type)
        case nil:
            throw .malformed("no resultType in \(data)")
        }
    }

    /// `[<unix seconds>, "<value>"]`; values are strings so NaN and ±Inf survive JSON.
    static func sample(_ pair: JSONValue) throws(PrometheusError) -> (Double, Double) {
        guard let ts = pair[0].doubleValue, let text = pair[1].stringValue else {
            throw .malformed("a sample is not [timestamp, \"value\"]: \(pair)")
        }
        switch text {
        case "NaN": return (ts, .nan)
        case "+Inf", "Inf": return (ts, .infinity)
        case "-Inf": return (ts, -.infinity)
        default:
            guard let v = Double(text) else { throw .malformed("sample value \"\(text)\" is not a number") }
            return (ts, v)
        }
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
