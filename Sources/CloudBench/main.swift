import Cloud
import Foundation
import KubeClient
import _CryptoExtras

// opsagent-cloud-bench: what the Cloud layer costs.
//  1. SigV4 signing by libcurl per request: sequential GETs to a loopback keep-alive server,
//     signed and unsigned in alternating batches; the difference of the medians is the cost.
//  2. RS256 JWT signing per token request (swift-crypto, RSA-2048).
//  3. DescribeInstances over 1,000 instances in moto, with pagination: wall time and requests.
// Usage: opsagent-cloud-bench [--requests N] [--instances N] [--moto-url URL]

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let requests = Int(option("--requests") ?? "") ?? 2000
let instanceCount = Int(option("--instances") ?? "") ?? 1000
let clock = ContinuousClock()

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func micros(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }

// 1. SigV4.
let server = try LoopbackServer()
let transport = CurlTransport(maxConnectionsPerHost: 1)
let signing = AWSSigV4Signing(region: "us-east-1", service: "ec2", accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
@MainActor func batch(signed: Bool, count: Int) async throws -> Double {
    var request = HTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/?Action=DescribeInstances&Version=2016-11-15")
    if signed { request.awsSigV4 = signing }
    let start = clock.now
    for _ in 0..<count { _ = try await transport.send(request) }
    return micros(clock.now - start) / Double(count)
}
_ = try await batch(signed: true, count: 200) // warm the connection and libcurl
var plain: [Double] = [], signed: [Double] = []
for _ in 0..<10 {
    plain.append(try await batch(signed: false, count: requests / 10))
    signed.append(try await batch(signed: true, count: requests / 10))
}
print(String(format: "sigv4: %.1f µs per unsigned request, %.1f µs signed: signing costs %.1f µs per request (median of 10 batches of %ld)",
             median(plain), median(signed), median(signed) - median(plain), requests / 10))

// 2. JWT.
let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
let keyJSON = JSONValue.object([
    "type": "service_account", "project_id": "bench", "private_key_id": "k", "private_key": .string(rsa.pkcs8PEMRepresentation),
    "client_email": "bench@bench.iam.gserviceaccount.com", "token_uri": "https://oauth2.googleapis.com/token",
]).serializedBytes()
let key = try GCPServiceAccountKey(json: keyJSON, origin: "bench key")
_ = try key.assertion(scopes: ["https://www.googleapis.com/auth/cloud-platform"])
let jwtCount = 200
let jwtStart = clock.now
for _ in 0..<jwtCount { _ = try key.assertion(scopes: ["https://www.googleapis.com/auth/cloud-platform"]) }
print(String(format: "jwt: %.0f µs per RS256 assertion (RSA-2048, %ld signed); one per token, so once an hour per process",
             micros(clock.now - jwtStart) / Double(jwtCount), jwtCount))

// 3. DescribeInstances in moto.
var moto: Process?
var motoURL = option("--moto-url")
if motoURL == nil {
    let port = server.port + 1
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    moto = process
    motoURL = "http://127.0.0.1:\(port)"
    let deadline = clock.now + .seconds(60)
    while clock.now < deadline {
        if (try? await CurlTransport.shared.send(HTTPRequest(method: "GET", url: motoURL! + "/moto-api/data.json")))?.status == 200 { break }
        try await Task.sleep(for: .milliseconds(200))
    }
}
let environment = ["HOME": NSTemporaryDirectory(), "AWS_EC2_METADATA_DISABLED": "true",
                   "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]
let aws = try AWSClient(settings: AWSSettings(region: "us-east-1", endpointURL: motoURL, environment: environment))
// One launch per instance, as an autoscaling group launches them: DescribeInstances pages
// count reservations, so 1,000 one-instance reservations are what makes pages.
let launched = clock.now
for _ in 0..<instanceCount {
    _ = try await aws.query(.ec2, action: "RunInstances", parameters: [
        ("ImageId", "ami-12c6146b"), ("MinCount", "1"), ("MaxCount", "1"), ("InstanceType", "t3.micro"),
    ])
}
print(String(format: "moto: launched %ld instances (one reservation each) in %.1f s", instanceCount, micros(clock.now - launched) / 1e6))
for pageSize in [1000, 100] {
    var walls: [Double] = []
    var sent = 0, found = 0
    for _ in 0..<3 {
        let before = aws.requestsSent
        let start = clock.now
        found = try await aws.ec2.listInstances(pageSize: pageSize).count
        walls.append(micros(clock.now - start) / 1e3)
        sent = aws.requestsSent - before
    }
    print(String(format: "describe-instances: %ld instances, page size %ld: %ld requests, %.0f ms wall (median of 3)",
                 found, pageSize, sent, median(walls)))
}
if let moto { kill(moto.processIdentifier, SIGKILL) } // moto ignores SIGTERM
