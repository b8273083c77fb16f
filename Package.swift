// swift-tools-version: 6.0
import PackageDescription

/// The executables' allocator on Linux: jemalloc (libjemalloc-dev, which tools/setup installs) in place of glibc's
/// malloc. glibc defers the sorting of freed pieces to later allocations, up to ten thousand pieces each, so a
/// query that follows one which freed a large projection paid for that projection's frees: a held roster after
/// a snapshot's roster took 30–38 ms at p50 against 9–10 ms under jemalloc, and the import ran at 13,300–14,700
/// against 17,100–17,200 events/s (README, stop 44).
let allocator: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

let package = Package(
    name: "OutletLedger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "outlet-ledger", targets: ["outlet-ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Float-free JSON values and the RFC 8785 canonical form the hash chain is computed over.
        .target(name: "CanonicalJSON"),
        // The pure core: dates, identifiers, events and their payloads. No I/O.
        .target(name: "OutletDomain", dependencies: ["CanonicalJSON"]),
        // The JSON Schemas of every event type, shipped as resources, and the validator that applies them.
        .target(
            name: "EventSchemas",
            dependencies: ["CanonicalJSON", "OutletDomain"],
            path: "EventSchemas",
            exclude: ["README.md"],
            resources: [.copy("schemas")]
        ),
        // Folds of the log into per-institution timelines: roster, bans, calendar, status on any date.
        .target(name: "OutletProjections", dependencies: ["OutletDomain", "CanonicalJSON", "CPrefetch"]),
        // The memory system's prefetch hint, for the loops memory latency bounds.
        .target(name: "CPrefetch"),
        // The system liblz4 (frame API), for snapshots the stock `lz4` tool can read.
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),
        // Projections saved as LZ4 frames and read back, never trusted blindly (Snapshots/FORMAT.md).
        .target(
            name: "OutletSnapshots",
            dependencies: ["CLZ4", "CanonicalJSON", "OutletDomain", "OutletProjections", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Public notices rendered from projections through logic-less templates (resources the bureau can override).
        .target(
            name: "OutletNotices",
            dependencies: ["OutletDomain", "OutletProjections", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates"), .copy("notice-config.json")]
        ),
        // What every log shares, wherever it is kept: envelopes, the chain (sealing, hashing, verifying),
        // errors, time, the EventLog protocol and the in-memory log. No storage engine.
        .target(
            name: "OutletCore",
            dependencies: ["CanonicalJSON", "OutletDomain", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The log made verifiable without trusting the operator: the RFC 6962 Merkle tree, its proofs.
        .target(name: "OutletTransparency", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The ledger file: the EventLog in SQLite; knows bytes and order, nothing of outlets. The only GRDB user.
        .target(
            name: "OutletStore",
            dependencies: ["OutletCore", "CanonicalJSON", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        // The application service: checks candidates (schema, identifiers) and appends them.
        .target(
            name: "OutletLedger",
            dependencies: [
                "CanonicalJSON", "OutletDomain", "EventSchemas", "OutletStore", "OutletCore", "OutletProjections", "OutletSnapshots", "OutletNotices",
                "OutletTransparency",
            ],
            resources: [.copy("Resources/default-policy.json"), .copy("Resources/holidays-cn.json")]
        ),
        // The doors over HTTP (Hummingbird): the registry's API, its pages in Chinese for browsers, the tiles
        // of its signed log, the witness service.
        .target(
            name: "OutletHTTP",
            dependencies: [
                "OutletLedger", "OutletCore", "OutletDomain", "OutletNotices", "OutletProjections", "OutletTransparency", "CanonicalJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/pages")]
        ),
        // The demo registry and the synthetic national-scale history, appended through the ledger's rules.
        .target(name: "OutletDemo", dependencies: ["OutletLedger", "OutletDomain", "OutletStore", "OutletCore", "CanonicalJSON"]),
        .executableTarget(
            name: "outlet-ledger",
            dependencies: [
                "OutletLedger", "OutletDemo", "OutletDomain", "OutletStore", "OutletCore", "OutletProjections", "OutletSnapshots", "OutletNotices",
                "OutletTransparency", "OutletHTTP", "CanonicalJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: allocator
        ),
        // Benchmark tools (synthetic ledgers); tools/generate-ledger and tools/bench run it.
        .executableTarget(
            name: "outlet-bench",
            dependencies: [
                "OutletLedger", "OutletDemo", "OutletDomain", "OutletStore", "OutletCore", "OutletProjections", "OutletSnapshots", "CanonicalJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: allocator
        ),
        .testTarget(name: "CanonicalJSONTests", dependencies: ["CanonicalJSON"]),
        .testTarget(name: "OutletTransparencyTests", dependencies: ["OutletTransparency"]),
        // The shipped policy and holiday data, read from the repository for the pure tests.
        .target(
            name: "OutletTestSupport", dependencies: ["OutletDomain", "OutletProjections", "CanonicalJSON"], path: "Tests/OutletTestSupport"
        ),
        .testTarget(
            name: "OutletNoticesTests",
            dependencies: ["OutletNotices", "OutletProjections", "OutletDomain", "OutletTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "OutletDomainTests", dependencies: ["OutletDomain", "OutletTestSupport", "CanonicalJSON"]),
        .testTarget(
            name: "OutletProjectionsTests",
            dependencies: ["OutletProjections", "OutletDomain", "CanonicalJSON", "OutletTestSupport"]
        ),
        .testTarget(
            name: "OutletSnapshotsTests",
            dependencies: ["OutletSnapshots", "OutletProjections", "OutletDomain", "CanonicalJSON", "OutletTestSupport"]
        ),
        .testTarget(
            name: "OutletStoreTests",
            dependencies: [
                "OutletStore", "OutletCore", "CanonicalJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "OutletLedgerTests",
            dependencies: [
                "OutletLedger", "OutletDemo", "outlet-ledger", "OutletSnapshots", "OutletTestSupport", "OutletDomain", "OutletStore", "OutletCore",
                "OutletTransparency", "OutletHTTP",
                "OutletProjections", "EventSchemas", "CanonicalJSON",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
