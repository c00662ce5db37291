// swift-tools-version:6.2
// opsagent — a Kubernetes operator for cluster and cloud operations, in Swift.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "opsagent",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "opsagent", targets: ["opsagent"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeSim", targets: ["KubeSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/GraphQLSwift/Graphiti", from: "3.1.0"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Scheduling",
            dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "HTTPServing",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeSim",
            dependencies: [
                "KubeClient",
                "Scheduling",
                "HTTPServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OperatorKit",
            dependencies: [
                "KubeClient",
                "Scheduling",
                "HTTPServing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Analysis",
            dependencies: [
                "KubeClient",
                "Scheduling",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "AuditChecks",
            dependencies: ["KubeClient"],
            swiftSettings: strict
        ),
        .target(
            name: "Integrations",
            dependencies: ["KubeClient", "CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // AWS (SigV4 by libcurl: EC2, EKS, CloudWatch) and GCP (RS256 JWTs by swift-crypto:
        // Compute, GKE, Cloud Monitoring) over the KubeClient transport.
        .target(
            name: "Cloud",
            dependencies: [
                "KubeClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "KubeClient", "HTTPServing", "Analysis", "Cloud",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["LLM/openai-chat-completions.json"],
            swiftSettings: strict
        ),
        .target(
            name: "OpsAPI",
            dependencies: ["KubeClient", "AuditChecks"],
            swiftSettings: strict
        ),
        // `opsagent generate`: workload requirements → hardened manifests (pure; no cluster access).
        .target(
            name: "ConfigGen",
            dependencies: ["KubeClient", "AuditChecks", "Analysis"],
            swiftSettings: strict
        ),
        .target(
            name: "Controllers",
            dependencies: [
                "KubeClient", "OperatorKit", "OpsAPI", "Analysis", "Integrations", "AuditChecks", "Cloud",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The MCP server: the operator's capabilities as tools for AI agents (stdio and streamable HTTP).
        .target(
            name: "MCPServer",
            dependencies: [
                "KubeClient", "OperatorKit", "OpsAPI", "AuditChecks", "Analysis", "HTTPServing", "Controllers", "ConfigGen", "Cloud",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // `opsagent api`: the seed's GraphQL API over the operator's resources (queries from informer
        // caches, subscriptions over graphql-transport-ws) and the dashboard page that uses it.
        .target(
            name: "GraphQLAPI",
            dependencies: [
                "KubeClient", "OperatorKit", "OpsAPI", "AuditChecks", "Controllers", "Integrations",
                .product(name: "Graphiti", package: "Graphiti"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "opsagent",
            dependencies: [
                "MCPServer",
                "GraphQLAPI",
                "OperatorKit",
                .product(name: "Prometheus", package: "swift-prometheus"),
                "KubeClient",
                "KubeSim",
                "OpsAPI",
                "Controllers",
                "Analysis",
                "ConfigGen",
                "Cloud",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "SimBench",
            dependencies: ["KubeSim", "KubeClient", "CCurl"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "opsagent-bench",
            dependencies: [
                "Controllers", "OperatorKit", "OpsAPI", "KubeClient", "KubeSim", "AuditChecks", "MCPServer", "GraphQLAPI",
                "TestSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/Bench",
            swiftSettings: strict
        ),
        // `make bench-cloud`: SigV4 and JWT signing costs, DescribeInstances over moto.
        .executableTarget(
            name: "opsagent-cloud-bench",
            dependencies: [
                "Cloud", "KubeClient",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Sources/CloudBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "KubeClient",
                "KubeSim",
                "TestSupport",
                "HTTPServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OperatorKitTests",
            dependencies: [
                "OperatorKit",
                "KubeClient",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "KubeSim",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationsTests",
            dependencies: [
                "Integrations",
                "KubeClient",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ControllersTests",
            dependencies: ["Controllers", "OperatorKit", "OpsAPI", "KubeClient", "KubeSim", "Analysis", "AuditChecks", "TestSupport",
                           "ConfigGen", "Cloud"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPServingTests",
            dependencies: ["HTTPServing", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OpsAPITests",
            dependencies: ["OpsAPI", "KubeClient", "AuditChecks"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AuditChecksTests",
            dependencies: ["AuditChecks", "KubeClient"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubeSimTests",
            dependencies: ["KubeSim", "KubeClient", "Scheduling", "TestSupport"],
            swiftSettings: strict
        ),
        // The operator as `opsagent run` assembles it, and what ships beside it: the image,
        // manifests, RBAC (run as the manifests' ServiceAccount), Argo CD health check.
        .testTarget(
            name: "OpsagentTests",
            dependencies: [
                "opsagent", "OperatorKit", "KubeClient", "KubeSim", "OpsAPI", "TestSupport", "ConfigGen",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The MCP server against the embedded cluster, with the official Python MCP SDK as the client.
        .testTarget(
            name: "MCPServerTests",
            dependencies: [
                "opsagent", "MCPServer", "KubeClient", "KubeSim", "OpsAPI", "AuditChecks", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Python"],
            swiftSettings: strict
        ),
        // The GraphQL API and dashboard against the embedded cluster: RBAC through real reviews,
        // subscriptions over a real WebSocket, the page in headless Chromium.
        .testTarget(
            name: "GraphQLAPITests",
            dependencies: [
                "opsagent", "GraphQLAPI", "KubeClient", "KubeSim", "OpsAPI", "OperatorKit", "TestSupport", "AuditChecks",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Browser"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConfigGenTests",
            dependencies: ["ConfigGen", "KubeClient", "AuditChecks", "Analysis"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CloudTests",
            dependencies: [
                "Cloud", "KubeClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: [
                "Analysis",
                "Scheduling",
                "KubeClient",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
