// swift-tools-version: 6.2
// DefectLab: mining and fuzzing deep-learning framework defects under one HP taxonomy.
// Module map: ../shared/DESIGN.md (one module per job; the executable only parses arguments).
import PackageDescription

let package = Package(
    name: "DefectLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "defectlab", targets: ["defectlab"]),
        .executable(name: "agreement-bench", targets: ["AgreementBench"]),
        .executable(name: "tracker-sim", targets: ["tracker-sim"]),
        .executable(name: "fuzz-bench", targets: ["FuzzBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System-library shims: C hidden behind Swift types in the modules that use them.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        .target(name: "Taxonomy", dependencies: ["JSONText", .product(name: "Yams", package: "Yams")]),
        .target(name: "Store", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Doctor", dependencies: ["CCurl", "CLibXML2", "CNCursesW", "Store"]),
        // Seeding: the one seedable generator every random choice goes through (no dependencies).
        .target(name: "Seeding"),
        // Agreement: pure statistics over count tables. Annotation: labels in the store.
        .target(name: "Agreement", dependencies: ["Seeding"]),
        .target(name: "Annotation", dependencies: ["Store", "Taxonomy", "Agreement", "Seeding", "JSONText", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(name: "AgreementBench", dependencies: ["Agreement", "Seeding"]),
        .executableTarget(name: "FuzzBench", dependencies: ["Fuzz", "Oracles", "ModelIR", "Store", "Taxonomy"]),
        // Optimized even in debug builds: the zoo's weights and the reference interpreter are number crunching
        // that tests and `models run` exercise at real sizes.
        .target(name: "ModelIR", dependencies: ["Seeding", "JSONText"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "Reference", dependencies: ["ModelIR", "Seeding", "COpenBLAS"], swiftSettings: [.unsafeFlags(["-O"])]),
        // The escape decoding of the project's hand-written JSON readers (Crawl's and Workers').
        .target(name: "JSONText"),
        .target(name: "Crawl", dependencies: ["CCurl", "CLibXML2", "Store", "Taxonomy", "JSONText", .product(name: "GRDB", package: "GRDB.swift")]),
        // The tracker simulator (GitHub + Gitee over loopback) used by the crawl tests and benchmarks.
        .target(name: "TrackerSim", dependencies: [
            "Seeding",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .executableTarget(name: "tracker-sim", dependencies: ["TrackerSim"]),
        // Framework workers (Python processes speaking length-prefixed frames) and the differential oracles.
        .target(name: "Workers", dependencies: ["ModelIR", "JSONText"], resources: [.copy("Resources/python")]),
        // Oracles: the thresholds (`--oracles`) and the distance, localization and loss maths every command's
        // oracles share, plus `diff`'s suite. Optimized: campaigns call its distances on every layer of every mutant.
        .target(name: "Oracles", dependencies: ["Workers", "ModelIR", "Seeding", "Reference", "Taxonomy", "Store", "JSONText", "Reports",
                                                .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: [.unsafeFlags(["-O"])]),
        // Labelling (issue 5): the ncurses screens over Annotation's sampling, designs, sessions, adjudication.
        .target(name: "TerminalUI", dependencies: ["CNCursesW", "Annotation", "Store", "Taxonomy", "JSONText"]),
        // Fuzz: mutation operators, constraints, guidance, campaigns and the RQ3 studies (optimized: it mutates
        // and hashes models in a loop).
        .target(name: "Fuzz", dependencies: ["ModelIR", "Seeding", "Reference", "Taxonomy", "Store", "Workers", "Oracles", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: [.unsafeFlags(["-O"])]),
        // Triage (issue 9): fold findings into unique defects, reduce them, write reproducers.
        .target(name: "Triage", dependencies: ["Fuzz", "Oracles", "ModelIR", "Reference", "Workers", "Store", "Taxonomy", "Reports",
                                               .product(name: "GRDB", package: "GRDB.swift")]),
        // Reports (issue 9): campaign reports (HTML with hand-written SVG, Markdown, JSON, JUnit) and mined-vs-fuzzed coverage.
        .target(name: "Reports", dependencies: ["Store", "Taxonomy", "JSONText", .product(name: "GRDB", package: "GRDB.swift")]),

        .executableTarget(
            name: "defectlab",
            dependencies: [
                "Taxonomy", "Store", "Doctor", "Agreement", "Annotation", "ModelIR", "Reference", "Crawl",
                "Workers", "Oracles", "TerminalUI", "Fuzz", "Triage", "Reports", "JSONText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SystemLibraryTests", dependencies: ["CCurl", "CLibXML2", "CNCursesW"]),
        .testTarget(name: "TaxonomyTests", dependencies: ["Taxonomy"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(name: "CLITests", dependencies: ["defectlab"]),
        .testTarget(name: "AgreementTests", dependencies: ["Agreement", "Seeding"]),
        .testTarget(name: "AnnotationTests", dependencies: ["Annotation", "Agreement", "Store", "Taxonomy", "JSONText"]),
        .testTarget(name: "ModelIRTests", dependencies: ["ModelIR", "Seeding"]),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "ModelIR"]),
        .testTarget(name: "CrawlTests", dependencies: ["Crawl", "Store", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers", "Oracles", "ModelIR", "Reference", "Taxonomy", "Store", "Doctor",
                                                          .product(name: "GRDB", package: "GRDB.swift")],
                    resources: [.copy("Resources/fault_worker.py")]),
        .testTarget(name: "LabellingTests", dependencies: ["Annotation", "Store", "Taxonomy", "TerminalUI", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "Annotation", "Store", "CNCursesW", "JSONText", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FuzzTests", dependencies: ["Fuzz", "Oracles", "ModelIR", "Seeding", "Reference", "Store", "Taxonomy", "Workers"]),
        .testTarget(name: "OraclesTests", dependencies: ["Oracles", "ModelIR", "Reference", "Taxonomy", "Workers", "JSONText"]),
        .testTarget(name: "TriageTests", dependencies: ["Triage", "Fuzz", "Oracles", "ModelIR", "Seeding", "Reference", "Store", "Taxonomy",
                                                         .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Store", "Taxonomy", "CLibXML2", .product(name: "GRDB", package: "GRDB.swift")],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
