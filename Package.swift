// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "tasksync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tasksync", targets: ["tasksync"]),
        .executable(name: "tasksync-fakes", targets: ["tasksync-fakes"]),
        .executable(name: "tasksync-benchmark", targets: ["tasksync-benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // libcurl: the C shims that Swift needs for curl's variadic setopt/getinfo.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // One HTTP transport (libcurl) that every adapter uses.
        .target(
            name: "HTTPTransport",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]
        ),
        // libsystemd: sd_notify and the journal.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // systemd glue: readiness, watchdog and status notifications; a journald log handler.
        .target(
            name: "SystemdGlue",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // The canonical task model, the provider protocol and the merge rules.
        .target(name: "TaskModel"),
        // The SQLite mirror: entities, mappings, shadows, journal, outbox, cursors.
        .target(
            name: "Mirror",
            dependencies: ["TaskModel", .product(name: "GRDB", package: "GRDB.swift")],
            plugins: ["EmbedMigrations"]
        ),
        // The adapter kit: the provider protocols (one per capability), remote references,
        // and the descriptor each provider kind registers (its config keys and its factory).
        .target(name: "ProviderKit", dependencies: ["TaskModel", "HTTPTransport"]),
        // What every adapter shares: requests (JSON and form bodies, header or query-token auth), status codes
        // and error envelopes to errors, paginators, read-or-gone, JSON and XML answers.
        .target(name: "AdapterSupport", dependencies: ["ProviderKit", "TaskModel", "HTTPTransport"]),
        // One adapter per provider: a folder each, registered in ProviderCatalog.
        .target(name: "HelpSpaceAdapter", dependencies: ["AdapterSupport"]),
        .target(name: "ProductiveAdapter", dependencies: ["AdapterSupport"]),
        .target(name: "GrowCRMAdapter", dependencies: ["AdapterSupport"]),
        .target(name: "ActiveCollabAdapter", dependencies: ["AdapterSupport"]),
        .target(name: "ProofHubAdapter", dependencies: ["AdapterSupport"]),
        // The one list of provider kinds built in (their descriptors).
        .target(
            name: "ProviderCatalog",
            dependencies: [
                "ProviderKit", "SyncConfig", "HelpSpaceAdapter", "ProductiveAdapter", "ProofHubAdapter", "GrowCRMAdapter", "ActiveCollabAdapter",
            ]
        ),
        // The config file: parsing (a TOML parser of its own, TOMLParser.swift), validation, secrets.
        .target(
            name: "SyncConfig",
            dependencies: ["ProviderKit"]
        ),
        // glibc's malloc for a long-running process: one arena, free memory returned after each cycle.
        .target(name: "CMalloc"),
        // The engine: actors that poll, merge, plan and push.
        .target(
            name: "SyncEngine",
            dependencies: [
                "ProviderKit", "Mirror", "SyncConfig", "HTTPTransport", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Local fakes of the provider APIs, for the tests and (through tasksync-fakes) the demo.
        .target(
            name: "ProviderFakes",
            dependencies: [
                "TaskModel", .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        // What tasksync-fakes and the programs that start it share: its line protocol, a client
        // for it (started through posix_spawn: CSpawn), and the config that links the fakes.
        // No fake server in here.
        .target(name: "CSpawn"),
        .target(name: "FakesWire", dependencies: ["CSpawn"]),
        // The fakes as a program of their own, so that the shipped `tasksync` links no fake server:
        // `tasksync demo` and tasksync-benchmark start it as a child process.
        .executableTarget(
            name: "tasksync-fakes",
            dependencies: ["ProviderFakes", "FakesWire", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The command line: run, sync, status, journal, demo, ... (never ProviderFakes: see tasksync-fakes).
        // FlyingFox serves `run`'s opt-in metrics endpoint ([metrics]): swift-metrics with swift-prometheus' registry.
        .executableTarget(
            name: "tasksync",
            dependencies: [
                "SyncEngine", "SyncConfig", "Mirror", "ProviderKit", "ProviderCatalog", "FakesWire", "SystemdGlue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
            ]
        ),
        .executableTarget(
            name: "tasksync-benchmark",
            dependencies: ["SyncEngine", "SyncConfig", "ProviderCatalog", "FakesWire"]
        ),
        // Build-time: embeds migrations/*.sql into the Mirror module.
        .executableTarget(name: "MigrationEmbedder"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),
        .testTarget(name: "TaskModelTests", dependencies: ["TaskModel"]),
        .testTarget(name: "MirrorTests", dependencies: ["Mirror", "ProviderFakes", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "AdapterTests",
            dependencies: [
                "HelpSpaceAdapter", "ProductiveAdapter", "ProofHubAdapter", "GrowCRMAdapter", "ActiveCollabAdapter", "ProviderKit",
                "ProviderFakes", "HTTPTransport", "SyncConfig", "ProviderCatalog",
            ]
        ),
        // One contract suite, run against every adapter's fake.
        .testTarget(
            name: "AdapterContractTests",
            dependencies: [
                "ProviderKit", "ProviderCatalog", "ProviderFakes", "SyncEngine", "SyncConfig", "Mirror", "HTTPTransport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "HTTPTransportTests", dependencies: ["HTTPTransport", "AdapterSupport"]),
        .testTarget(name: "SyncConfigTests", dependencies: ["SyncConfig", "ProviderCatalog"]),
        .testTarget(name: "SystemdGlueTests", dependencies: ["SystemdGlue", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ProviderFakesTests", dependencies: ["ProviderFakes", "HTTPTransport"]),
        .testTarget(name: "DaemonTests", dependencies: ["ProviderFakes", "FakesWire", "HTTPTransport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "SyncEngineTests",
            dependencies: ["SyncEngine", "ProviderKit", "ProviderCatalog", "ProviderFakes", "FakesWire", "Mirror", "SyncConfig", "HTTPTransport"]
        ),
    ]
)
