// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        // TLS to PostgreSQL: postgres-nio takes NIOSSL's configuration.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
    ],
    targets: [
        // C libraries, reached through `static inline` shims.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CVectorscan",
            path: "Sources/CVectorscan",
            pkgConfig: "libhs",
            providers: [.apt(["libvectorscan-dev"])]
        ),
        .systemLibrary(
            name: "COpenCC",
            path: "Sources/COpenCC",
            pkgConfig: "opencc",
            providers: [.apt(["libopencc-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // Plain value types and the protocols the rest plug into. No NIO, no database, no curl.
        .target(
            name: "SwitchboardCore",
            path: "Sources/SwitchboardCore"
        ),
        // Hashes, HMACs, constant-time comparison and random bytes over OpenSSL.
        .target(
            name: "Digests",
            dependencies: ["COpenSSL"],
            path: "Sources/Digests"
        ),
        // Request signatures: HMAC-SHA256 headers and Standard Webhooks, signed and verified.
        .target(
            name: "Signing",
            dependencies: ["Digests"],
            path: "Sources/Signing"
        ),
        // YAML read strictly, with every problem reported at its file:line:column; shared settings reading.
        .target(
            name: "StrictYAML",
            dependencies: [.product(name: "Yams", package: "Yams")],
            path: "Sources/StrictYAML"
        ),
        // Declarative rules: loading with positions, classification, routing.
        .target(
            name: "Rules",
            dependencies: [
                "SwitchboardCore",
                "StrictYAML",
                "CVectorscan",
                "COpenCC",
                "Digests",
            ],
            path: "Sources/Rules"
        ),
        // Reply scripts rendered strictly from Mustache templates.
        .target(
            name: "Replies",
            dependencies: [
                "SwitchboardCore",
                "Rules",
                "StrictYAML",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Sources/Replies"
        ),
        // Pure domain rules over Core's values (threading, the conversation lifecycle), which every store
        // calls inside its transaction instead of writing them again in SQL.
        .target(
            name: "Conversations",
            dependencies: ["SwitchboardCore"],
            path: "Sources/Conversations"
        ),
        // Storage backends.
        // What both SQL stores write the same way: a message's stored JSON columns and a conversation's row.
        .target(
            name: "StoreSupport",
            dependencies: [
                "SwitchboardCore",
            ],
            path: "Sources/StoreSupport"
        ),
        .target(
            name: "SQLiteStorage",
            dependencies: [
                "SwitchboardCore",
                "Conversations",
                "Attachments",
                "StoreSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/SQLiteStorage"
        ),
        // The PostgreSQL backend, shared by several gateways: migrations under an advisory lock, then the store.
        .target(
            name: "PostgresStorage",
            dependencies: [
                "SwitchboardCore",
                "Conversations",
                "Attachments",
                "StoreSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/PostgresStorage"
        ),
        // `switchboard store copy`: an embedded deployment's rows moved onto PostgreSQL, counted on both sides.
        .target(
            name: "StoreCopy",
            dependencies: [
                "SQLiteStorage",
                "PostgresStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/StoreCopy"
        ),
        // The one thread pool for blocking work (curl transfers, rule compilation), off the cooperative pool.
        .target(
            name: "BlockingWork",
            dependencies: [
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/BlockingWork"
        ),
        // libcurl wrapper: HTTP, SMTP and IMAP transfers and attachment fetches, run on BlockingWork.
        .target(
            name: "Curl",
            dependencies: [
                "CCurl",
                "BlockingWork",
                "SwitchboardCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Curl"
        ),
        // Attachments: what a file's bytes say it is, how it is served, and what a store keeps of it.
        .target(
            name: "Attachments",
            dependencies: ["SwitchboardCore", "Digests"],
            path: "Sources/Attachments"
        ),
        // Email: MIME parsing, charsets and RFC 5322 composition. Foundation, iconv and the core's value types only.
        .target(
            name: "Mail",
            dependencies: ["SwitchboardCore"],
            path: "Sources/Mail"
        ),
        // One folder per channel, each plugged in whole by its ChannelPlugin: settings, inbound adapter, delivery, services.
        .target(
            name: "Channels",
            dependencies: [
                "SwitchboardCore",
                "Digests",
                "Signing",
                "Curl",
                "BlockingWork",
                "Mail",
                "StrictYAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Channels"
        ),
        // Channel-agnostic intake, reply composition and agents' actions: classify, route, render, commit.
        .target(
            name: "Pipeline",
            dependencies: [
                "SwitchboardCore",
                "Conversations",
                "Rules",
                "Replies",
                "Signing",
                "StrictYAML",
                "Digests",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Pipeline"
        ),
        // The outbox stage: claims due replies, delivers them, decides retries and dead letters.
        .target(
            name: "Outbox",
            dependencies: [
                "SwitchboardCore",
                "Digests",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Outbox"
        ),
        // The HTTP API.
        .target(
            name: "HTTPServer",
            dependencies: [
                "SwitchboardCore",
                "Digests",
                "Signing",
                "Rules",
                "Pipeline",
                "Replies",
                "Conversations",
                "StrictYAML",
                "Attachments",
                "Mail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/HTTPServer",
            // The console's pages and modules, compiled into the binary: nothing to install beside it.
            resources: [.embedInCode("Console/Assets")]
        ),
        // Composition root: configuration, services, the application `serve` runs.
        .target(
            name: "Gateway",
            dependencies: [
                "SwitchboardCore",
                "Conversations",
                "Rules",
                "SQLiteStorage",
                "PostgresStorage",
                "BlockingWork",
                "Curl",
                "Channels",
                "Mail",
                "HTTPServer",
                "Pipeline",
                "Outbox",
                "StrictYAML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Gateway"
        ),
        // `switchboard bench`: generated corpora and rule sets, measured side by side with their baselines.
        .target(
            name: "Benchmarks",
            dependencies: [
                "Rules",
                "Gateway",
                "Curl",
                "Conversations",
                "SQLiteStorage",
                "SwitchboardCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Benchmarks"
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "Gateway",
                "Channels",
                "Mail",
                "Rules",
                "Pipeline",
                "StrictYAML",
                "SQLiteStorage",
                "PostgresStorage",
                "StoreCopy",
                "Benchmarks",
                "SwitchboardCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/switchboard"
        ),

        // Shared by the test targets: seeded randomness for the fuzz tests, the sample mail.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        // One test target per module that stands alone, so it builds and runs without HTTP or a database.
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore"],
            path: "Tests/SwitchboardCoreTests"
        ),
        .testTarget(
            name: "ConversationsTests",
            dependencies: ["Conversations", "SwitchboardCore", "Rules", "TestSupport"],
            path: "Tests/ConversationsTests"
        ),
        .testTarget(
            name: "SigningTests",
            dependencies: ["Digests", "Signing"],
            path: "Tests/SigningTests"
        ),
        .testTarget(
            name: "RulesTests",
            dependencies: ["Rules", "Pipeline", "StrictYAML", "StoreSupport", "SwitchboardCore", "TestSupport"],
            path: "Tests/RulesTests"
        ),
        .testTarget(
            name: "MailTests",
            dependencies: ["Mail", "SwitchboardCore", "TestSupport"],
            path: "Tests/MailTests"
        ),
        .testTarget(
            name: "OutboxTests",
            dependencies: ["Outbox", "SwitchboardCore"],
            path: "Tests/OutboxTests"
        ),
        // Everything that needs the composition: end-to-end tests against the real application, the stores,
        // channels against real servers, and rule directories loaded whole.
        .testTarget(
            name: "SwitchboardTests",
            dependencies: [
                "SwitchboardCore",
                "Digests",
                "Rules",
                "Replies",
                "SQLiteStorage",
                "PostgresStorage",
                "StoreSupport",
                "StoreCopy",
                "Signing",
                "TestSupport",
                "Curl",
                "Mail",
                "Attachments",
                "Channels",
                "HTTPServer",
                "Pipeline",
                "StrictYAML",
                "Gateway",
                "Benchmarks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/SwitchboardTests"
        ),
    ]
)
